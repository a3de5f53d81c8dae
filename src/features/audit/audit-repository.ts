// Appends to the hash-chained audit log. Each event's hash covers the previous event's hash and this event's
// content (canonical JSON), so editing or removing an entry breaks the chain from that point on.
import { createHash } from 'node:crypto';
import type { Db } from '../../db/database.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  action: string;
  orgId?: string | null;
  tableId?: string | null;
  rowKey?: string | null;
  targetUserId?: number | null;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  reason?: string | null;
  batchId?: string | null;
  changeId?: string | null;
  outcome?: string | null;
}

export interface AuditActorFields {
  actorId: number | null;
  actorName: string;
  ip: string | null;
  requestId: string | null;
}

/** JSON with object keys sorted at every level, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export interface StoredEventFields {
  seq: number;
  at: Date;
  actorId: number | null;
  actorName: string;
  ip: string | null;
  requestId: string | null;
  action: string;
  orgId: string | null;
  tableId: string | null;
  rowKey: string | null;
  targetUserId: number | null;
  before: string | null;
  after: string | null;
  details: string | null;
  reason: string | null;
  batchId: string | null;
  changeId: string | null;
  outcome: string | null;
  prevHash: string;
}

export function eventHash(e: StoredEventFields): string {
  const { prevHash, ...content } = e;
  return createHash('sha256').update(prevHash).update(canonicalJson({ ...content, at: e.at.toISOString() })).digest('hex');
}

export function createAuditRepository(db: Db) {
  return {
    async append(input: AuditInput, actor: AuditActorFields, at: Date) {
      return (await this.appendMany([input], actor, at))[0]!;
    },

    /** Appends entries in order in one transaction: read the chain head once, chain each after the last. */
    async appendMany(inputs: AuditInput[], actor: AuditActorFields, at: Date) {
      // The adapter serialises transactions, so no other append can slip between the head read and the writes.
      return db.$transaction(async (tx) => {
        let head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
        const created = [];
        for (const input of inputs) {
          const fields: StoredEventFields = {
            seq: (head?.seq ?? 0) + 1,
            at,
            ...actor,
            action: input.action,
            orgId: input.orgId ?? null,
            tableId: input.tableId ?? null,
            rowKey: input.rowKey ?? null,
            targetUserId: input.targetUserId ?? null,
            before: json(input.before),
            after: json(input.after),
            details: json(input.details),
            reason: input.reason ?? null,
            batchId: input.batchId ?? null,
            changeId: input.changeId ?? null,
            outcome: input.outcome ?? null,
            prevHash: head?.hash ?? GENESIS_HASH,
          };
          const event = await tx.auditEvent.create({ data: { ...fields, hash: eventHash(fields) } });
          created.push(event);
          head = event;
        }
        return created;
      });
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
