-- CreateTable
CREATE TABLE "TableChangePolicy" (
    "orgId" TEXT NOT NULL,
    "tableId" TEXT NOT NULL,
    "tableName" TEXT NOT NULL DEFAULT '',
    "changePolicy" TEXT NOT NULL,
    "approvalsNeeded" INTEGER NOT NULL DEFAULT 1,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("orgId", "tableId")
);

-- CreateTable
CREATE TABLE "ChangeRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "authorId" INTEGER NOT NULL,
    "authorName" TEXT NOT NULL,
    "purpose" TEXT NOT NULL DEFAULT 'change',
    "playbookId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "version" INTEGER NOT NULL DEFAULT 1,
    "approvalsNeeded" INTEGER NOT NULL DEFAULT 0,
    "applyAt" DATETIME,
    "revertAt" DATETIME,
    "heldPhase" TEXT,
    "heldReason" TEXT,
    "batchId" TEXT,
    "revertBatchId" TEXT,
    "jobId" TEXT,
    "submittedAt" DATETIME,
    "appliedAt" DATETIME,
    "revertedAt" DATETIME,
    "closedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ChangeRequestRow" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "requestId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "tableId" TEXT NOT NULL,
    "tableName" TEXT NOT NULL DEFAULT '',
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "original" TEXT,
    "requested" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "theirs" TEXT,
    "message" TEXT,
    "editedById" INTEGER,
    "editedBy" TEXT,
    CONSTRAINT "ChangeRequestRow_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ChangeRequest" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ChangeRequestReview" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "requestId" TEXT NOT NULL,
    "userId" INTEGER NOT NULL,
    "userName" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "version" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ChangeRequestReview_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "ChangeRequest" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Playbook" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "durationMinutes" INTEGER,
    "content" TEXT NOT NULL DEFAULT '[]',
    "version" INTEGER NOT NULL DEFAULT 0,
    "pendingRequestId" TEXT,
    "createdById" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "archivedAt" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_GenesysOrg" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "clientSecretEnc" TEXT,
    "secretKeyId" TEXT,
    "label" TEXT NOT NULL DEFAULT '',
    "color" TEXT NOT NULL DEFAULT 'blue',
    "readOnly" BOOLEAN NOT NULL DEFAULT false,
    "requireReason" BOOLEAN NOT NULL DEFAULT false,
    "backupSchedule" TEXT NOT NULL DEFAULT 'off',
    "backupKeep" INTEGER NOT NULL DEFAULT 7,
    "isSandbox" BOOLEAN NOT NULL DEFAULT false,
    "managedBy" TEXT NOT NULL DEFAULT 'ui',
    "requestsPerMinute" INTEGER NOT NULL DEFAULT 300,
    "timeZone" TEXT NOT NULL DEFAULT 'UTC',
    "changePolicy" TEXT NOT NULL DEFAULT 'direct',
    "approvalsNeeded" INTEGER NOT NULL DEFAULT 1,
    "lateAfterMinutes" INTEGER NOT NULL DEFAULT 15,
    "archivedAt" DATETIME,
    "lastTestedAt" DATETIME,
    "lastTestOk" BOOLEAN,
    "lastTestMessage" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_GenesysOrg" ("archivedAt", "backupKeep", "backupSchedule", "clientId", "clientSecretEnc", "color", "createdAt", "id", "isSandbox", "label", "lastTestMessage", "lastTestOk", "lastTestedAt", "managedBy", "name", "readOnly", "region", "requestsPerMinute", "requireReason", "secretKeyId", "updatedAt") SELECT "archivedAt", "backupKeep", "backupSchedule", "clientId", "clientSecretEnc", "color", "createdAt", "id", "isSandbox", "label", "lastTestMessage", "lastTestOk", "lastTestedAt", "managedBy", "name", "readOnly", "region", "requestsPerMinute", "requireReason", "secretKeyId", "updatedAt" FROM "GenesysOrg";
DROP TABLE "GenesysOrg";
ALTER TABLE "new_GenesysOrg" RENAME TO "GenesysOrg";
CREATE UNIQUE INDEX "GenesysOrg_name_key" ON "GenesysOrg"("name");
CREATE TABLE "new_TablePermission" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "orgId" TEXT NOT NULL,
    "tableId" TEXT NOT NULL,
    "tableName" TEXT NOT NULL DEFAULT '',
    "canView" BOOLEAN NOT NULL DEFAULT false,
    "canEdit" BOOLEAN NOT NULL DEFAULT false,
    "canAdd" BOOLEAN NOT NULL DEFAULT false,
    "canDelete" BOOLEAN NOT NULL DEFAULT false,
    "canApprove" BOOLEAN NOT NULL DEFAULT false,
    "canRunPlaybooks" BOOLEAN NOT NULL DEFAULT false,
    "defaultColumnAccess" TEXT NOT NULL DEFAULT 'hidden',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TablePermission_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_TablePermission" ("canAdd", "canDelete", "canEdit", "canView", "createdAt", "defaultColumnAccess", "id", "orgId", "tableId", "tableName", "updatedAt", "userId") SELECT "canAdd", "canDelete", "canEdit", "canView", "createdAt", "defaultColumnAccess", "id", "orgId", "tableId", "tableName", "updatedAt", "userId" FROM "TablePermission";
DROP TABLE "TablePermission";
ALTER TABLE "new_TablePermission" RENAME TO "TablePermission";
CREATE INDEX "TablePermission_orgId_tableId_idx" ON "TablePermission"("orgId", "tableId");
CREATE UNIQUE INDEX "TablePermission_userId_orgId_tableId_key" ON "TablePermission"("userId", "orgId", "tableId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ChangeRequest_orgId_status_idx" ON "ChangeRequest"("orgId", "status");

-- CreateIndex
CREATE INDEX "ChangeRequest_status_applyAt_idx" ON "ChangeRequest"("status", "applyAt");

-- CreateIndex
CREATE INDEX "ChangeRequest_status_revertAt_idx" ON "ChangeRequest"("status", "revertAt");

-- CreateIndex
CREATE INDEX "ChangeRequest_authorId_status_idx" ON "ChangeRequest"("authorId", "status");

-- CreateIndex
CREATE INDEX "ChangeRequestRow_tableId_key_idx" ON "ChangeRequestRow"("tableId", "key");

-- CreateIndex
CREATE UNIQUE INDEX "ChangeRequestRow_requestId_position_key" ON "ChangeRequestRow"("requestId", "position");

-- CreateIndex
CREATE INDEX "ChangeRequestReview_requestId_idx" ON "ChangeRequestReview"("requestId");

-- CreateIndex
CREATE INDEX "ChangeRequestReview_userId_idx" ON "ChangeRequestReview"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Playbook_orgId_name_key" ON "Playbook"("orgId", "name");
