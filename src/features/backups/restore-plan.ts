// What a restore would do, per table, before anything is written: rows to add, rows to update (with the
// changed fields), rows to delete (only for "exactly like the backup"), rows unchanged, whether a missing
// table is created from the backup's schema (admins, when asked), and how the writes go to Genesys (one
// call per row, or one CSV import job when that takes fewer calls). Every problem found is listed; the plan
// is only applied when there are none. The plan is plain JSON: it is stored with the job so a restore
// stopped by a restart resumes from it.
//
// A person's plan never compares, names or reveals what they cannot see: columns of the file that are not
// visible to them are left out before anything is compared (a hidden column and one the table does not have
// look the same), and a table whose key column is hidden from them is not planned at all (which rows exist
// would tell hidden keys apart). Otherwise a hand-made or shared file would turn "Unchanged"/"Update" into
// an oracle for hidden values.
import { FIELD_TYPES, sameIn } from '../../genesys/datatable-schema.js';
import type { DataTable, Row, TableSchema } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import { visibleColumns } from '../permissions/access.js';
import { project } from '../tables/table-service.js';
import type { OrgView } from '../orgs/org-service.js';
import type { TableService } from '../tables/table-service.js';
import { derivedChangeId, type RowChange } from '../changes/row-change.js';
import { chooseMethod, importable } from '../changes/write-method.js';
import type { BackupDocument, BackupTable } from './backup-format.js';
import { checkTable, type Problem } from './backup-validation.js';
import { mayCreateTables, restoresVisibleColumnsOnly } from '../permissions/policy.js';

export interface TablePlan {
  name: string;
  /** The target table; null while it is still to be created. */
  tableId: string | null;
  /** Set when the table is missing and will be created from the backup's schema. */
  create: { description: string; divisionId?: string; schema: TableSchema } | null;
  /** 'import': adds and updates go in one Genesys CSV import job; 'rows': one call per row. */
  method: 'rows' | 'import';
  /** Keys of rows a CSV cannot carry (an empty text where the column's default is not empty): one call each. */
  singly: string[];
  add: Row[];
  update: { key: string; changed: string[]; values: Row }[];
  remove: string[];
  unchanged: number;
  /** Columns of the file left out because the person cannot see them in this table (they keep their values). */
  leftOut?: string[];
}

export interface RestoreOptions {
  /** Delete rows the backup does not have. */
  exact: boolean;
  /** Admins: create tables the org does not have from the backup's schema. */
  createMissing: boolean;
  /** Restore only these tables of the backup (by name); empty = all. */
  only: string[];
  /** An administrator confirmed restoring a file this server did not seal. */
  acceptForeign?: boolean;
  /** Operator setting: never use CSV import jobs. */
  rowsOnly?: boolean;
}

/**
 * A table's plan as the changes the engine applies: adds (a row that appeared meanwhile is replaced), updates
 * (the changed columns laid over the row as it is then), deletes. Their ids follow from the restore's batch,
 * the table and the row, so a restore resumed after a restart applies the very same changes again.
 */
export function changesOf(p: TablePlan, batchId: string): RowChange[] {
  const tableId = p.tableId!;
  const id = (kind: string, key: string) => derivedChangeId(batchId, p.name, kind, key);
  return [
    ...p.add.map((row): RowChange => ({
      id: id('add', String(row.key)),
      kind: 'create',
      tableId,
      key: String(row.key),
      write: row,
      ifExists: 'replace',
    })),
    ...p.update.map((u): RowChange => ({
      id: id('update', u.key),
      kind: 'update',
      tableId,
      key: u.key,
      write: u.values,
    })),
    ...p.remove.map((key): RowChange => ({ id: id('remove', key), kind: 'delete', tableId, key })),
  ];
}

/** The write method for a table's adds and updates, and which rows must still go one at a time. */
function methodFor(
  p: Pick<TablePlan, 'add' | 'update'>,
  schema: TableSchema,
  current: Map<string, Row>,
  rowsOnly = false,
): Pick<TablePlan, 'method' | 'singly'> {
  if (rowsOnly) return { method: 'rows', singly: [] };
  const singly = [
    ...p.add.filter((r) => !importable(r, schema)).map((r) => String(r.key)),
    ...p.update.filter((u) => !importable({ ...current.get(u.key), ...u.values }, schema)).map((u) => u.key),
  ];
  const rowsInTable = current.size + p.add.length;
  const method = chooseMethod(p.add.length + p.update.length - singly.length, rowsInTable);
  return { method, singly: method === 'import' ? singly : [] };
}

export const operationCount = (p: TablePlan) => p.add.length + p.update.length + p.remove.length;

function schemaProblems(source: BackupTable, partial: boolean): Problem[] {
  const table = source.name;
  if (partial)
    return [
      {
        table,
        message:
          'This backup is partial (columns were hidden from the person who made it), so a table cannot be created from it.',
      },
    ];
  const props = source.schema.properties ?? {};
  const problems: Problem[] = [];
  if (props.key?.type !== 'string')
    problems.push({ table, field: 'key', message: 'The backed-up schema has no text “key” column.' });
  for (const [field, prop] of Object.entries(props)) {
    if (!FIELD_TYPES.includes(prop?.type))
      problems.push({
        table,
        field,
        message: `The column type ${JSON.stringify(prop?.type)} is not one Genesys Cloud supports.`,
      });
  }
  return problems;
}

/** Said when the key column is hidden: the same whatever the file holds. */
export const HIDDEN_KEY_PROBLEM = 'Restoring this table needs its key column, which you cannot see.';

/**
 * The part of a backup table a (non-admin) person may compare with the live table: only columns they can
 * see, in the schema and in every row. Returns the names it left out, from the file's own schema.
 */
function visiblePart(source: BackupTable, visible: ReadonlySet<string>): { source: BackupTable; leftOut: string[] } {
  const props = source.schema.properties ?? {};
  const leftOut = Object.keys(props).filter((c) => !visible.has(c));
  const schema: TableSchema = {
    ...source.schema,
    properties: Object.fromEntries(Object.entries(props).filter(([c]) => visible.has(c))),
  };
  const keep = [...visible];
  const rows = source.rows.map((r) =>
    typeof r === 'object' && r !== null && !Array.isArray(r) ? project(r, keep) : r,
  );
  return { source: { ...source, schema, rows }, leftOut };
}

export async function planRestore(
  deps: { tables: TableService },
  actor: Actor,
  org: OrgView,
  doc: BackupDocument,
  opts: RestoreOptions,
): Promise<{ plans: TablePlan[]; problems: Problem[] }> {
  const visible = new Map((await deps.tables.listTables(actor, org, { refresh: true })).map((t) => [t.table.name, t]));
  const plans: TablePlan[] = [];
  const problems: Problem[] = [];
  const divisions = new Set([...visible.values()].map((t) => t.table.division.id));
  for (let source of doc.tables.filter((t) => !opts.only.length || opts.only.includes(t.name))) {
    const found = visible.get(source.name);
    if (!found) {
      if (!mayCreateTables(actor)) {
        problems.push({
          table: source.name,
          message: `There is no table named “${source.name}” in ${org.name} that you can see. An administrator can create it from the backup.`,
        });
      } else if (org.readOnly) {
        problems.push({
          table: source.name,
          message: `There is no table named “${source.name}” in ${org.name}, and the org is read-only in this app.`,
        });
      } else if (!opts.createMissing) {
        problems.push({
          table: source.name,
          message: `There is no table named “${source.name}” in ${org.name}. Tick “Create missing tables” to create it from the backup's schema.`,
        });
      } else {
        const schemaIssues = schemaProblems(source, doc.partial);
        const checked = schemaIssues.length
          ? { rows: new Map<string, Row>(), problems: [] }
          : checkTable(source, { ...source, id: '', schema: source.schema } as DataTable);
        problems.push(...schemaIssues, ...checked.problems);
        const add = [...checked.rows.values()];
        // A division id only means something in the org it came from: kept when this org has it, else Home.
        const divisionId = divisions.has(source.division?.id) ? source.division.id : undefined;
        const { title: _title, ...schema } = source.schema as TableSchema & { title?: string };
        plans.push({
          name: source.name,
          tableId: null,
          create: { description: source.description ?? '', divisionId, schema },
          ...methodFor({ add, update: [] }, schema, new Map(), opts.rowsOnly),
          add,
          update: [],
          remove: [],
          unchanged: 0,
        });
      }
      continue;
    }
    const { access } = found;
    let leftOut: string[] = [];
    if (restoresVisibleColumnsOnly(actor)) {
      const visible = new Set(visibleColumns(access));
      if (!visible.has('key')) {
        problems.push({ table: source.name, message: HIDDEN_KEY_PROBLEM });
        continue;
      }
      ({ source, leftOut } = visiblePart(source, visible));
    }
    const checked = checkTable(source, found.table);
    problems.push(...checked.problems);
    if (checked.problems.length) continue;
    const current = new Map(
      (await deps.tables.rows(actor, org, found.table.id, { refresh: true })).rows.map((r) => [String(r.key), r]),
    );
    const columns = Object.keys(source.schema.properties).filter((c) => c !== 'key');
    const p: TablePlan = {
      name: source.name,
      tableId: found.table.id,
      create: null,
      method: 'rows',
      singly: [],
      add: [],
      update: [],
      remove: [],
      unchanged: 0,
      leftOut,
    };
    for (const [key, row] of checked.rows) {
      const now = current.get(key);
      if (!now) p.add.push(row);
      else {
        const changed = columns.filter((c) => c in row && !sameIn(c, row, now, found.table.schema));
        if (changed.length)
          p.update.push({ key, changed, values: Object.fromEntries(changed.map((c) => [c, row[c]!])) });
        else p.unchanged++;
      }
    }
    if (opts.exact) for (const key of current.keys()) if (!checked.rows.has(key)) p.remove.push(key);
    Object.assign(p, methodFor(p, found.table.schema, current, opts.rowsOnly));
    // The rights the plan needs, per table and per column.
    const need = (ok: boolean, what: string) =>
      ok || problems.push({ table: source.name, message: `Restoring needs the ${what} right on this table.` });
    if (access.readOnlyReason && operationCount(p))
      problems.push({ table: source.name, message: access.readOnlyReason });
    if (p.add.length) need(access.canAdd, 'add');
    if (p.update.length) need(access.canEdit, 'edit');
    if (p.remove.length) need(access.canDelete, 'delete');
    const touched = new Set([...p.update.flatMap((u) => u.changed), ...(p.add.length ? columns.concat('key') : [])]);
    for (const c of touched)
      if (access.columns[c] !== 'write')
        problems.push({ table: source.name, field: c, message: `Restoring changes “${c}”, which you may not write.` });
    plans.push(p);
  }
  if (opts.only.length && !plans.length && !problems.length)
    problems.push({ message: 'None of the chosen tables is in this backup.' });
  return { plans, problems };
}
