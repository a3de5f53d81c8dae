-- CreateTable
CREATE TABLE "Backup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "orgName" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'manual',
    "createdById" INTEGER,
    "createdBy" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "tableCount" INTEGER NOT NULL,
    "rowCount" INTEGER NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "partial" BOOLEAN NOT NULL DEFAULT false,
    "fileName" TEXT NOT NULL,
    "tableNames" TEXT NOT NULL DEFAULT ''
);

-- CreateIndex
CREATE INDEX "Backup_orgId_createdAt_idx" ON "Backup"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "Backup_createdById_idx" ON "Backup"("createdById");
