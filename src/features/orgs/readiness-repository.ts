// The one place that reads and writes OrgReadiness (an org's last readiness check); the row goes with its
// org when the org is deleted (org-repository.ts).
import type { Db } from '../../db/database.js';

export function createReadinessRepository(db: Db) {
  return {
    /** The stored report (JSON text) of the org's last check, or null. */
    latest: async (orgId: string) => (await db.orgReadiness.findUnique({ where: { orgId } }))?.report ?? null,

    async save(orgId: string, data: { checkedAt: Date; writeChecks: boolean; report: string }): Promise<void> {
      await db.orgReadiness.upsert({ where: { orgId }, create: { orgId, ...data }, update: data });
    },
  };
}

export type ReadinessRepository = ReturnType<typeof createReadinessRepository>;
