// What a restore would do, before anything is written (backups/restore-plan.ts): rows to add, update (only the
// columns that differ by meaning), delete (only "exactly like the backup") or leave; the write method; the
// rights the plan needs; and, for a person who is not an administrator, nothing compared that they cannot see.
import { describe, expect, it } from 'vitest';
import type { BackupDocument, BackupTable } from '../../src/features/backups/backup-format.js';
import {
  changesOf,
  HIDDEN_KEY_PROBLEM,
  planRestore,
  type RestoreOptions,
  type TablePlan,
} from '../../src/features/backups/restore-plan.js';
import { chooseMethod, IMPORT_MIN_ROWS, writeCalls } from '../../src/features/changes/write-method.js';
import type { OrgView } from '../../src/features/orgs/org-service.js';
import { NO_RIGHTS, resolveAccess, type StoredRights } from '../../src/features/permissions/access.js';
import type { TableService } from '../../src/features/tables/table-service.js';
import type { DataTable, Row, TableSchema } from '../../src/genesys/gateway.js';
import { actorFor, type Actor } from '../../src/lib/actor.js';

const schema = {
  required: ['key'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', displayOrder: 0 },
    Message: { type: 'string', displayOrder: 1, default: 'none' },
    Priority: { type: 'integer', displayOrder: 2 },
    Secret: { type: 'string', displayOrder: 3 },
  },
} as unknown as TableSchema;

const FLAGS: DataTable = {
  id: 'tbl-flags',
  name: 'Flags',
  description: '',
  division: { id: 'div-home', name: 'Home' },
  schema,
};
const ADMIN = actorFor({ id: 1, email: 'a@example.com', displayName: 'Ada', role: 'ADMIN' });
const USER = actorFor({ id: 2, email: 'u@example.com', displayName: 'Uma', role: 'USER' });
const ORG = { id: 'org-1', name: 'Acme Prod', readOnly: false } as OrgView;
const EVERY_RIGHT: StoredRights = {
  ...NO_RIGHTS,
  canView: true,
  canEdit: true,
  canAdd: true,
  canDelete: true,
  defaultColumnAccess: 'write',
};

/** The two reads planning makes through the table service: the tables the person sees, and a table's rows. */
function tablesOf(live: Row[], opts: { rights?: StoredRights; org?: OrgView } = {}) {
  const org = opts.org ?? ORG;
  const fake = {
    async listTables(actor: Actor) {
      const access = resolveAccess({
        isAdmin: actor.role === 'ADMIN',
        orgReadOnly: org.readOnly,
        orgName: org.name,
        rights: opts.rights ?? null,
        schema,
      });
      return access.canView ? [{ table: FLAGS, access }] : [];
    },
    async rows() {
      return { rows: live.map((r) => ({ ...r })) };
    },
  };
  return { tables: fake as unknown as TableService };
}

function backup(rows: Row[], extra: Partial<BackupTable> = {}, doc: Partial<BackupDocument> = {}): BackupDocument {
  const table: BackupTable = {
    id: 'tbl-old',
    name: 'Flags',
    description: 'flags',
    division: { id: 'div-home', name: 'Home' },
    schema,
    rows,
    ...extra,
  };
  return {
    format: 'x',
    version: 1,
    appVersion: '0',
    createdAt: '',
    createdBy: '',
    org: { name: 'Acme', region: 'us_east_1' },
    partial: false,
    tables: [table],
    checksum: '',
    ...doc,
  } as BackupDocument;
}

const OPTS: RestoreOptions = { exact: false, createMissing: false, only: [] };
const plan = (
  deps: ReturnType<typeof tablesOf>,
  actor: Actor,
  doc: BackupDocument,
  opts: Partial<RestoreOptions> = {},
) => planRestore(deps, actor, ORG, doc, { ...OPTS, ...opts });

const LIVE: Row[] = [
  { key: 'a', Message: 'same', Priority: 1, Secret: 's1' },
  { key: 'b', Message: 'live', Priority: 2, Secret: 's2' },
  { key: 'c', Message: 'only live', Priority: 3, Secret: 's3' },
];

describe('planning a restore into an existing table', () => {
  it('adds missing rows, updates only the columns that differ by meaning, and deletes nothing unless asked', async () => {
    const doc = backup([
      { key: 'a', Message: 'same ', Priority: 1, Secret: 's1' }, // a trailing space is the same value to Genesys
      { key: 'b', Message: 'backed up', Priority: 2, Secret: 's2' },
      { key: 'd', Message: 'new', Priority: 4, Secret: 's4' },
    ]);
    const { plans, problems } = await plan(tablesOf(LIVE), ADMIN, doc);
    expect(problems).toEqual([]);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({
      name: 'Flags',
      tableId: 'tbl-flags',
      create: null,
      method: 'rows',
      add: [{ key: 'd', Message: 'new', Priority: 4, Secret: 's4' }],
      update: [{ key: 'b', changed: ['Message'], values: { Message: 'backed up' } }],
      remove: [],
      unchanged: 1,
    });

    const exact = await plan(tablesOf(LIVE), ADMIN, doc, { exact: true });
    expect(exact.plans[0]!.remove).toEqual(['c']);
  });

  it('lists every problem of the file against the live table and plans nothing for that table', async () => {
    const { plans, problems } = await plan(
      tablesOf(LIVE),
      ADMIN,
      backup([
        { key: 'a', Priority: 'high' as never },
        { key: 'a', Message: 'twice' },
      ]),
    );
    expect(plans).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([
      '"high" is not a valid integer.',
      'The key appears twice in the backup.',
    ]);
  });

  it('names the rights the plan needs: add, edit, delete, and each column it writes', async () => {
    const rights: StoredRights = { ...NO_RIGHTS, canView: true, defaultColumnAccess: 'read' };
    const doc = backup([
      { key: 'b', Message: 'backed up', Priority: 2, Secret: 's2' },
      { key: 'd', Message: 'new', Priority: 4, Secret: 's4' },
    ]);
    const { problems } = await plan(tablesOf(LIVE, { rights }), USER, doc, { exact: true });
    expect(problems.map((p) => p.message)).toEqual([
      'Restoring needs the add right on this table.',
      'Restoring needs the edit right on this table.',
      'Restoring needs the delete right on this table.',
      'Restoring changes “Message”, which you may not write.',
      'Restoring changes “Priority”, which you may not write.',
      'Restoring changes “Secret”, which you may not write.',
      'Restoring changes “key”, which you may not write.',
    ]);
  });

  it('refuses any change to a read-only org, but a plan with nothing to do is no problem', async () => {
    const readOnly = { ...ORG, readOnly: true } as OrgView;
    const changed = await planRestore(
      tablesOf(LIVE, { org: readOnly }),
      ADMIN,
      readOnly,
      backup([{ key: 'b', Message: 'backed up' }]),
      OPTS,
    );
    expect(changed.problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('“Acme Prod” is read-only')]),
    );
    const same = await planRestore(
      tablesOf(LIVE, { org: readOnly }),
      ADMIN,
      readOnly,
      backup([{ key: 'a', Message: 'same' }]),
      OPTS,
    );
    expect(same.problems).toEqual([]);
    expect(same.plans[0]!.unchanged).toBe(1);
  });
});

describe('a person who is not an administrator', () => {
  it('never has a hidden column compared: it is left out, named, and cannot turn a row into an update', async () => {
    const rights: StoredRights = { ...EVERY_RIGHT, columns: { Secret: 'hidden' } };
    // Only the hidden column differs: were it compared, "Update" would reveal that the file guessed wrong.
    const doc = backup([{ key: 'a', Message: 'same', Priority: 1, Secret: 'a guess' }]);
    const { plans, problems } = await plan(tablesOf(LIVE, { rights }), USER, doc);
    expect(problems).toEqual([]);
    expect(plans[0]).toMatchObject({ update: [], unchanged: 1, leftOut: ['Secret'] });
  });

  it('gets no plan for a table whose key column is hidden, whatever the file holds', async () => {
    const rights: StoredRights = { ...EVERY_RIGHT, columns: { key: 'hidden' } };
    for (const rows of [[{ key: 'a', Message: 'same' }], [{ key: 'zzz', Message: 'x' }]]) {
      const { plans, problems } = await plan(tablesOf(LIVE, { rights }), USER, backup(rows));
      expect(plans).toEqual([]);
      expect(problems).toEqual([{ table: 'Flags', message: HIDDEN_KEY_PROBLEM }]);
    }
  });

  it('is told a table they cannot see does not exist for them, and cannot have it created', async () => {
    const { plans, problems } = await plan(tablesOf(LIVE, { rights: NO_RIGHTS }), USER, backup([{ key: 'a' }]), {
      createMissing: true,
    });
    expect(plans).toEqual([]);
    expect(problems).toEqual([
      {
        table: 'Flags',
        message:
          'There is no table named “Flags” in Acme Prod that you can see. An administrator can create it from the backup.',
      },
    ]);
  });
});

describe('a table the org does not have (administrators)', () => {
  const missing = (rows: Row[], extra: Partial<BackupTable> = {}, doc: Partial<BackupDocument> = {}) =>
    backup(rows, { name: 'Gone', ...extra }, doc);

  it('is a problem unless "create missing tables" is ticked', async () => {
    const { problems } = await plan(tablesOf(LIVE), ADMIN, missing([{ key: 'a' }]));
    expect(problems[0]!.message).toContain('Tick “Create missing tables”');
  });

  it('is planned from the backup schema (title dropped), every row an add, its division kept only if the org has it', async () => {
    const titled = { ...schema, title: 'Old title' } as TableSchema;
    const home = await plan(tablesOf(LIVE), ADMIN, missing([{ key: 'a', Message: 'm' }], { schema: titled }), {
      createMissing: true,
    });
    expect(home.problems).toEqual([]);
    expect(home.plans[0]).toMatchObject({
      name: 'Gone',
      tableId: null,
      create: { description: 'flags', divisionId: 'div-home', schema },
      add: [{ key: 'a', Message: 'm' }],
      update: [],
      remove: [],
    });
    expect(home.plans[0]!.create!.schema).not.toHaveProperty('title');
    const elsewhere = await plan(
      tablesOf(LIVE),
      ADMIN,
      missing([{ key: 'a' }], { division: { id: 'div-other-org', name: 'Theirs' } }),
      { createMissing: true },
    );
    expect(elsewhere.plans[0]!.create!.divisionId).toBeUndefined();
  });

  it('cannot be created from a partial backup or a schema Genesys would not take', async () => {
    const partial = await plan(tablesOf(LIVE), ADMIN, missing([{ key: 'a' }], {}, { partial: true }), {
      createMissing: true,
    });
    expect(partial.problems[0]!.message).toContain('This backup is partial');
    const odd = {
      ...schema,
      properties: { key: { type: 'integer' }, When: { type: 'date' } },
    } as unknown as TableSchema;
    const bad = await plan(tablesOf(LIVE), ADMIN, missing([], { schema: odd }), { createMissing: true });
    expect(bad.problems.map((p) => p.message)).toEqual([
      'The backed-up schema has no text “key” column.',
      'The column type "date" is not one Genesys Cloud supports.',
    ]);
  });
});

describe('choosing tables', () => {
  it('plans only the chosen tables, and says so when none of them is in the backup', async () => {
    expect((await plan(tablesOf(LIVE), ADMIN, backup([{ key: 'a' }]), { only: ['Flags'] })).plans).toHaveLength(1);
    const none = await plan(tablesOf(LIVE), ADMIN, backup([{ key: 'a' }]), { only: ['Elsewhere'] });
    expect(none).toEqual({ plans: [], problems: [{ message: 'None of the chosen tables is in this backup.' }] });
  });
});

describe('the write method', () => {
  const many = (n: number, message: string) =>
    Array.from({ length: n }, (_, i) => ({
      key: `k${String(i).padStart(4, '0')}`,
      Message: message,
      Priority: i,
      Secret: '',
    }));

  it('writes few rows one call each, and many through one CSV import job when that takes fewer calls', async () => {
    expect(chooseMethod(IMPORT_MIN_ROWS - 1, 10)).toBe('rows');
    expect(chooseMethod(IMPORT_MIN_ROWS, 10)).toBe('import');
    expect(writeCalls(300, 2000)).toEqual({ rows: 600, import: 11 }); // 2 per row; create, upload, poll + 4 pages read twice
    expect(writeCalls(1, 0)).toEqual({ rows: 2, import: 5 }); // an empty table is still read before and after
  });

  it("sends rows a CSV cannot carry one at a time, and obeys the operator's rows-only setting", async () => {
    const live = many(40, 'live');
    const doc = backup([...many(40, 'backed up'), { key: 'empty', Message: '', Priority: 0, Secret: '' }]);
    const { plans } = await plan(tablesOf(live), ADMIN, doc);
    const p = plans[0]!;
    expect(p).toMatchObject({ method: 'import', singly: ['empty'] }); // '' in a column whose default is 'none'
    // The engine sends what a CSV cannot carry one at a time; the plan hands it every change of the table.
    const changes = changesOf(p, 'batch');
    expect(changes).toHaveLength(41);
    expect(changes.filter((c) => c.key === 'empty')).toMatchObject([{ kind: 'create', key: 'empty' }]);
    expect((await plan(tablesOf(live), ADMIN, doc, { rowsOnly: true })).plans[0]).toMatchObject({
      method: 'rows',
      singly: [],
    });
  });

  it('hands the engine adds, then updates, then deletes, with ids that follow from the batch (a resumed restore repeats them)', () => {
    const p: TablePlan = {
      name: 'T',
      tableId: 't',
      create: null,
      method: 'import',
      singly: ['s'],
      add: [{ key: 'n' }, { key: 's', Message: '' }],
      update: [{ key: 'u', changed: ['Message'], values: { Message: 'x' } }],
      remove: ['gone'],
      unchanged: 0,
    };
    const changes = changesOf(p, 'batch-1');
    expect(changes.map((c) => `${c.kind} ${c.key}`)).toEqual(['create n', 'create s', 'update u', 'delete gone']);
    expect(changesOf(p, 'batch-1').map((c) => c.id)).toEqual(changes.map((c) => c.id));
    expect(changesOf(p, 'batch-2').filter((c) => changes.some((d) => d.id === c.id))).toEqual([]);
  });
});
