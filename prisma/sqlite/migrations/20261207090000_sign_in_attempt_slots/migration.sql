-- Sign-in delays (issue 14): one row per attempt, taken before the password check,
-- instead of one row per key after it. The old rows only fed the 15-minute lock and
-- cannot be converted (they do not say which user name and client belonged together).
DROP TABLE "LoginAttempt";

-- CreateTable
CREATE TABLE "LoginAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "client" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "LoginAttempt_username_at_idx" ON "LoginAttempt"("username", "at");

-- CreateIndex
CREATE INDEX "LoginAttempt_client_at_idx" ON "LoginAttempt"("client", "at");

-- CreateIndex
CREATE INDEX "LoginAttempt_at_idx" ON "LoginAttempt"("at");
