// Audit entries of no real kind, for tests of the chain, retention and paging, which hold for any entry. They are
// outside the AuditEvent union on purpose (as an entry a later version records would be to this one), so the
// cast is here once, and only for `test.*` names.
import type { AuditInput } from '../../src/features/audit/audit-service.js';

export const fillerEntry = (action: `test.${string}`, details?: Record<string, number>): AuditInput =>
  ({ action, ...(details ? { details } : {}) }) as unknown as AuditInput;
