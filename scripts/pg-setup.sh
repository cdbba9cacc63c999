#!/usr/bin/env bash
# Prepares the local PostgreSQL 15 that the PostgreSQL flavour of Gatewarden (and its
# migration tests) use: starts the Debian cluster, creates the `gatewarden` role
# (password login over TCP, CREATEDB because Prisma's shadow databases and the tests'
# temporary databases need it) and the `gatewarden` database. Idempotent; run as root.
# Prints the DATABASE_URL to use.
set -euo pipefail

PG_VERSION=15
ROLE=gatewarden
PASSWORD=gatewarden
DATABASE=gatewarden

if ! command -v pg_ctlcluster >/dev/null || [ ! -d "/usr/lib/postgresql/$PG_VERSION" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$PG_VERSION" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  pg_ctlcluster "$PG_VERSION" main start
fi

# Only the postgres OS user may log in over the local socket (peer authentication).
psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtAX "$@"; }

for _ in $(seq 1 30); do psql_admin -c "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  psql_admin -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'"
else
  psql_admin -c "ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE $DATABASE OWNER $ROLE"
fi

echo "DATABASE_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:5432/$DATABASE"
