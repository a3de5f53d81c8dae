-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Backup" (
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
    "tableNames" TEXT NOT NULL DEFAULT '',
    "foreign" BOOLEAN NOT NULL DEFAULT false,
    "fileMadeBy" TEXT,
    "fileMadeAt" TEXT
);
INSERT INTO "new_Backup" ("createdAt", "createdBy", "createdById", "fileName", "id", "kind", "orgId", "orgName", "partial", "rowCount", "sha256", "sizeBytes", "tableCount", "tableNames") SELECT "createdAt", "createdBy", "createdById", "fileName", "id", "kind", "orgId", "orgName", "partial", "rowCount", "sha256", "sizeBytes", "tableCount", "tableNames" FROM "Backup";
DROP TABLE "Backup";
ALTER TABLE "new_Backup" RENAME TO "Backup";
CREATE INDEX "Backup_orgId_createdAt_idx" ON "Backup"("orgId", "createdAt");
CREATE INDEX "Backup_createdById_idx" ON "Backup"("createdById");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
