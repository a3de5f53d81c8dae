// Which table column each of a file's columns goes to, matched by the column's title or its name, ignoring
// case, accents and blanks ("Date de début" = "date_de_debut" = "DateDeDebut"). Only columns the importer may
// see are candidates: a header that matches a hidden column is "unknown", exactly like one matching nothing,
// so the mapping never tells whether a hidden column exists (R6).
import type { DataTable } from '../../genesys/gateway.js';
import type { ColumnMapping } from './import-types.js';

/** Case, accents, blanks, underscores and dashes folded away. */
export const foldName = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_\-.]+/gu, '');

/**
 * The file's headers mapped to the columns (of `columns`, the ones the user may see) whose name or title
 * matches; a header that matches none is absent from the result (the dry run names it as unknown). A name
 * match wins over a title match; a column is given to one header only.
 */
export function autoMapping(
  header: string[],
  table: { table: Pick<DataTable, 'schema'>; columns: string[] },
): ColumnMapping {
  const byName = new Map<string, string>();
  const byTitle = new Map<string, string>();
  for (const column of table.columns) {
    byName.set(foldName(column), column);
    const title = table.table.schema.properties[column]?.title;
    if (title && !byTitle.has(foldName(title))) byTitle.set(foldName(title), column);
  }
  const mapping: ColumnMapping = Object.create(null) as ColumnMapping;
  const taken = new Set<string>();
  for (const h of header) {
    const folded = foldName(h);
    const column = byName.get(folded) ?? byTitle.get(folded);
    if (column && !taken.has(column)) {
      mapping[h] = column;
      taken.add(column);
    }
  }
  return mapping;
}
