-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "clientAddress" TEXT,
ADD COLUMN     "userAgent" TEXT;
