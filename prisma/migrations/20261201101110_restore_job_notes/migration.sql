-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RestoreJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" INTEGER NOT NULL,
    "orgId" TEXT NOT NULL,
    "backupId" TEXT NOT NULL,
    "exact" BOOLEAN NOT NULL DEFAULT false,
    "batchId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failures" TEXT NOT NULL DEFAULT '[]',
    "notes" TEXT NOT NULL DEFAULT '[]',
    "preRestoreBackupId" TEXT,
    "error" TEXT,
    "plan" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);
INSERT INTO "new_RestoreJob" ("actor", "backupId", "batchId", "createdAt", "done", "error", "exact", "failures", "finishedAt", "id", "orgId", "plan", "preRestoreBackupId", "status", "total", "userId") SELECT "actor", "backupId", "batchId", "createdAt", "done", "error", "exact", "failures", "finishedAt", "id", "orgId", "plan", "preRestoreBackupId", "status", "total", "userId" FROM "RestoreJob";
DROP TABLE "RestoreJob";
ALTER TABLE "new_RestoreJob" RENAME TO "RestoreJob";
CREATE INDEX "RestoreJob_status_idx" ON "RestoreJob"("status");
CREATE INDEX "RestoreJob_userId_idx" ON "RestoreJob"("userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
