// What the database remembers about where an account signs in from (model SignInAddress):
//  - addresses it signed in from successfully ("known": they skip the per-account slowdown), for a while;
//  - failed sign-ins since its last successful one, per address, so the next success can tell the owner.
// Both survive restarts, unlike the throttling counters. The one place that reads and writes SignInAddress.
import type { Db } from '../../db/database.js';

/** An address stays known this long after its last successful sign-in. */
export const KNOWN_ADDRESS_DAYS = 90;
/** At most this many addresses are named in the report; the rest are counted. */
const NAMED_ADDRESSES = 5;

export interface FailedSignInReport {
  count: number;
  lastAt: Date;
  /** The addresses with the most recent failures first (at most NAMED_ADDRESSES). */
  ips: string[];
  /** How many addresses there were in all. */
  addressCount: number;
}

export function createSignInAddresses(db: Db) {
  return {
    async isKnown(userId: number, ip: string, now: Date): Promise<boolean> {
      const since = new Date(now.getTime() - KNOWN_ADDRESS_DAYS * 86_400_000);
      const row = await db.signInAddress.findUnique({
        where: { userId_ip: { userId, ip } },
        select: { lastSuccessAt: true },
      });
      return !!row?.lastSuccessAt && row.lastSuccessAt >= since;
    },

    async recordFailure(userId: number, ip: string, now: Date): Promise<void> {
      await db.signInAddress.upsert({
        where: { userId_ip: { userId, ip } },
        create: { userId, ip, failedSinceSuccess: 1, lastFailedAt: now },
        update: { failedSinceSuccess: { increment: 1 }, lastFailedAt: now },
      });
    },

    /**
     * Marks `ip` as known and returns the failures since the previous success (null when there were none),
     * clearing them: in one transaction, so a failure is reported exactly once.
     */
    async recordSuccess(userId: number, ip: string, now: Date): Promise<FailedSignInReport | null> {
      const forgetBefore = new Date(now.getTime() - KNOWN_ADDRESS_DAYS * 86_400_000);
      return db.$transaction(async (tx) => {
        const failed = await tx.signInAddress.findMany({
          where: { userId, failedSinceSuccess: { gt: 0 } },
          orderBy: { lastFailedAt: 'desc' },
          select: { ip: true, failedSinceSuccess: true, lastFailedAt: true },
        });
        await tx.signInAddress.updateMany({
          where: { userId, failedSinceSuccess: { gt: 0 } },
          data: { failedSinceSuccess: 0, lastFailedAt: null },
        });
        await tx.signInAddress.upsert({
          where: { userId_ip: { userId, ip } },
          create: { userId, ip, lastSuccessAt: now },
          update: { lastSuccessAt: now },
        });
        // Rows now say nothing: no recent success and no failures.
        await tx.signInAddress.deleteMany({
          where: {
            userId,
            failedSinceSuccess: 0,
            OR: [{ lastSuccessAt: null }, { lastSuccessAt: { lt: forgetBefore } }],
          },
        });
        if (!failed.length) return null;
        return {
          count: failed.reduce((n, r) => n + r.failedSinceSuccess, 0),
          lastAt: failed[0]!.lastFailedAt ?? now,
          ips: failed.slice(0, NAMED_ADDRESSES).map((r) => r.ip),
          addressCount: failed.length,
        };
      });
    },
  };
}

export type SignInAddresses = ReturnType<typeof createSignInAddresses>;
