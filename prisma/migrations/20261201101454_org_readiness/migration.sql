-- CreateTable
CREATE TABLE "OrgReadiness" (
    "orgId" TEXT NOT NULL PRIMARY KEY,
    "checkedAt" DATETIME NOT NULL,
    "writeChecks" BOOLEAN NOT NULL DEFAULT false,
    "report" TEXT NOT NULL
);
