-- AlterTable
ALTER TABLE "Gateway" ADD COLUMN     "lastContactAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "TunnelMetrics" (
    "tunnelId" TEXT NOT NULL,
    "observedAt" TIMESTAMP(3) NOT NULL,
    "checkedOkAt" TIMESTAMP(3),
    "latencyMs" DOUBLE PRECISION,
    "lossPct" DOUBLE PRECISION,
    "saRole" TEXT,
    "saSpiIn" TEXT,
    "saSpiOut" TEXT,
    "rawBytesIn" BIGINT,
    "rawBytesOut" BIGINT,
    "rawPacketsIn" BIGINT,
    "rawPacketsOut" BIGINT,
    "bytesIn" BIGINT NOT NULL DEFAULT 0,
    "bytesOut" BIGINT NOT NULL DEFAULT 0,
    "packetsIn" BIGINT NOT NULL DEFAULT 0,
    "packetsOut" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "TunnelMetrics_pkey" PRIMARY KEY ("tunnelId")
);

-- AddForeignKey
ALTER TABLE "TunnelMetrics" ADD CONSTRAINT "TunnelMetrics_tunnelId_fkey" FOREIGN KEY ("tunnelId") REFERENCES "Tunnel"("id") ON DELETE CASCADE ON UPDATE CASCADE;
