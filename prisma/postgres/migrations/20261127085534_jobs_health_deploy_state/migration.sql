-- AlterTable
ALTER TABLE "Gateway" ADD COLUMN     "reachability" TEXT NOT NULL DEFAULT 'unknown',
ADD COLUMN     "reachabilityAt" TIMESTAMP(3),
ADD COLUMN     "reachabilityReason" TEXT;

-- AlterTable
ALTER TABLE "Tunnel" ADD COLUMN     "deployState" TEXT NOT NULL DEFAULT 'pending',
ADD COLUMN     "deployedAt" TIMESTAMP(3),
ADD COLUMN     "healthAt" TIMESTAMP(3),
ADD COLUMN     "healthReason" TEXT,
ADD COLUMN     "healthState" TEXT NOT NULL DEFAULT 'unknown';

-- AlterTable
ALTER TABLE "TunnelEnd" ADD COLUMN     "appliedPskVersion" INTEGER,
ADD COLUMN     "deployedAt" TIMESTAMP(3),
ADD COLUMN     "deployedHash" TEXT;

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
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
    "heartbeatAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobStep" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "gatewayId" TEXT,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "detail" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "JobStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobLog" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "level" TEXT NOT NULL,
    "gateway" TEXT,
    "message" TEXT NOT NULL,

    CONSTRAINT "JobLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GatewayLock" (
    "gatewayId" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "acquiredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GatewayLock_pkey" PRIMARY KEY ("gatewayId")
);

-- CreateTable
CREATE TABLE "HealthSample" (
    "id" TEXT NOT NULL,
    "tunnelId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "latencyMs" DOUBLE PRECISION,
    "lossPct" DOUBLE PRECISION,
    "bytesIn" BIGINT,
    "bytesOut" BIGINT,
    "packetsIn" BIGINT,
    "packetsOut" BIGINT,
    "ikeSpi" TEXT,
    "detail" TEXT,

    CONSTRAINT "HealthSample_pkey" PRIMARY KEY ("id")
);

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

-- AddForeignKey
ALTER TABLE "JobStep" ADD CONSTRAINT "JobStep_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobLog" ADD CONSTRAINT "JobLog_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HealthSample" ADD CONSTRAINT "HealthSample_tunnelId_fkey" FOREIGN KEY ("tunnelId") REFERENCES "Tunnel"("id") ON DELETE CASCADE ON UPDATE CASCADE;
