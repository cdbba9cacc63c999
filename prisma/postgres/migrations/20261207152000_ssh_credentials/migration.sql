-- AlterTable
ALTER TABLE "Gateway" ADD COLUMN     "sshCredentialId" TEXT;

-- CreateTable
CREATE TABLE "SshCredential" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "keyVersion" INTEGER NOT NULL DEFAULT 1,
    "privateKeyEnc" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "authorizedKeysPath" TEXT NOT NULL DEFAULT '.ssh/authorized_keys',
    "nextKeyEnc" TEXT,
    "nextPublicKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "rotatedAt" TIMESTAMP(3),

    CONSTRAINT "SshCredential_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Gateway_sshCredentialId_idx" ON "Gateway"("sshCredentialId");

-- CreateIndex
CREATE UNIQUE INDEX "SshCredential_name_key" ON "SshCredential"("name");

-- AddForeignKey
ALTER TABLE "Gateway" ADD CONSTRAINT "Gateway_sshCredentialId_fkey" FOREIGN KEY ("sshCredentialId") REFERENCES "SshCredential"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
