-- Retention: entries at or below the published prune point (AppSetting audit.prunedThroughSeq, written in
-- the same transaction as the deletion by src/features/audit/audit-retention.ts) may be deleted; every
-- other DELETE is still refused. Hand-written: Prisma's schema language has no triggers.
DROP TRIGGER "AuditEvent_no_delete";

CREATE TRIGGER "AuditEvent_no_delete" BEFORE DELETE ON "AuditEvent"
WHEN OLD."seq" > COALESCE((SELECT CAST("value" AS INTEGER) FROM "AppSetting" WHERE "key" = 'audit.prunedThroughSeq'), 0)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
