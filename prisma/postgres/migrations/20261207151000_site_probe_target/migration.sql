-- AlterTable
ALTER TABLE "Site" ADD COLUMN     "probeTarget" TEXT;
