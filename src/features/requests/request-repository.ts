// The one place that reads and writes ChangeRequest, ChangeRequestRow and ChangeRequestReview (ADR 016). JSON
// columns go in and come out parsed as the shapes of request-types.ts. It answers "which requests", never "may
// this person": who may see, edit or approve one is the request service's (request-service.ts) and policy.ts'.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import type { ChangeRequest, ChangeRequestReview, ChangeRequestRow, Prisma } from '../../db/generated/client.js';
import { clientIn, within, type Transaction } from '../../db/transaction.js';
import type { Row } from '../../genesys/gateway.js';
import {
  CLOSED_STATUSES,
  type ChangeRequestRecord,
  type ChangeRequestWithRows,
  type HeldPhase,
  type RequestPurpose,
  type RequestReview,
  type RequestRow,
  type RequestRowState,
  type RequestStatus,
  type ReviewVerdict,
} from './request-types.js';

export interface NewRequestRow {
  tableId: string;
  tableName: string;
  key: string;
  kind: RequestRow['kind'];
  original: Row | null;
  requested: Row | null;
  editedById?: number | null;
  editedBy?: string | null;
}

export interface NewRequest {
  orgId: string;
  title: string;
  reason: string;
  authorId: number;
  authorName: string;
  purpose?: RequestPurpose;
  playbookId?: string | null;
  status?: RequestStatus;
  rows: NewRequestRow[];
}

/** The request's own columns a service may set (status only through `transition`). */
export interface RequestPatch {
  title?: string;
  reason?: string;
  version?: number;
  approvalsNeeded?: number;
  applyAt?: Date | null;
  revertAt?: Date | null;
  heldPhase?: HeldPhase | null;
  heldReason?: string | null;
  batchId?: string | null;
  revertBatchId?: string | null;
  jobId?: string | null;
  submittedAt?: Date | null;
  appliedAt?: Date | null;
  revertedAt?: Date | null;
  closedAt?: Date | null;
}

export interface RowPatch {
  /** Re-approving a held row: what the apply expects becomes what was found there. */
  original?: Row | null;
  requested?: Row | null;
  state?: RequestRowState;
  theirs?: Row | null;
  message?: string | null;
  editedById?: number | null;
  editedBy?: string | null;
}

export interface RequestFilter {
  orgId?: string;
  statuses?: readonly RequestStatus[];
  authorId?: number;
  ids?: readonly string[];
  /** Only a playbook's runs (purpose 'change') or content requests (purpose 'playbook'). */
  playbookId?: string;
  purpose?: RequestPurpose;
  /** Only requests with a row in this table (and, with `keys`, for one of these keys). */
  touching?: { tableId: string; keys?: readonly string[] };
  take?: number;
}

const parseJson = (s: string | null): Row | null => (s === null ? null : (JSON.parse(s) as Row));
const toJson = (v: Row | null | undefined): string | null | undefined =>
  v === undefined ? undefined : v === null ? null : JSON.stringify(v);

export function toRecord(r: ChangeRequest): ChangeRequestRecord {
  return {
    ...r,
    purpose: r.purpose as RequestPurpose,
    status: r.status as RequestStatus,
    heldPhase: r.heldPhase as HeldPhase | null,
  };
}

export function toRow(r: ChangeRequestRow): RequestRow {
  return {
    id: r.id,
    position: r.position,
    tableId: r.tableId,
    tableName: r.tableName,
    key: r.key,
    kind: r.kind as RequestRow['kind'],
    original: parseJson(r.original),
    requested: parseJson(r.requested),
    state: r.state as RequestRowState,
    theirs: parseJson(r.theirs),
    message: r.message,
    editedById: r.editedById,
    editedBy: r.editedBy,
  };
}

function toReview(r: ChangeRequestReview): RequestReview {
  return { ...r, verdict: r.verdict as ReviewVerdict };
}

function rowData(requestId: string, position: number, row: NewRequestRow): Prisma.ChangeRequestRowCreateManyInput {
  return {
    requestId,
    position,
    tableId: row.tableId,
    tableName: row.tableName,
    key: row.key,
    kind: row.kind,
    original: toJson(row.original) ?? null,
    requested: toJson(row.requested) ?? null,
    editedById: row.editedById ?? null,
    editedBy: row.editedBy ?? null,
  };
}

function whereOf(f: RequestFilter): Prisma.ChangeRequestWhereInput {
  return {
    orgId: f.orgId,
    status: f.statuses ? { in: [...f.statuses] } : undefined,
    authorId: f.authorId,
    id: f.ids ? { in: [...f.ids] } : undefined,
    playbookId: f.playbookId,
    purpose: f.purpose,
    rows: f.touching
      ? { some: { tableId: f.touching.tableId, key: f.touching.keys ? { in: [...f.touching.keys] } : undefined } }
      : undefined,
  };
}

const withRows = {
  rows: { orderBy: { position: 'asc' } },
  reviews: { orderBy: { id: 'asc' } },
} as const satisfies Prisma.ChangeRequestInclude;

export function createRequestRepository(db: Db) {
  async function get(id: string, tx?: Transaction): Promise<ChangeRequestWithRows | null> {
    const r = await clientIn(db, tx).changeRequest.findUnique({ where: { id }, include: withRows });
    return r ? { ...toRecord(r), rows: r.rows.map(toRow), reviews: r.reviews.map(toReview) } : null;
  }

  return {
    get,

    async create(input: NewRequest, tx?: Transaction): Promise<ChangeRequestWithRows> {
      const id = randomUUID();
      await within(db, tx, async (client) => {
        const { rows, ...request } = input;
        await client.changeRequest.create({ data: { ...request, id } });
        if (rows.length > 0)
          await client.changeRequestRow.createMany({ data: rows.map((row, i) => rowData(id, i + 1, row)) });
      });
      return (await get(id, tx))!;
    },

    /** Newest first (at most `take`, default 200), without rows or reviews. */
    async list(filter: RequestFilter, tx?: Transaction): Promise<ChangeRequestRecord[]> {
      const rows = await clientIn(db, tx).changeRequest.findMany({
        where: whereOf(filter),
        orderBy: { createdAt: 'desc' },
        take: filter.take ?? 200,
      });
      return rows.map(toRecord);
    },

    /** Like list, with each request's rows and reviews. */
    async listWithRows(filter: RequestFilter, tx?: Transaction): Promise<ChangeRequestWithRows[]> {
      const rows = await clientIn(db, tx).changeRequest.findMany({
        where: whereOf(filter),
        orderBy: { createdAt: 'desc' },
        take: filter.take ?? 200,
        include: withRows,
      });
      return rows.map((r) => ({ ...toRecord(r), rows: r.rows.map(toRow), reviews: r.reviews.map(toReview) }));
    },

    /**
     * The once-only claim: moves the request to `to` only if its status is still one of `from`, in one UPDATE.
     * False when someone else moved it first (a racing approval, a second scheduler pass): the caller stops.
     */
    async transition(
      id: string,
      from: readonly RequestStatus[],
      to: RequestStatus,
      patch: RequestPatch = {},
      tx?: Transaction,
    ): Promise<boolean> {
      const { count } = await clientIn(db, tx).changeRequest.updateMany({
        where: { id, status: { in: [...from] } },
        data: { ...patch, status: to },
      });
      return count === 1;
    },

    /** Sets columns other than the status (use `transition` to change that). */
    async update(id: string, patch: RequestPatch, tx?: Transaction): Promise<ChangeRequestRecord> {
      return toRecord(await clientIn(db, tx).changeRequest.update({ where: { id }, data: patch }));
    },

    async updateRow(rowId: number, patch: RowPatch, tx?: Transaction): Promise<RequestRow> {
      const { original, requested, theirs, ...plain } = patch;
      const row = await clientIn(db, tx).changeRequestRow.update({
        where: { id: rowId },
        data: { ...plain, original: toJson(original), requested: toJson(requested), theirs: toJson(theirs) },
      });
      return toRow(row);
    },

    /** Sets the state (and message) of every row of a request now in one of `from`. */
    async updateRowStates(
      requestId: string,
      from: readonly RequestRowState[],
      to: RequestRowState,
      tx?: Transaction,
    ): Promise<number> {
      const { count } = await clientIn(db, tx).changeRequestRow.updateMany({
        where: { requestId, state: { in: [...from] } },
        data: { state: to },
      });
      return count;
    },

    /**
     * Appends rows after the last position. Rows already there are never renumbered: with the batch id their
     * position derives the change ids of an apply (rows are only added or removed before any apply).
     */
    async addRows(requestId: string, rows: NewRequestRow[], tx?: Transaction): Promise<void> {
      if (rows.length === 0) return;
      await within(db, tx, async (client) => {
        const last = await client.changeRequestRow.aggregate({ where: { requestId }, _max: { position: true } });
        const start = (last._max.position ?? 0) + 1;
        await client.changeRequestRow.createMany({ data: rows.map((row, i) => rowData(requestId, start + i, row)) });
      });
    },

    async removeRow(requestId: string, rowId: number, tx?: Transaction): Promise<boolean> {
      const { count } = await clientIn(db, tx).changeRequestRow.deleteMany({ where: { id: rowId, requestId } });
      return count === 1;
    },

    async addReview(
      requestId: string,
      review: { userId: number; userName: string; verdict: ReviewVerdict; comment: string; version: number; at?: Date },
      tx?: Transaction,
    ): Promise<RequestReview> {
      return toReview(await clientIn(db, tx).changeRequestReview.create({ data: { ...review, requestId } }));
    },

    /**
     * What the scheduler has to start now: approved requests whose apply time has come, applied ones whose
     * revert time has. Two indexed range queries ([status, applyAt], [status, revertAt]); nothing due: empty.
     */
    async due(now: Date, take = 100): Promise<{ apply: ChangeRequestRecord[]; revert: ChangeRequestRecord[] }> {
      const [apply, revert] = await Promise.all([
        db.changeRequest.findMany({
          where: { status: 'approved', applyAt: { lte: now } },
          orderBy: { applyAt: 'asc' },
          take,
        }),
        db.changeRequest.findMany({
          where: { status: 'applied', revertAt: { lte: now } },
          orderBy: { revertAt: 'asc' },
          take,
        }),
      ]);
      return { apply: apply.map(toRecord), revert: revert.map(toRecord) };
    },

    /** Requests not closed (drafts excluded: nobody else sees them) with a row in the table: banners. */
    async openTouching(orgId: string, tableId: string, keys?: readonly string[]): Promise<ChangeRequestWithRows[]> {
      const open = await db.changeRequest.findMany({
        where: {
          orgId,
          status: { notIn: [...CLOSED_STATUSES, 'draft'] },
          rows: { some: { tableId, key: keys ? { in: [...keys] } : undefined } },
        },
        orderBy: { createdAt: 'desc' },
        take: 200,
        include: withRows,
      });
      return open.map((r) => ({ ...toRecord(r), rows: r.rows.map(toRow), reviews: r.reviews.map(toReview) }));
    },

    /**
     * Requests with an apply or revert time in [from, to) that may still happen (the calendar): not closed,
     * not drafts. Earliest first.
     */
    async scheduledBetween(orgId: string, from: Date, to: Date): Promise<ChangeRequestRecord[]> {
      const rows = await db.changeRequest.findMany({
        where: {
          orgId,
          status: { notIn: [...CLOSED_STATUSES, 'draft'] },
          OR: [{ applyAt: { gte: from, lt: to } }, { revertAt: { gte: from, lt: to } }],
        },
        orderBy: { applyAt: 'asc' },
        take: 1000,
      });
      return rows.map(toRecord);
    },
  };
}

export type RequestRepository = ReturnType<typeof createRequestRepository>;
