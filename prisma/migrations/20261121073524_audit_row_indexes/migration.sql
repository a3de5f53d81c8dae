-- CreateIndex
CREATE INDEX "AuditEvent_tableId_rowKey_idx" ON "AuditEvent"("tableId", "rowKey");

-- CreateIndex
CREATE INDEX "AuditEvent_rowKey_idx" ON "AuditEvent"("rowKey");
