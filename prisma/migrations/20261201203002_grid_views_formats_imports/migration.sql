-- AlterTable
ALTER TABLE "User" ADD COLUMN "timeZone" TEXT;

-- CreateTable
CREATE TABLE "ColumnFormat" (
    "orgId" TEXT NOT NULL,
    "tableId" TEXT NOT NULL,
    "column" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "options" TEXT NOT NULL DEFAULT '{}',
    "updatedBy" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("orgId", "tableId", "column")
);

-- CreateTable
CREATE TABLE "SavedView" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" INTEGER NOT NULL,
    "orgId" TEXT NOT NULL,
    "tableId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "GridLayout" (
    "userId" INTEGER NOT NULL,
    "orgId" TEXT NOT NULL,
    "tableId" TEXT NOT NULL,
    "layout" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("userId", "orgId", "tableId")
);

-- CreateTable
CREATE TABLE "ImportDraft" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" INTEGER NOT NULL,
    "orgId" TEXT NOT NULL,
    "tableId" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "allOrNothing" BOOLEAN NOT NULL DEFAULT false,
    "plan" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "jobId" TEXT,
    "requestId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "SavedView_userId_orgId_tableId_idx" ON "SavedView"("userId", "orgId", "tableId");

-- CreateIndex
CREATE INDEX "ImportDraft_userId_createdAt_idx" ON "ImportDraft"("userId", "createdAt");
