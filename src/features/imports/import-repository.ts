// The one place that reads and writes ImportDraft rows: an uploaded file as the dry run read it (the parsed
// sheet, so the mapping can be changed without uploading again) and what applying it would do (the plan),
// kept until it is applied, turned into a change request, or expires. Every read names the owner: a draft is
// only ever found for the person who made it.
import type { Db } from '../../db/database.js';
import type { ImportMode, ImportPlan, ParsedSheet } from './import-types.js';

export const DRAFT_STATUSES = ['draft', 'applying', 'applied', 'requested', 'expired'] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

/** What ImportDraft.plan holds: the plan of the last dry run and the sheet it was made from. */
export interface DraftContent {
  plan: ImportPlan;
  sheet: ParsedSheet;
}

export interface StoredDraft extends DraftContent {
  id: string;
  userId: number;
  orgId: string;
  tableId: string;
  fileName: string;
  mode: ImportMode;
  allOrNothing: boolean;
  status: DraftStatus;
  jobId: string | null;
  requestId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

type Row = Awaited<ReturnType<Db['importDraft']['findFirst']>> & object;

function read(row: Row): StoredDraft {
  const content = JSON.parse(row.plan) as DraftContent;
  return {
    id: row.id,
    userId: row.userId,
    orgId: row.orgId,
    tableId: row.tableId,
    fileName: row.fileName,
    mode: row.mode as ImportMode,
    allOrNothing: row.allOrNothing,
    status: row.status as DraftStatus,
    jobId: row.jobId,
    requestId: row.requestId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    plan: content.plan,
    sheet: content.sheet,
  };
}

export function createImportRepository(db: Db) {
  return {
    async create(d: Omit<StoredDraft, 'status' | 'jobId' | 'requestId'>): Promise<void> {
      await db.importDraft.create({
        data: {
          id: d.id,
          userId: d.userId,
          orgId: d.orgId,
          tableId: d.tableId,
          fileName: d.fileName,
          mode: d.mode,
          allOrNothing: d.allOrNothing,
          plan: JSON.stringify({ plan: d.plan, sheet: d.sheet } satisfies DraftContent),
          createdAt: d.createdAt,
          expiresAt: d.expiresAt,
        },
      });
    },

    /** The owner's draft (anyone else's id finds nothing). */
    async findOwn(userId: number, id: string): Promise<StoredDraft | null> {
      const row = await db.importDraft.findFirst({ where: { id, userId } });
      return row ? read(row) : null;
    },

    /** A new plan for a draft still waiting (another mapping, mode or all-or-nothing choice). */
    async replan(
      userId: number,
      id: string,
      change: { plan: ImportPlan; sheet: ParsedSheet; mode: ImportMode; allOrNothing: boolean },
    ): Promise<boolean> {
      const { count } = await db.importDraft.updateMany({
        where: { id, userId, status: 'draft' },
        data: {
          plan: JSON.stringify({ plan: change.plan, sheet: change.sheet } satisfies DraftContent),
          mode: change.mode,
          allOrNothing: change.allOrNothing,
        },
      });
      return count === 1;
    },

    /**
     * Moves a waiting draft on (applying with its job, or requested with its request). Only one apply wins:
     * the update names the status it expects, so two clicks on Apply start one job.
     */
    async claim(userId: number, id: string): Promise<boolean> {
      const { count } = await db.importDraft.updateMany({
        where: { id, userId, status: 'draft' },
        data: { status: 'applying' },
      });
      return count === 1;
    },

    async settle(id: string, data: { status: DraftStatus; jobId?: string; requestId?: string }): Promise<void> {
      await db.importDraft.update({ where: { id }, data });
    },

    /** Drafts past their expiry that were never applied: their plans (rows of a file) are not kept. */
    async removeExpired(now: Date): Promise<number> {
      const { count } = await db.importDraft.deleteMany({ where: { expiresAt: { lt: now }, status: 'draft' } });
      return count;
    },
  };
}

export type ImportRepository = ReturnType<typeof createImportRepository>;
