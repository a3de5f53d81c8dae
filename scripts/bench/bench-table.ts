// The 5,000-row × 20-column table the table-page and grid benchmarks use: a key and 19 columns cycling through
// string, integer, boolean and number, with values that repeat enough for searches and filters to match.
import type { Row } from '../../src/genesys/gateway.js';

export type BenchField = [string, 'string' | 'integer' | 'boolean' | 'number'];

export function benchRows(count = 5000): { fields: BenchField[]; rows: Row[] } {
  const fields = Array.from(
    { length: 19 },
    (_, i) => [`col${i + 1}`, (['string', 'integer', 'boolean', 'number'] as const)[i % 4]] as BenchField,
  );
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'écho', 'foxtrot', 'golf', 'hotel'];
  const rows: Row[] = [];
  for (let r = 0; r < count; r++) {
    const row: Row = { key: `row-${String(r).padStart(5, '0')}` };
    fields.forEach(
      ([name, type], i) =>
        (row[name] =
          type === 'integer'
            ? (r * (i + 3)) % 1000
            : type === 'boolean'
              ? (r + i) % 3 === 0
              : type === 'number'
                ? ((r * 7) % 1000) / 10
                : `${words[(r + i) % words.length]} ${r}`),
    );
    rows.push(row);
  }
  return { fields, rows };
}
