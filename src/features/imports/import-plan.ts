// The dry run: a parsed file, its mapping and a mode against the table as it is → what applying would do
// (adds, updates with before/after, deletes) and every problem at once. Pure: the caller reads the table,
// the rights and the formats; nothing here writes or reads anything.
//
// Rights (R6): every value in the plan is of a column the importer may see (rows are projected), messages name
// only visible columns, and a mapping to a hidden column is refused with the same words as a mapping to no
// column at all, so the plan never tells whether a hidden column exists. Rows themselves are never hidden (only
// columns are), so saying that a visible key exists reveals nothing; with the key column hidden nothing is
// compared at all. A read-only column may be in the file as long as the file would not change it (so the exact
// export, which has every visible column, imports back as "no changes").
//
// A row with a problem (its own, or a problem of the file on its line) is left out of the changes, but its key
// still counts as "in the file": mode exact never deletes a row because its line in the file was wrong.
import type { DataTable, Row, RowValue } from '../../genesys/gateway.js';
import { sameValue } from '../../genesys/datatable-schema.js';
import { checkFormat } from '../formats/format-check.js';
import type { TableFormats } from '../formats/format-types.js';
import type { TableAccess } from '../permissions/access.js';
import { MAX_KEY_LENGTH, newKeyProblem } from '../tables/key-rules.js';
import { parseTypedValue } from '../tables/typed-value.js';
import { isUnaddressableSegment } from '../../genesys/path-segments.js';
import { MAX_TABLE_ROWS, count } from './import-limits.js';
import type { ColumnMapping, ImportMode, ImportPlan, ImportProblem, ParsedSheet } from './import-types.js';
import { capProblems } from './sheet-rows.js';

export interface PlanInput {
  sheet: ParsedSheet;
  mapping: ColumnMapping;
  mode: ImportMode;
  table: Pick<DataTable, 'schema'>;
  access: TableAccess;
  /** The table's rows as they are now (all columns: the plan projects them). */
  rows: Row[];
  formats: TableFormats;
}

/** Problems that do not stop an apply: a file column left out is a notice, not a mistake. */
const NOTICE_KINDS = new Set<ImportProblem['kind']>(['unknown_column']);

/** The problems that must be solved before the plan may be applied (every kind but notices). */
export const blockingProblems = (plan: Pick<ImportPlan, 'problems'>) =>
  plan.problems.filter((p) => !NOTICE_KINDS.has(p.kind));

const linesText = (lines: number[]) =>
  `${lines.length === 1 ? 'line' : 'lines'} ${lines.slice(0, 10).join(', ')}${lines.length > 10 ? ` and ${count(lines.length - 10)} more` : ''}`;

export function planImport(input: PlanInput): ImportPlan {
  const { sheet, mapping, mode, access } = input;
  const props = input.table.schema.properties;
  const label = (c: string) => props[c]?.title || c;
  const visible = Object.keys(access.columns).filter((c) => access.columns[c] !== 'hidden');
  const problems: ImportProblem[] = [...sheet.problems];
  const source = {
    fileName: sheet.fileName,
    format: sheet.format,
    ...(sheet.delimiter !== undefined ? { delimiter: sheet.delimiter } : {}),
    ...(sheet.encoding !== undefined ? { encoding: sheet.encoding } : {}),
    ...(sheet.sheet !== undefined ? { sheet: sheet.sheet } : {}),
    ...(sheet.sheets !== undefined ? { sheets: sheet.sheets } : {}),
  };
  const plan: ImportPlan = {
    mode,
    mapping,
    columns: [],
    adds: [],
    updates: [],
    deletes: [],
    unchanged: 0,
    problems,
    source,
  };

  // The mapping: file column index → table column.
  const target = new Map<number, string>();
  const mappedFrom = new Map<string, string>();
  sheet.header.forEach((h, i) => {
    const to = Object.hasOwn(mapping, h) ? mapping[h] : undefined;
    if (to === undefined)
      problems.push({
        kind: 'unknown_column',
        column: h,
        message: `The file’s column “${h}” matches no column of this table that you can see, so it is not imported. Choose a column for it, or leave it out.`,
      });
    if (!to) return;
    if (access.columns[to] === undefined || access.columns[to] === 'hidden') {
      problems.push({
        kind: 'hidden_column',
        column: h,
        message: `The file’s column “${h}” is mapped to a column that is not one you can see in this table. Choose another column, or leave it out.`,
      });
      return;
    }
    const earlier = mappedFrom.get(to);
    if (earlier !== undefined) {
      problems.push({
        kind: 'file',
        column: h,
        message: `The file’s columns “${earlier}” and “${h}” are both mapped to “${label(to)}”. Map only one of them.`,
      });
      return;
    }
    mappedFrom.set(to, h);
    target.set(i, to);
  });
  const keyIndex = [...target].find(([, c]) => c === 'key')?.[0];
  if (keyIndex === undefined) {
    problems.push({
      kind: 'missing_key',
      message: `No column of the file is mapped to the key (“${access.columns.key && access.columns.key !== 'hidden' ? label('key') : 'key'}”), so rows cannot be matched. Map the column that holds each row’s key.`,
    });
    plan.problems = capProblems(problems);
    return plan;
  }
  plan.columns = [...target.values()].filter((c) => access.columns[c] === 'write');
  if (access.readOnlyReason) problems.push({ kind: 'not_writable', message: access.readOnlyReason });

  // Lines with a problem of the file itself (a wrong width, a formula...) make no change.
  const badLines = new Set(sheet.problems.flatMap((p) => (p.line !== undefined && p.kind === 'file' ? [p.line] : [])));
  const keyHeader = sheet.header[keyIndex]!;
  const firstLine = new Map<string, number>();
  const repeated = new Set<string>();
  for (const r of sheet.records) {
    const key = r.cells[keyIndex] ?? '';
    if (key === '') continue;
    const first = firstLine.get(key);
    if (first === undefined) firstLine.set(key, r.line);
    else {
      repeated.add(key);
      problems.push({
        kind: 'duplicate_key',
        line: r.line,
        column: keyHeader,
        message: `Line ${r.line} repeats the key “${key}” of line ${first}. A key may appear once: keep one of the lines.`,
      });
    }
  }

  const current = new Map<string, Row>(input.rows.map((row) => [String(row.key), row]));
  // Object.fromEntries, not assignment: a column may be called `__proto__` (assigning would set the prototype).
  const project = (row: Row): Row =>
    Object.fromEntries(visible.filter((c) => Object.hasOwn(row, c)).map((c) => [c, row[c]!]));
  const noEditLines: number[] = [];
  const noAddLines: number[] = [];

  // Each mapped column's facts, looked up once rather than once per cell.
  const fields = [...target]
    .filter(([, c]) => c !== 'key')
    .map(([i, c]) => ({
      i,
      c,
      label: label(c),
      prop: props[c] ?? { type: 'string' as const },
      spec: input.formats.get(c),
      writable: access.columns[c] === 'write',
    }));

  /** The value the file gives a column (format checked and canonical, then typed), or a problem. */
  const valueFor = (
    raw: string,
    f: (typeof fields)[number],
    line: number,
  ): { value?: RowValue; problem?: ImportProblem } => {
    let text = raw;
    if (f.spec && raw.trim() !== '') {
      const checked = checkFormat(f.spec, raw, f.label);
      if (!checked.ok)
        return { problem: { kind: 'bad_format', line, column: f.label, message: `Line ${line}: ${checked.message}` } };
      text = checked.value;
    }
    const typed = parseTypedValue(text, f.prop, f.label);
    if (typed.error !== undefined)
      return { problem: { kind: 'bad_type', line, column: f.label, message: `Line ${line}: ${typed.error}` } };
    return { value: typed.value };
  };

  for (const { line, cells } of sheet.records) {
    const key = cells[keyIndex] ?? '';
    if (key === '') {
      problems.push({
        kind: 'missing_key',
        line,
        column: keyHeader,
        message: `Line ${line} has no key. Each row needs one.`,
      });
      continue;
    }
    if (repeated.has(key) || badLines.has(line)) continue;
    const before = current.get(key);
    const rowProblems: ImportProblem[] = [];
    // Entries, made into rows by Object.fromEntries: a column may be called `__proto__`, and assigning that name
    // on a plain object would set its prototype instead of a value.
    const written: [string, RowValue][] = [];
    const readOnly: string[] = [];
    for (const f of fields) {
      const raw = cells[f.i] ?? '';
      // Own properties only: a column may be called `constructor` (row.constructor is then Object's function).
      const had = before !== undefined && Object.hasOwn(before, f.c) ? before[f.c] : undefined;
      // An empty cell is "no value": it leaves a new row's column unset and matches an unset column.
      if ((had === undefined || had === '') && raw.trim() === '') continue;
      const { value, problem } = valueFor(raw, f, line);
      if (problem) {
        rowProblems.push(problem);
        continue;
      }
      if (before !== undefined && sameValue(had, value, f.prop.type)) continue;
      if (f.writable) written.push([f.c, value!]);
      else readOnly.push(f.label);
    }
    if (!access.readOnlyReason)
      for (const title of readOnly)
        rowProblems.push({
          kind: 'read_only_column',
          line,
          column: title,
          message: `Line ${line} would ${before === undefined ? 'set' : 'change'} “${title}”, which you may only read. Put back its current value, or leave the column out of the import.`,
        });
    const readOnlyTouched = readOnly.length > 0;
    if (before === undefined) {
      const keyProblem = newKeyProblem(key);
      if (keyProblem) {
        const kind = isUnaddressableSegment(key)
          ? 'dot_key'
          : [...key].length > MAX_KEY_LENGTH
            ? 'key_too_long'
            : 'bad_format';
        rowProblems.push({ kind, line, column: keyHeader, message: `Line ${line}: ${keyProblem}` });
      }
      if (!access.canAdd && !access.readOnlyReason) noAddLines.push(line);
      problems.push(...rowProblems);
      if (rowProblems.length === 0 && !readOnlyTouched && access.canAdd)
        plan.adds.push({ line, key, row: Object.fromEntries([['key', key], ...written]) });
      continue;
    }
    if (mode === 'add') {
      if (written.length > 0 || readOnlyTouched)
        rowProblems.push({
          kind: 'duplicate_key',
          line,
          column: keyHeader,
          message: `Line ${line}: the table already has a row “${key}” with other values. “Add new rows only” leaves it as it is; choose “Add and update” to change it.`,
        });
      problems.push(...rowProblems);
      if (rowProblems.length === 0) plan.unchanged++;
      continue;
    }
    problems.push(...rowProblems);
    const changed = written.map(([c]) => c);
    if (rowProblems.length > 0 || readOnlyTouched) continue;
    if (changed.length === 0) {
      plan.unchanged++;
      continue;
    }
    if (isUnaddressableSegment(key)) {
      problems.push({
        kind: 'dot_key',
        line,
        column: keyHeader,
        message: `Line ${line}: the row “${key}” cannot be changed here: Genesys Cloud addresses rows by key in a URL, where “${key}” means a different place. Change it in Architect.`,
      });
      continue;
    }
    if (!access.canEdit && !access.readOnlyReason) {
      noEditLines.push(line);
      continue;
    }
    plan.updates.push({
      line,
      key,
      before: project(before),
      after: project({ ...before, ...Object.fromEntries(written) }),
      changed,
    });
  }

  if (noEditLines.length)
    problems.push({
      kind: 'not_writable',
      message: `You may not edit rows in this table, and the file changes existing rows on ${linesText(noEditLines)}.`,
    });
  if (noAddLines.length)
    problems.push({
      kind: 'no_add_right',
      message: `You may not add rows to this table, and the file has new keys on ${linesText(noAddLines)}.`,
    });

  if (mode === 'exact') {
    for (const [key, row] of current) {
      if (firstLine.has(key)) continue;
      if (isUnaddressableSegment(key))
        problems.push({
          kind: 'dot_key',
          message: `The table’s row “${key}” is not in the file, but it cannot be deleted here: Genesys Cloud addresses rows by key in a URL, where “${key}” means a different place.`,
        });
      else plan.deletes.push({ key, before: project(row) });
    }
    if (plan.deletes.length && (!access.canDelete || access.readOnlyReason)) {
      if (!access.readOnlyReason)
        problems.push({
          kind: 'no_delete_right',
          message: `You may not delete rows in this table, and making it exactly like the file would delete ${count(plan.deletes.length)} ${plan.deletes.length === 1 ? 'row' : 'rows'}.`,
        });
    }
  }

  const after = input.rows.length + plan.adds.length + noAddLines.length - plan.deletes.length;
  if (after > MAX_TABLE_ROWS && !problems.some((p) => p.kind === 'row_limit'))
    problems.push({
      kind: 'row_limit',
      message: `After the import the table would have ${count(after)} rows; a data table holds at most ${count(MAX_TABLE_ROWS)}. Remove rows from the file${mode === 'exact' ? '' : ', or use “Make the table exactly like the file”'}.`,
    });

  plan.problems = capProblems(problems);
  return plan;
}
