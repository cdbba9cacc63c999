-- AlterTable
ALTER TABLE "TunnelEnd" ADD COLUMN "appliedPskVersion" INTEGER;
ALTER TABLE "TunnelEnd" ADD COLUMN "deployedAt" DATETIME;
ALTER TABLE "TunnelEnd" ADD COLUMN "deployedHash" TEXT;

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "params" TEXT NOT NULL DEFAULT '{}',
    "result" TEXT,
    "error" TEXT,
    "createdById" TEXT,
    "createdByName" TEXT NOT NULL,
    "owner" TEXT,
    "heartbeatAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "JobStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "gatewayId" TEXT,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "detail" TEXT,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "JobStep_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "JobLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL,
    "gateway" TEXT,
    "message" TEXT NOT NULL,
    CONSTRAINT "JobLog_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "GatewayLock" (
    "gatewayId" TEXT NOT NULL PRIMARY KEY,
    "jobId" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "acquiredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "HealthSample" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tunnelId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "latencyMs" REAL,
    "lossPct" REAL,
    "bytesIn" BIGINT,
    "bytesOut" BIGINT,
    "packetsIn" BIGINT,
    "packetsOut" BIGINT,
    "ikeSpi" TEXT,
    "detail" TEXT,
    CONSTRAINT "HealthSample_tunnelId_fkey" FOREIGN KEY ("tunnelId") REFERENCES "Tunnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Gateway" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "siteId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "publicIp" TEXT NOT NULL,
    "sshHost" TEXT NOT NULL,
    "sshPort" INTEGER NOT NULL DEFAULT 22,
    "sshUser" TEXT NOT NULL,
    "sshAuthType" TEXT NOT NULL,
    "sshSecretEnc" TEXT NOT NULL,
    "hostKeyFingerprint" TEXT,
    "hostKeySeen" TEXT,
    "hostKeySeenAt" DATETIME,
    "wanInterface" TEXT NOT NULL,
    "lanInterface" TEXT NOT NULL,
    "lanAddress" TEXT NOT NULL,
    "reachability" TEXT NOT NULL DEFAULT 'unknown',
    "reachabilityReason" TEXT,
    "reachabilityAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Gateway_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Gateway" ("createdAt", "hostKeyFingerprint", "hostKeySeen", "hostKeySeenAt", "id", "lanAddress", "lanInterface", "name", "platform", "publicIp", "siteId", "sshAuthType", "sshHost", "sshPort", "sshSecretEnc", "sshUser", "updatedAt", "wanInterface") SELECT "createdAt", "hostKeyFingerprint", "hostKeySeen", "hostKeySeenAt", "id", "lanAddress", "lanInterface", "name", "platform", "publicIp", "siteId", "sshAuthType", "sshHost", "sshPort", "sshSecretEnc", "sshUser", "updatedAt", "wanInterface" FROM "Gateway";
DROP TABLE "Gateway";
ALTER TABLE "new_Gateway" RENAME TO "Gateway";
CREATE UNIQUE INDEX "Gateway_siteId_key" ON "Gateway"("siteId");
CREATE UNIQUE INDEX "Gateway_name_key" ON "Gateway"("name");
CREATE UNIQUE INDEX "Gateway_publicIp_key" ON "Gateway"("publicIp");
CREATE TABLE "new_Tunnel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "pairKey" TEXT NOT NULL,
    "cryptoProfileId" TEXT NOT NULL,
    "deployState" TEXT NOT NULL DEFAULT 'pending',
    "deployedAt" DATETIME,
    "healthState" TEXT NOT NULL DEFAULT 'unknown',
    "healthReason" TEXT,
    "healthAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Tunnel_cryptoProfileId_fkey" FOREIGN KEY ("cryptoProfileId") REFERENCES "CryptoProfile" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Tunnel" ("createdAt", "cryptoProfileId", "id", "kind", "pairKey", "updatedAt") SELECT "createdAt", "cryptoProfileId", "id", "kind", "pairKey", "updatedAt" FROM "Tunnel";
DROP TABLE "Tunnel";
ALTER TABLE "new_Tunnel" RENAME TO "Tunnel";
CREATE UNIQUE INDEX "Tunnel_pairKey_key" ON "Tunnel"("pairKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Job_status_createdAt_idx" ON "Job"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Job_targetType_targetId_idx" ON "Job"("targetType", "targetId");

-- CreateIndex
CREATE UNIQUE INDEX "JobStep_jobId_seq_key" ON "JobStep"("jobId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "JobLog_jobId_seq_key" ON "JobLog"("jobId", "seq");

-- CreateIndex
CREATE INDEX "HealthSample_tunnelId_at_idx" ON "HealthSample"("tunnelId", "at");
