// Tab-separated text as Excel and Google Sheets put it on the clipboard, both ways. The server parses what the
// grid sends with src/features/tables/paste-request.ts (parseTsv); tests/unit/tsv.test.ts runs the same cases
// against both copies.

/** Rows of cells: CRLF or LF ends a row (a final one ends the last row); "quoted" cells may hold tabs, breaks, "". */
export function parseTsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return rows;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          cell += text.slice(i);
          i = n;
          break;
        }
        cell += text.slice(i, q);
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    }
    while (i < n && text[i] !== '\t' && text[i] !== '\n' && text[i] !== '\r') cell += text[i++];
    row.push(cell);
    if (i >= n) {
      rows.push(row);
      break;
    }
    if (text[i] === '\t') {
      i++;
      continue;
    }
    i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
    rows.push(row);
    row = [];
    if (i >= n) break;
  }
  return rows;
}

/** One cell as a spreadsheet reads it back: quoted when it holds a tab, a line break or a quote. */
const quoteCell = (v) => (/[\t\n\r"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Rows of cells as tab-separated text, one line per row (CRLF, as spreadsheets write it). */
export function toTsv(rows) {
  return rows.map((cells) => cells.map(quoteCell).join('\t')).join('\r\n') + '\r\n';
}
