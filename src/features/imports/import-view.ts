// What the mapping and dry-run pages show, built from a draft as its owner may see it (pure, so it is tested
// without a browser): problems grouped by kind, then row, then column; updates with only their changed
// columns before and after; the mapping's choices (columns the person may see) and the file's unknown columns.
import type { Row } from '../../genesys/gateway.js';
import type { ImportService } from './import-service.js';
import { blockingProblems } from './import-plan.js';
import { PROBLEM_KINDS, type ImportProblem, type ProblemKind } from './import-types.js';

/** The heading of each kind of problem on the dry-run page. */
export const PROBLEM_HEADINGS: Record<ProblemKind, string> = {
  file: 'The file itself',
  bad_type: 'Values of the wrong type',
  bad_format: 'Values that break the column’s format',
  duplicate_key: 'Keys that appear more than once in the file',
  key_too_long: 'Keys that are too long',
  dot_key: 'Keys “.” or “..” (Genesys Cloud cannot address them)',
  row_limit: 'Too many rows',
  hidden_column: 'Columns you may not see',
  read_only_column: 'Read-only columns',
  not_writable: 'Columns you may not change',
  no_add_right: 'Rows to add without the right to add rows',
  no_delete_right: 'Rows to delete without the right to delete rows',
  missing_key: 'Rows without a key',
  unknown_column: 'Columns the table does not have',
};

/** Lines shown per list before "…and N more" (a page stays readable and small with 5,000 rows). */
export const SHOWN_PER_LIST = 500;

export function groupProblems(problems: ImportProblem[]) {
  const byKind = new Map<ProblemKind, ImportProblem[]>();
  for (const p of problems) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p]);
  return PROBLEM_KINDS.filter((k) => byKind.has(k)).map((kind) => {
    const list = byKind
      .get(kind)!
      .slice()
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? '').localeCompare(b.column ?? ''));
    return { kind, heading: PROBLEM_HEADINGS[kind], count: list.length, problems: list.slice(0, SHOWN_PER_LIST) };
  });
}

/** A cell as the pages print it. */
export const shown = (v: Row[string] | undefined): string =>
  v === undefined || v === null ? '—' : typeof v === 'boolean' ? (v ? 'Yes' : 'No') : String(v);

export function dryRunView(v: Awaited<ReturnType<ImportService['view']>>) {
  const { draft, table } = v;
  const plan = draft.plan;
  const titleOf = (c: string) => table.schema.properties[c]?.title || c;
  const choices = v.columns.map((c) => ({ value: c, label: c === 'key' ? `${titleOf(c)} (key)` : titleOf(c) }));
  const mapping = draft.sheet.header.map((header, n) => {
    const chosen = Object.hasOwn(plan.mapping, header) ? plan.mapping[header] : null;
    return { n, header, chosen: chosen ?? '', unknown: !chosen };
  });
  return {
    draft,
    table,
    plan,
    needsRequest: v.needsRequest,
    blocked: v.blocked,
    rollbackRefusal: v.rollbackRefusal,
    changes: v.changes,
    choices,
    mapping,
    unknownColumns: mapping.filter((m) => m.unknown).map((m) => m.header),
    problemGroups: groupProblems(blockingProblems(plan)),
    problemCount: blockingProblems(plan).length,
    adds: plan.adds.slice(0, SHOWN_PER_LIST).map((a) => ({
      line: a.line,
      key: a.key,
      cells: plan.columns.filter((c) => c !== 'key').map((c) => ({ column: titleOf(c), value: shown(a.row[c]) })),
    })),
    updates: plan.updates.slice(0, SHOWN_PER_LIST).map((u) => ({
      line: u.line,
      key: u.key,
      changed: u.changed.map((c) => ({ column: titleOf(c), before: shown(u.before[c]), after: shown(u.after[c]) })),
    })),
    deletes: plan.deletes.slice(0, SHOWN_PER_LIST).map((d) => ({
      key: d.key,
      values: v.columns
        .filter((c) => c !== 'key')
        .map((c) => shown(d.before[c]))
        .join(' · '),
    })),
    more: {
      adds: Math.max(0, plan.adds.length - SHOWN_PER_LIST),
      updates: Math.max(0, plan.updates.length - SHOWN_PER_LIST),
      deletes: Math.max(0, plan.deletes.length - SHOWN_PER_LIST),
    },
  };
}
