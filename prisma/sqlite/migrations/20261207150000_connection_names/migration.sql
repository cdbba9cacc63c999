-- Readable router-side connection names (lib/rendering/connection-name.ts).
-- AlterTable
ALTER TABLE "Tunnel" ADD COLUMN "connectionName" TEXT;

-- AlterTable
ALTER TABLE "TunnelEnd" ADD COLUMN "connectionName" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Tunnel_connectionName_key" ON "Tunnel"("connectionName");

-- Every tunnel so far was named after its bare id on the routers: its ends keep that
-- name until the next deploy, which derives the readable name and retires this one.
UPDATE "TunnelEnd" SET "connectionName" = 'gw-' || lower("tunnelId");
