-- CreateTable
CREATE TABLE "TablePermission" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "userId" INTEGER NOT NULL,
    "orgId" TEXT NOT NULL,
    "tableId" TEXT NOT NULL,
    "tableName" TEXT NOT NULL DEFAULT '',
    "canView" BOOLEAN NOT NULL DEFAULT false,
    "canEdit" BOOLEAN NOT NULL DEFAULT false,
    "canAdd" BOOLEAN NOT NULL DEFAULT false,
    "canDelete" BOOLEAN NOT NULL DEFAULT false,
    "defaultColumnAccess" TEXT NOT NULL DEFAULT 'hidden',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TablePermission_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ColumnPermission" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tablePermissionId" INTEGER NOT NULL,
    "column" TEXT NOT NULL,
    "access" TEXT NOT NULL,
    CONSTRAINT "ColumnPermission_tablePermissionId_fkey" FOREIGN KEY ("tablePermissionId") REFERENCES "TablePermission" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" INTEGER,
    "actorName" TEXT NOT NULL DEFAULT '',
    "ip" TEXT,
    "requestId" TEXT,
    "action" TEXT NOT NULL,
    "orgId" TEXT,
    "tableId" TEXT,
    "rowKey" TEXT,
    "targetUserId" INTEGER,
    "before" TEXT,
    "after" TEXT,
    "details" TEXT,
    "reason" TEXT,
    "batchId" TEXT,
    "changeId" TEXT,
    "outcome" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateIndex
CREATE INDEX "TablePermission_orgId_tableId_idx" ON "TablePermission"("orgId", "tableId");

-- CreateIndex
CREATE UNIQUE INDEX "TablePermission_userId_orgId_tableId_key" ON "TablePermission"("userId", "orgId", "tableId");

-- CreateIndex
CREATE UNIQUE INDEX "ColumnPermission_tablePermissionId_column_key" ON "ColumnPermission"("tablePermissionId", "column");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_hash_key" ON "AuditEvent"("hash");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_tableId_rowKey_idx" ON "AuditEvent"("orgId", "tableId", "rowKey");

-- CreateIndex
CREATE INDEX "AuditEvent_actorId_idx" ON "AuditEvent"("actorId");

-- CreateIndex
CREATE INDEX "AuditEvent_action_idx" ON "AuditEvent"("action");

-- CreateIndex
CREATE INDEX "AuditEvent_changeId_idx" ON "AuditEvent"("changeId");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- The audit log is append-only: history is never edited or removed through SQL (hand-written; Prisma's
-- schema language has no triggers, and its diff ignores them).
CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent"
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER "AuditEvent_no_delete" BEFORE DELETE ON "AuditEvent"
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
