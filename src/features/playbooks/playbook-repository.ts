// The one place that reads and writes Playbook records (ADR 016). A playbook's `content` is the JSON of its
// approved rows: only `publish` changes it, and only for the change request it was waiting for.
import type { Db } from '../../db/database.js';
import { clientIn, type Transaction } from '../../db/transaction.js';
import type { Playbook } from '../../db/generated/client.js';

export type { Playbook };

export interface NewPlaybook {
  id: string;
  orgId: string;
  name: string;
  description: string;
  durationMinutes: number | null;
  createdById: number;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === 'P2002';

export function createPlaybookRepository(db: Db) {
  return {
    find: (id: string) => db.playbook.findUnique({ where: { id } }),

    /** An org's playbooks by name; archived ones only when asked for. */
    list: (orgId: string, opts: { archived?: boolean } = {}) =>
      db.playbook.findMany({
        where: { orgId, ...(opts.archived ? {} : { archivedAt: null }) },
        orderBy: { name: 'asc' },
        take: 500,
      }),

    /** A new playbook with no approved content (version 0: it cannot run yet); false when the name is taken. */
    async create(data: NewPlaybook, tx?: Transaction): Promise<Playbook | false> {
      try {
        return await clientIn(db, tx).playbook.create({ data: { ...data, content: '[]', version: 0 } });
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },

    /** Name, description and duration; false when the name is taken. */
    async updateDetails(
      id: string,
      data: { name: string; description: string; durationMinutes: number | null },
      tx?: Transaction,
    ): Promise<Playbook | false> {
      try {
        return await clientIn(db, tx).playbook.update({ where: { id }, data });
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },

    setPending: (id: string, pendingRequestId: string | null, tx?: Transaction) =>
      clientIn(db, tx).playbook.update({ where: { id }, data: { pendingRequestId } }),

    /**
     * New approved content, raising the version, only while the playbook still waits for `requestId` (null:
     * published without a request, under a direct policy). A conditional UPDATE: a request superseded by a
     * newer edit, or published once already, changes nothing (false).
     */
    async publish(id: string, requestId: string | null, content: string, tx?: Transaction): Promise<boolean> {
      const { count } = await clientIn(db, tx).playbook.updateMany({
        where: { id, archivedAt: null, ...(requestId === null ? {} : { pendingRequestId: requestId }) },
        data: { content, version: { increment: 1 }, pendingRequestId: null },
      });
      return count === 1;
    },

    archive: (id: string, at: Date, tx?: Transaction) =>
      clientIn(db, tx).playbook.update({ where: { id }, data: { archivedAt: at, pendingRequestId: null } }),
  };
}

export type PlaybookRepository = ReturnType<typeof createPlaybookRepository>;
