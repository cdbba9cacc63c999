-- AlterTable
ALTER TABLE "Gateway" ADD COLUMN "lastContactAt" DATETIME;

-- CreateTable
CREATE TABLE "TunnelMetrics" (
    "tunnelId" TEXT NOT NULL PRIMARY KEY,
    "observedAt" DATETIME NOT NULL,
    "checkedOkAt" DATETIME,
    "latencyMs" REAL,
    "lossPct" REAL,
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
    CONSTRAINT "TunnelMetrics_tunnelId_fkey" FOREIGN KEY ("tunnelId") REFERENCES "Tunnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
