-- AlterTable
ALTER TABLE "Gateway" ADD COLUMN "ipsecStack" TEXT NOT NULL DEFAULT 'kernel';
