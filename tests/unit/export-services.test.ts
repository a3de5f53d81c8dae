// The table and audit exports as services, without a server: what the files hold, and that each export is
// audited before its file is handed out (a failed audit write hands out nothing).
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/genesys/gateway.js';
import type { Actor } from '../../src/lib/actor.js';
import { ManualClock } from '../../src/lib/clock.js';
import { AUDIT_EXPORT_MAX, createAuditExport } from '../../src/features/audit/audit-export.js';
import type { AuditEntryView } from '../../src/features/audit/audit-query.js';
import type { AuditInput } from '../../src/features/audit/audit-repository.js';
import type { OrgView } from '../../src/features/orgs/org-service.js';
import { createTableExport, csvCells } from '../../src/features/tables/export-service.js';
import type { TableService } from '../../src/features/tables/table-service.js';

const actor: Actor = { userId: 7, name: 'Vera <v@example.com>', role: 'USER' };
const org = { id: 'org-1' } as OrgView;
const clock = new ManualClock(Date.parse('2026-03-04T10:00:00Z'));

/** An audit service that keeps what it records, or fails every write. */
function recorder(fail = false) {
  const recorded: AuditInput[] = [];
  const record = async (input: AuditInput) => {
    if (fail) throw new Error('disk full');
    recorded.push(input);
  };
  return { recorded, audit: { record } };
}

describe('table export service', () => {
  it('exports a column named constructor when a row has no value there (was a crash in csv-stringify)', () => {
    expect(csvCells(['key', 'constructor', 'toString'], [{ key: 'a' }, { key: 'b', constructor: 'x' }])).toEqual([
      ['a', '', ''],
      ['b', 'x', ''],
    ]);
  });

  const columns = ['key', 'name'];
  const rows: Row[] = [
    { key: 'a', name: '=1+1', secret: 'HIDDEN-a' },
    { key: 'b', name: 'plain', secret: 'HIDDEN-b' },
  ];
  // Like the table service: full rows, visible columns only through `present`.
  const tables = {
    rows: async () => ({
      table: {
        id: 't1',
        name: 'Flags',
        description: '',
        division: { id: 'd', name: 'Home' },
        schema: { properties: { key: { type: 'string' }, name: { type: 'string' }, secret: { type: 'string' } } },
      },
      access: {},
      columns,
      rows,
      present: (r: Row) => ({ ref: String(r.key), values: { key: r.key!, name: r.name! }, fixed: false }),
      loadedAt: new Date(),
    }),
  } as unknown as Pick<TableService, 'rows'>;

  it('exports the matching rows, visible columns only, named by table, date and kind, and records the export', async () => {
    const { audit, recorded } = recorder();
    const exports = createTableExport({ tables, audit, clock });
    const csv = await exports.export(actor, org, 't1', 'csv', { q: 'plain', for: 'exact' });
    expect(csv).toMatchObject({ name: 'Flags 2026-03-04 (exact).csv', contentType: 'text/csv; charset=utf-8' });
    expect(csv.body).toBe('key,name\r\nb,plain\r\n');
    const json = await exports.export(actor, org, 't1', 'json', {});
    expect(json.name).toBe('Flags 2026-03-04.json');
    expect(JSON.parse(json.body)).toEqual({
      table: 'Flags',
      exportedAt: '2026-03-04T10:00:00.000Z',
      columns,
      rows: [
        { key: 'a', name: '=1+1' },
        { key: 'b', name: 'plain' },
      ],
    });
    const spreadsheet = await exports.export(actor, org, 't1', 'csv', {});
    expect(spreadsheet.body).toContain("'=1+1"); // formula-safe by default
    for (const file of [csv, json, spreadsheet]) expect(file.body).not.toContain('HIDDEN');
    expect(recorded).toEqual([
      {
        action: 'table.exported',
        orgId: 'org-1',
        tableId: 't1',
        details: { format: 'csv', csv: 'exact', rows: 1, columns, query: 'q=plain&sort=key' },
      },
      {
        action: 'table.exported',
        orgId: 'org-1',
        tableId: 't1',
        details: { format: 'json', rows: 2, columns, query: 'sort=key' },
      },
      {
        action: 'table.exported',
        orgId: 'org-1',
        tableId: 't1',
        details: { format: 'csv', csv: 'spreadsheet', rows: 2, columns, query: 'sort=key' },
      },
    ]);
  });

  it('hands out no file when the export cannot be recorded', async () => {
    const exports = createTableExport({ tables, audit: recorder(true).audit, clock });
    await expect(exports.export(actor, org, 't1', 'json', {})).rejects.toThrow('disk full');
  });

  it('refuses an unknown CSV kind before reading the table', async () => {
    const exports = createTableExport({
      tables: { rows: () => Promise.reject(new Error('read')) } as unknown as Pick<TableService, 'rows'>,
      audit: recorder().audit,
      clock,
    });
    await expect(exports.export(actor, org, 't1', 'csv', { for: 'raw' })).rejects.toThrow(/for=spreadsheet/);
  });
});

describe('audit export service', () => {
  const entry = (seq: number): AuditEntryView => ({
    seq,
    at: new Date(seq * 1000),
    actorId: 1,
    actorName: 'Ada',
    ip: null,
    action: 'row.updated',
    orgId: 'o',
    tableId: 't',
    rowKey: `=k${seq}`,
    targetUserId: null,
    before: { name: 'x' },
    after: { name: 'y' },
    details: null,
    reason: null,
    batchId: null,
    changeId: null,
    outcome: 'success',
    changed: ['name'],
  });
  /** An audit query with `total` entries, newest first, in pages of 50. */
  const query = (total: number) => ({
    list: async (_a: Actor, f: { before?: number }) => {
      const top = Math.min(f.before === undefined ? total : f.before - 1, total);
      const entries = Array.from({ length: Math.min(50, top) }, (_, i) => entry(top - i));
      return { entries, nextBefore: top - entries.length > 0 ? entries.at(-1)!.seq : null };
    },
  });

  it('reads every page, writes spreadsheet-safe CSV or JSON, and records the export with its size', async () => {
    const { audit, recorded } = recorder();
    const exports = createAuditExport({ auditQuery: query(120), audit, clock });
    const json = await exports.export(actor, {}, 'json');
    expect(json).toMatchObject({ name: 'audit-log 2026-03-04.json', contentType: 'application/json; charset=utf-8' });
    const doc = JSON.parse(json.body) as { exportedAt: string; truncated: boolean; entries: { seq: number }[] };
    expect(doc.exportedAt).toBe('2026-03-04T10:00:00.000Z');
    expect(doc.truncated).toBe(false);
    expect(doc.entries.map((e) => e.seq)).toEqual(Array.from({ length: 120 }, (_, i) => 120 - i));
    const csv = await exports.export(actor, { before: 3 }, 'csv');
    expect(csv.name).toBe('audit-log 2026-03-04.csv');
    expect(csv.body.split('\r\n')[0]).toBe(
      '\uFEFFseq,at,actor,ip,action,outcome,orgId,tableId,rowKey,changed,reason,batchId,before,after',
    );
    expect(csv.body).toContain(",'=k2,name,");
    expect(csv.body.trim().split('\r\n')).toHaveLength(3); // the header and entries 2 and 1
    expect(recorded).toEqual([
      { action: 'audit.exported', details: { format: 'json', entries: 120 } },
      { action: 'audit.exported', details: { format: 'csv', entries: 2 } },
    ]);
  });

  it('stops at the cap and says the file is truncated', async () => {
    const exports = createAuditExport({ auditQuery: query(AUDIT_EXPORT_MAX + 75), audit: recorder().audit, clock });
    const doc = JSON.parse((await exports.export(actor, {}, 'json')).body) as {
      truncated: boolean;
      entries: unknown[];
    };
    expect(doc.truncated).toBe(true);
    expect(doc.entries).toHaveLength(AUDIT_EXPORT_MAX);
  });

  it('hands out no file when the export cannot be recorded', async () => {
    const exports = createAuditExport({ auditQuery: query(3), audit: recorder(true).audit, clock });
    await expect(exports.export(actor, {}, 'csv')).rejects.toThrow('disk full');
  });
});
