// Read queries that only the REST API needs (lib/api/v1.ts): gateway and audit lists by
// page. Selections never include encrypted secrets.
import "server-only";
import { getDb } from "@/lib/db/client";
import { gatewayPublicSelect } from "@/lib/db/inventory";

const gatewaySelect = { ...gatewayPublicSelect, ipsecStack: true, sshCredentialId: true, site: { select: { name: true } } } as const;

export async function countGateways() {
  return getDb().gateway.count();
}

/** One page of gateways, by name. */
export async function listGatewaysPage({ skip, take }: { skip: number; take: number }) {
  return getDb().gateway.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }], skip, take, select: gatewaySelect });
}

export async function getGatewayRecord(id: string) {
  return getDb().gateway.findUnique({ where: { id }, select: gatewaySelect });
}

export async function countAuditEvents() {
  return getDb().auditEvent.count();
}

/** One page of the audit log, newest first. */
export async function listAuditEventsPage({ skip, take }: { skip: number; take: number }) {
  return getDb().auditEvent.findMany({ orderBy: [{ at: "desc" }, { id: "desc" }], skip, take });
}

/** A job's log lines after `after`, at most `take`. */
export async function listJobLogs(jobId: string, after: number, take: number) {
  return getDb().jobLog.findMany({ where: { jobId, seq: { gt: after } }, orderBy: { seq: "asc" }, take });
}
