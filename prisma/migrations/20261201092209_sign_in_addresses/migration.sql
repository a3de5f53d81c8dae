-- CreateTable
CREATE TABLE "SignInAddress" (
    "userId" INTEGER NOT NULL,
    "ip" TEXT NOT NULL,
    "lastSuccessAt" DATETIME,
    "failedSinceSuccess" INTEGER NOT NULL DEFAULT 0,
    "lastFailedAt" DATETIME,

    PRIMARY KEY ("userId", "ip"),
    CONSTRAINT "SignInAddress_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
