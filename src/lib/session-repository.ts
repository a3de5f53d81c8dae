// The one place that reads and writes Session rows (the express-session store, session-store.ts, decides
// what they mean: expiry, touching, who may end which).
import type { Db } from '../db/database.js';
import { clientIn, type Transaction } from '../db/transaction.js';

export interface SessionFields {
  userId: number | null;
  data: string;
  expiresAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export function createSessionRepository(db: Db) {
  return {
    find: (sid: string) => db.session.findUnique({ where: { sid } }),
    async delete(sid: string): Promise<void> {
      await db.session.deleteMany({ where: { sid } });
    },
    async save(sid: string, fields: SessionFields, createdAt: Date): Promise<void> {
      await db.session.upsert({ where: { sid }, create: { sid, ...fields, createdAt }, update: fields });
    },
    async extend(sid: string, expiresAt: Date, lastSeenAt: Date): Promise<void> {
      await db.session.updateMany({ where: { sid }, data: { expiresAt, lastSeenAt } });
    },
    /** Ends every session of a user but `exceptSid`; in the caller's transaction when given (user disabled). */
    deleteForUser: async (userId: number, exceptSid?: string, tx?: Transaction) =>
      (
        await clientIn(db, tx).session.deleteMany({
          where: { userId, ...(exceptSid ? { NOT: { sid: exceptSid } } : {}) },
        })
      ).count,
    /** A user's sessions whose row outlives `liveAfter`, most recently seen first. */
    listForUser: (userId: number, liveAfter: Date) =>
      db.session.findMany({
        where: { userId, expiresAt: { gt: liveAfter } },
        select: { sid: true, createdAt: true, lastSeenAt: true, expiresAt: true, ip: true, userAgent: true },
        orderBy: { lastSeenAt: 'desc' },
      }),
    deleteExpired: async (now: Date) => (await db.session.deleteMany({ where: { expiresAt: { lte: now } } })).count,
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;
