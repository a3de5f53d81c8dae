// Copy and paste in the grid. Ctrl+C copies the selected cells (or the current one) as tab-separated text, as
// a spreadsheet does. Ctrl+V of one value keeps it in the current cell like typing; a range (from Excel or
// Google Sheets) becomes a bulk change: the page posts it to the paste preview (the same form a page without
// JavaScript could send), which shows every change before one undoable batch applies it. Lines past the
// page's last row become new rows.
import { parseTsv, toTsv } from './tsv.js';
import { shown } from './editors.js';

export function installClipboard(grid) {
  const { table, columns } = grid;

  table.addEventListener('copy', (event) => {
    if (grid.editing() || event.target !== grid.current()) return;
    const box = grid.rangeBox();
    const lines = [];
    for (let r = box.top; r <= box.bottom; r++) {
      const line = [];
      for (let c = box.left; c <= box.right; c++) {
        const cell = grid.cellAt(r, c);
        if (cell) line.push(shown(columns[c], grid.valueOf(cell)));
      }
      lines.push(line);
    }
    event.clipboardData.setData('text/plain', toTsv(lines));
    event.preventDefault();
    const count = (box.bottom - box.top + 1) * (box.right - box.left + 1);
    grid.say(`Copied ${count} cell(s).`);
  });

  table.addEventListener('paste', (event) => {
    if (grid.editing() || event.target !== grid.current()) return;
    event.preventDefault();
    const cells = parseTsv(event.clipboardData.getData('text/plain'));
    if (!cells.length) return;
    const start = grid.posOf(grid.current());
    const width = Math.max(...cells.map((line) => line.length));
    const target = columns.slice(start.c, start.c + width);
    if (target.length < width)
      return void grid.warn(
        `The pasted range is ${width} columns wide; only ${target.length} column(s) start at “${columns[start.c].title}”.`,
      );
    const readOnly = target.filter((c) => !c.writable && c.name !== 'key');
    if (readOnly.length)
      return void grid.warn(
        `Not pasted: ${readOnly.map((c) => `“${c.title}”`).join(', ')} ${readOnly.length > 1 ? 'are' : 'is'} read-only for you.`,
      );
    if (cells.length === 1 && width === 1) {
      const cell = grid.current();
      if (!target[0].writable) return void grid.warn(`“${target[0].title}” is read-only for you.`);
      grid.keep(cell, cells[0][0]);
      return void grid.say('Pasted into the cell; save the row to keep it.');
    }
    // Short lines (a spreadsheet drops trailing empty cells of a ragged range) are padded to the range's width.
    const lines = cells.map((line) => [...line, ...Array(width - line.length).fill('')]);
    const refs = [];
    for (let i = 0; i < lines.length; i++) {
      const tr = grid.rows()[start.r + i];
      if (!tr) break;
      refs.push(tr.dataset.ref);
    }
    const form = document.createElement('form');
    form.method = 'post';
    form.action = `${table.dataset.tableUrl}/paste/preview`;
    form.hidden = true;
    const field = (name, value) => {
      const input = document.createElement(name === 'tsv' ? 'textarea' : 'input');
      input.name = name;
      input.value = value;
      form.append(input);
    };
    field('_csrf', grid.csrf);
    for (const c of target) field('col', c.name);
    for (const ref of refs) field('ref', ref);
    field('tsv', toTsv(lines));
    document.body.append(form);
    grid.say(`Pasting ${lines.length} row(s) × ${width} column(s): opening the preview…`);
    form.submit();
  });
}
