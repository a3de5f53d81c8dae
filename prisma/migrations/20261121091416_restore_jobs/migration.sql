-- CreateTable
CREATE TABLE "RestoreJob" (
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
    "preRestoreBackupId" TEXT,
    "error" TEXT,
    "plan" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "RestoreJob_status_idx" ON "RestoreJob"("status");

-- CreateIndex
CREATE INDEX "RestoreJob_userId_idx" ON "RestoreJob"("userId");
