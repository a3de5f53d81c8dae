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
    "archivedAt" DATETIME,
    "lastTestedAt" DATETIME,
    "lastTestOk" BOOLEAN,
    "lastTestMessage" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_GenesysOrg" ("archivedAt", "clientId", "clientSecretEnc", "color", "createdAt", "id", "isSandbox", "label", "lastTestMessage", "lastTestOk", "lastTestedAt", "managedBy", "name", "readOnly", "region", "requestsPerMinute", "requireReason", "secretKeyId", "updatedAt") SELECT "archivedAt", "clientId", "clientSecretEnc", "color", "createdAt", "id", "isSandbox", "label", "lastTestMessage", "lastTestOk", "lastTestedAt", "managedBy", "name", "readOnly", "region", "requestsPerMinute", "requireReason", "secretKeyId", "updatedAt" FROM "GenesysOrg";
DROP TABLE "GenesysOrg";
ALTER TABLE "new_GenesysOrg" RENAME TO "GenesysOrg";
CREATE UNIQUE INDEX "GenesysOrg_name_key" ON "GenesysOrg"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
