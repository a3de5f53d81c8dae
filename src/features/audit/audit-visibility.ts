// What one reader may see of one audit entry. Administrators see entries whole. A user sees only row and
// table entries of tables they may view (never rights, users, sign-ins, backups or the audit log itself:
// nothing about other users), and of those only an allowlist of fields, each passed through the one
// column rule of permissions/access.ts: values and names of hidden columns, hidden keys (shown as the
// table pages' opaque handles), other people's IP addresses and search queries are left out.
import type { AuditEvent } from '../../db/generated/client.js';
import { canSeeColumn, type StoredRights } from '../permissions/access.js';
import { ROW_CHANGE_ACTIONS, type AuditAction } from './audit-events.js';

/** Entry kinds a non-admin may see, when they are about a table the user may view. */
export const USER_VISIBLE_ACTIONS: readonly string[] = [
  ...ROW_CHANGE_ACTIONS,
  'row.renamed',
  'table.exported',
  'table.created',
] satisfies AuditAction[];

/**
 * A user's own backup entries, shown to her (they are about no one else). Her backups and restores hold only
 * what she could see when she made them; their details are shown through OWN_BACKUP_DETAILS.
 */
export const OWN_BACKUP_ACTIONS: readonly string[] = [
  'backup.created',
  'backup.restored',
  'backup.uploaded',
  'backup.downloaded',
  'backup.deleted',
] satisfies AuditAction[];
const OWN_BACKUP_DETAILS = new Set([
  'backupId',
  'kind',
  'tables',
  'rows',
  'partial',
  'exact',
  'changes',
  'failures',
  'preRestoreBackupId',
  'madeAt',
  'madeBy',
  'origin',
  'size',
]);

export interface AuditEntryView {
  seq: number;
  at: Date;
  actorId: number | null;
  actorName: string;
  ip: string | null;
  action: string;
  orgId: string | null;
  tableId: string | null;
  rowKey: string | null;
  targetUserId: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
  reason: string | null;
  batchId: string | null;
  changeId: string | null;
  outcome: string | null;
  /** Columns whose values differ between before and after (visible ones only). */
  changed: string[];
  /** On the one-line-per-change list: how the intent's write ended (a ChangeState, or 'pending'). */
  result?: string;
}

/** Who reads: `rights` on the entry's table (null: an administrator). */
export interface AuditReader {
  userId: number;
  rights: StoredRights | null;
  /** The opaque name of a row of the entry's table, for readers who may not see its key. */
  keyHandle: (key: string) => string;
  /** The intent of the entry's change (its rows name what an outcome's message may mention). */
  intent?: AuditEvent | null;
}

type Json = Record<string, unknown>;
const parse = (json: string | null) => (json ? (JSON.parse(json) as Json) : null);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Shortest hidden value replaced in messages: shorter ones cannot be told apart from other text. */
const MIN_REDACTED_LENGTH = 3;

/**
 * Whether a user with `rights` on the entry's table may see a row change at all. An update that changed only
 * columns hidden from her is not shown (nor its outcomes, judged by the change's `intent`): before would
 * equal after, yet the entry would tell her that a hidden column changed, when and by whom.
 */
export function changeIsVisible(e: AuditEvent, intent: AuditEvent | null, rights: StoredRights | null): boolean {
  if (rights === null) return true;
  const change = e.outcome === 'intent' ? e : intent;
  if (!change || change.action !== 'row.updated') return true;
  const changed = changedColumns(change);
  return changed.length === 0 || changed.some((c) => canSeeColumn(rights, c));
}

/** The columns a recorded update wrote: as it recorded them, else the difference of before and after. */
function changedColumns(e: AuditEvent): string[] {
  const listed = parse(e.details)?.changed;
  if (Array.isArray(listed)) return listed.filter((c): c is string => typeof c === 'string');
  const before = parse(e.before) ?? {};
  const after = parse(e.after) ?? {};
  const columns = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...columns].filter((c) => JSON.stringify(before[c]) !== JSON.stringify(after[c]));
}

/**
 * The stored fields of an entry a user's view starts from: not the chain's hashes (an administrator's
 * concern), and the request id only of her own requests. (Views are exported whole as JSON, so a field left
 * here would reach her file even though no page shows it.)
 */
function userFields(e: AuditEvent) {
  const { hash: _hash, prevHash: _prevHash, requestId: _requestId, ...fields } = e;
  return fields;
}

/** A user's own backup entry: no rows or columns in it, only the allowlisted facts about her backup. */
export function ownBackupEntry(e: AuditEvent): AuditEntryView {
  const details = parse(e.details);
  const shown = details ? Object.fromEntries(Object.entries(details).filter(([k]) => OWN_BACKUP_DETAILS.has(k))) : null;
  return withChanged({
    ...userFields(e),
    ...{ requestId: e.requestId }, // her own entry
    targetUserId: null,
    before: null,
    after: null,
    details: shown,
  });
}

export function entryForReader(e: AuditEvent, reader: AuditReader): AuditEntryView {
  const { rights } = reader;
  if (rights === null)
    return withChanged({ ...e, before: parse(e.before), after: parse(e.after), details: parse(e.details) });
  const see = (column: string) => canSeeColumn(rights, column);
  const keyHidden = !see('key');
  const keyName = (key: unknown) => (typeof key !== 'string' ? null : keyHidden ? reader.keyHandle(key) : key);
  const visibleRow = (row: unknown): Json | null =>
    isObject(row) ? Object.fromEntries(Object.entries(row).filter(([c]) => see(c))) : null;
  const visibleNames = (names: unknown) =>
    Array.isArray(names) ? names.filter((c): c is string => typeof c === 'string' && see(c)) : [];
  const details = parse(e.details);
  const own = e.actorId === reader.userId;
  const redact = hiddenTermsRedactor(reader.intent ?? (e.outcome === 'intent' ? e : null), details, see, keyName);
  // Allowlist: a detail field not named here is not shown to users at all.
  const fields = new Map<string, (v: unknown) => unknown>([
    ['changed', visibleNames],
    ['columns', visibleNames],
    ['current', visibleRow],
    ['from', keyName],
    ['to', keyName],
    ['message', (v) => (typeof v === 'string' && redact ? redact(v) : undefined)],
    ['query', (v) => (own ? v : undefined)],
    ...['reverts', 'restoresTo', 'reconciledSeq', 'forced', 'format', 'csv', 'rows', 'name', 'request', 'playbook'].map(
      (k) => [k, (v: unknown) => v] as [string, (v: unknown) => unknown],
    ),
  ]);
  const shownDetails = details
    ? Object.fromEntries(
        Object.entries(details).flatMap(([k, v]) => {
          const show = fields.get(k);
          const value = show ? show(v) : undefined;
          return value === undefined ? [] : [[k, value]];
        }),
      )
    : null;
  return withChanged({
    ...userFields(e),
    ...(own ? { requestId: e.requestId } : {}),
    ip: own ? e.ip : null,
    targetUserId: null,
    rowKey: keyName(e.rowKey),
    reason:
      e.reason && keyHidden
        ? redactKeys(
            e.reason,
            [e.rowKey, ...renamedKeys(details), ...renamedKeys(parse(reader.intent?.details ?? null))],
            keyName,
          )
        : e.reason,
    before: visibleRow(parse(e.before)),
    after: visibleRow(parse(e.after)),
    details: shownDetails,
  });
}

function withChanged(v: Omit<AuditEntryView, 'changed'>): AuditEntryView {
  const keys = new Set([...Object.keys(v.before ?? {}), ...Object.keys(v.after ?? {})]);
  const changed = [...keys].filter((k) => JSON.stringify(v.before?.[k]) !== JSON.stringify(v.after?.[k]));
  return { ...v, changed };
}

/** The keys a rename's entries name (its reasons name the other key). */
const renamedKeys = (details: Json | null) => [details?.from, details?.to];

/** Replaces raw keys in a text (a rename's reason names both keys) by their handles. */
function redactKeys(text: string, keys: unknown[], keyName: (key: unknown) => string | null): string {
  let out = text;
  for (const key of keys) if (typeof key === 'string' && key.length) out = out.split(key).join(keyName(key) ?? '');
  return out;
}

/**
 * A Genesys error message may quote a column name or a value: it is shown with the hidden columns' names and
 * values (from the change's own rows) and a hidden key replaced. Without the change's rows there is no
 * telling what the message names, so it is not shown (undefined).
 */
function hiddenTermsRedactor(
  intent: AuditEvent | null,
  details: Json | null,
  see: (c: string) => boolean,
  keyName: (key: unknown) => string | null,
) {
  if (!intent) return undefined;
  const rows = [parse(intent.before), parse(intent.after), isObject(details?.current) ? details.current : null].filter(
    isObject,
  );
  const terms = new Set<string>();
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (see(column) || column === 'key') continue; // (a hidden key is replaced by its handle below)
      terms.add(column);
      if (value !== null && String(value).length >= MIN_REDACTED_LENGTH) terms.add(String(value));
    }
  }
  const key = intent.rowKey;
  return (message: string) => {
    let out = key && !see('key') ? redactKeys(message, [key], keyName) : message;
    for (const term of [...terms].sort((a, b) => b.length - a.length)) out = out.split(term).join('[hidden]');
    return out;
  };
}
