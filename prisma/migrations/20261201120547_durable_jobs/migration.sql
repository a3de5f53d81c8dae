-- One durable job table for every kind of background job (docs/adr/0XX-durable-jobs.md). Restores move onto
-- it with their history: each RestoreJob row becomes a Job of kind 'restore' (its plan wrapped with the backup
-- it restores, its pre-restore backup kept in the result), so an upgraded install still lists and resumes them.
-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "orgId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "plan" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "batchId" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "result" TEXT NOT NULL DEFAULT '{}',
    "failures" TEXT NOT NULL DEFAULT '[]',
    "notes" TEXT NOT NULL DEFAULT '[]',
    "error" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Job_status_idx" ON "Job"("status");

-- CreateIndex
CREATE INDEX "Job_userId_createdAt_idx" ON "Job"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_kind_status_idx" ON "Job"("kind", "status");

-- Existing restores, running ones included (they resume at the next start exactly as before).
INSERT INTO "Job" ("id", "kind", "userId", "orgId", "status", "plan", "actor", "batchId", "total", "done", "result", "failures", "notes", "error", "createdAt", "startedAt", "finishedAt")
SELECT "id", 'restore', "userId", "orgId", "status",
       json_object('backupId', "backupId", 'exact', json(CASE WHEN "exact" THEN 'true' ELSE 'false' END), 'tables', json("plan")),
       "actor", "batchId", "total", "done",
       json_object('preRestoreBackupId', "preRestoreBackupId"),
       "failures", "notes", "error", "createdAt", "createdAt", "finishedAt"
FROM "RestoreJob";

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "RestoreJob";
PRAGMA foreign_keys=on;
