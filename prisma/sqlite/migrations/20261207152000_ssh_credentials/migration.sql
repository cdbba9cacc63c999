-- CreateTable
CREATE TABLE "SshCredential" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "keyVersion" INTEGER NOT NULL DEFAULT 1,
    "privateKeyEnc" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "authorizedKeysPath" TEXT NOT NULL DEFAULT '.ssh/authorized_keys',
    "nextKeyEnc" TEXT,
    "nextPublicKey" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "rotatedAt" DATETIME
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
    "sshCredentialId" TEXT,
    "hostKeyFingerprint" TEXT,
    "hostKeySeen" TEXT,
    "hostKeySeenAt" DATETIME,
    "wanInterface" TEXT NOT NULL,
    "lanInterface" TEXT NOT NULL,
    "lanAddress" TEXT NOT NULL,
    "ipsecStack" TEXT NOT NULL DEFAULT 'kernel',
    "reachability" TEXT NOT NULL DEFAULT 'unknown',
    "reachabilityReason" TEXT,
    "reachabilityAt" DATETIME,
    "lastContactAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Gateway_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Gateway_sshCredentialId_fkey" FOREIGN KEY ("sshCredentialId") REFERENCES "SshCredential" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Gateway" ("createdAt", "hostKeyFingerprint", "hostKeySeen", "hostKeySeenAt", "id", "ipsecStack", "lanAddress", "lanInterface", "lastContactAt", "name", "platform", "publicIp", "reachability", "reachabilityAt", "reachabilityReason", "siteId", "sshAuthType", "sshHost", "sshPort", "sshSecretEnc", "sshUser", "updatedAt", "wanInterface") SELECT "createdAt", "hostKeyFingerprint", "hostKeySeen", "hostKeySeenAt", "id", "ipsecStack", "lanAddress", "lanInterface", "lastContactAt", "name", "platform", "publicIp", "reachability", "reachabilityAt", "reachabilityReason", "siteId", "sshAuthType", "sshHost", "sshPort", "sshSecretEnc", "sshUser", "updatedAt", "wanInterface" FROM "Gateway";
DROP TABLE "Gateway";
ALTER TABLE "new_Gateway" RENAME TO "Gateway";
CREATE UNIQUE INDEX "Gateway_siteId_key" ON "Gateway"("siteId");
CREATE UNIQUE INDEX "Gateway_name_key" ON "Gateway"("name");
CREATE UNIQUE INDEX "Gateway_publicIp_key" ON "Gateway"("publicIp");
CREATE INDEX "Gateway_sshCredentialId_idx" ON "Gateway"("sshCredentialId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "SshCredential_name_key" ON "SshCredential"("name");


