// The table page's grid, for people with JavaScript (without it, every row's Edit link opens the row form and
// nothing here is needed). One cell has the focus (roving tabindex, ARIA grid): arrows, Tab/Shift+Tab, Home/End
// move; Shift+arrows select a range; Enter, F2, a click or typing edits a writable cell; in the editor Enter
// keeps the value, Tab keeps it and moves on, Esc puts back the value the cell had. Kept values are marked
// dirty until the row is saved (its Save button or Ctrl+Enter, through the row POST: the same checks as the
// row form) or cancelled (its Cancel button or Esc). Leaving a row with unsaved cells asks first, in the page.
// Errors come back keyed by column and are shown, focused and announced at their cell; a conflict shows theirs
// and yours per cell. Ctrl+C copies the selected cells as TSV; Ctrl+V pastes a range (clipboard.js).
// Nothing here walks every row or cell when the page loads: a 250-row page is interactive as soon as parsed.
import { ask } from './dialog.js';
import { editorFor, formatOf, shown } from './editors.js';
import { installClipboard } from './clipboard.js';

const table = document.querySelector('table.grid');
if (table && table.tBodies[0]?.rows.length) start(table);

function start(table) {
  const csrf = document.querySelector('input[name="_csrf"]')?.value ?? '';
  const columns = [...table.querySelectorAll('thead th[data-column]')].map((th, index) => ({
    name: th.dataset.column,
    type: th.dataset.type,
    writable: th.dataset.writable === '1',
    title: th.textContent.replace(/[▲▼]/g, '').trim(),
    format: formatOf(th),
    hint: th.dataset.formatHint ?? '',
    index,
  }));
  const body = table.tBodies[0];
  const firstDataCell = body.querySelector('td[data-column]');
  if (!firstDataCell) return;
  /** Cells before the first column's (the row's selection box). */
  const offset = firstDataCell.cellIndex;

  const status = document.createElement('p');
  status.className = 'hint grid-status';
  status.setAttribute('role', 'status');
  const alert = document.createElement('p');
  alert.className = 'grid-alert';
  alert.setAttribute('role', 'alert');
  const wrap = table.closest('.table-wrap') ?? table;
  wrap.before(status, alert);
  const say = (text) => ((alert.textContent = ''), (status.textContent = text));
  const warn = (text) => ((status.textContent = ''), (alert.textContent = text));

  table.setAttribute('role', 'grid');
  table.setAttribute('aria-describedby', 'grid-keys');
  status.id = 'grid-keys';
  say(
    'Grid: arrow keys move, Enter or F2 edits, Ctrl+Enter saves the row, Esc cancels, Ctrl+C / Ctrl+V copy and paste.',
  );
  for (const th of table.querySelectorAll('thead th[data-column]'))
    if (th.dataset.writable !== '1') th.setAttribute('aria-readonly', 'true');

  /** Per row being edited: column name -> the value kept (text, as data-value holds it). */
  const staged = new Map();
  let editing = null; // { cell, editor, before }
  let current = firstDataCell;
  let anchor = null; // the range's other corner, while Shift+arrows select
  current.tabIndex = 0;

  const rows = () => body.rows;
  const cellAt = (r, c) => (c < 0 || c >= columns.length ? null : (rows()[r]?.cells[offset + c] ?? null));
  const posOf = (cell) => ({ r: cell.parentElement.sectionRowIndex, c: cell.cellIndex - offset });
  const columnOf = (cell) => columns[cell.cellIndex - offset];
  const rowName = (tr) => tr.dataset.label || 'this row';
  const valueOf = (cell) => staged.get(cell.parentElement)?.get(columnOf(cell).name) ?? cell.dataset.value ?? '';

  function paint(cell) {
    const column = columnOf(cell);
    const value = valueOf(cell);
    const dirty = value !== (cell.dataset.value ?? '');
    cell.classList.toggle('dirty', dirty);
    cell.textContent = shown(column, value);
    if (dirty) {
      const mark = document.createElement('span');
      mark.className = 'visually-hidden';
      mark.textContent = ' (changed, not saved)';
      cell.append(mark);
    }
  }

  // ---- Moving around --------------------------------------------------------------------------------------

  function clearRange() {
    for (const c of table.querySelectorAll('td[aria-selected="true"]')) c.removeAttribute('aria-selected');
    anchor = null;
  }

  function showRange() {
    for (const c of table.querySelectorAll('td[aria-selected="true"]')) c.removeAttribute('aria-selected');
    const box = rangeBox();
    for (let r = box.top; r <= box.bottom; r++)
      for (let c = box.left; c <= box.right; c++) cellAt(r, c)?.setAttribute('aria-selected', 'true');
  }

  /** The selected rectangle (the current cell alone when nothing is selected). */
  function rangeBox() {
    const a = posOf(anchor ?? current);
    const b = posOf(current);
    return {
      top: Math.min(a.r, b.r),
      bottom: Math.max(a.r, b.r),
      left: Math.min(a.c, b.c),
      right: Math.max(a.c, b.c),
    };
  }

  function place(cell) {
    if (current !== cell) current.tabIndex = -1;
    current = cell;
    cell.tabIndex = 0;
    cell.focus();
  }

  /** Moves the focus to `cell`; leaving a row with unsaved cells asks first. False: she stayed. */
  async function moveTo(cell, { extend = false } = {}) {
    if (!cell) return false;
    if (editing) commitEdit();
    const from = current.parentElement;
    if (cell.parentElement !== from && staged.has(from)) {
      const answer = await ask(
        `You changed ${staged.get(from).size} cell(s) in “${rowName(from)}” and have not saved them.`,
        [
          { label: 'Save them', value: 'save' },
          { label: 'Discard them', value: 'discard' },
          { label: 'Stay on this row', value: 'stay' },
        ],
      );
      if (answer === 'stay') return (void place(current), false);
      if (answer === 'discard') cancelRow(from);
      if (answer === 'save' && !(await saveRow(from))) return false;
    }
    if (extend) anchor ??= current;
    else clearRange();
    place(cell);
    if (extend) showRange();
    return true;
  }

  function step(cell, dr, dc, wrap) {
    const { r, c } = posOf(cell);
    if (!wrap) return cellAt(r + dr, c + dc);
    const next = c + dc;
    if (next >= 0 && next < columns.length) return cellAt(r, next);
    return dc > 0 ? cellAt(r + 1, 0) : cellAt(r - 1, columns.length - 1);
  }

  // ---- Editing --------------------------------------------------------------------------------------------

  function startEdit(cell, typed) {
    const column = columnOf(cell);
    if (!column.writable) return void warn(`“${column.title}” is read-only for you.`);
    clearError(cell);
    const before = valueOf(cell);
    const editor = editorFor(column, typed ?? before);
    cell.textContent = '';
    cell.classList.add('editing');
    cell.append(editor);
    editor.focus();
    if (typed !== undefined && editor.setSelectionRange) editor.setSelectionRange(typed.length, typed.length);
    editing = { cell, editor, before };
  }

  function keep(cell, value) {
    const tr = cell.parentElement;
    const column = columnOf(cell);
    const changes = staged.get(tr) ?? new Map();
    if (value === (cell.dataset.value ?? '')) changes.delete(column.name);
    else changes.set(column.name, value);
    if (changes.size) staged.set(tr, changes);
    else staged.delete(tr);
    paint(cell);
    rowButtons(tr);
  }

  function commitEdit() {
    const { cell, editor } = editing;
    editing = null;
    cell.classList.remove('editing');
    keep(cell, editor.value);
  }

  function cancelEdit() {
    const { cell, before } = editing;
    editing = null;
    cell.classList.remove('editing');
    keep(cell, before);
    place(cell);
    say('Edit cancelled.');
  }

  /** The row's Save / Cancel buttons, shown while it has unsaved cells. */
  function rowButtons(tr) {
    const actions = tr.querySelector('td.actions');
    let box = actions?.querySelector('.row-save');
    if (!staged.has(tr)) return void box?.remove();
    if (!actions || box) return;
    box = document.createElement('span');
    box.className = 'row-save';
    const save = document.createElement('button');
    save.type = 'button';
    save.className = 'button small primary';
    save.textContent = 'Save';
    save.setAttribute('aria-label', `Save the changes to ${rowName(tr)}`);
    save.addEventListener('click', () => void saveRow(tr).then((ok) => ok && place(current)));
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'button small';
    cancel.textContent = 'Cancel';
    cancel.setAttribute('aria-label', `Cancel the changes to ${rowName(tr)}`);
    cancel.addEventListener('click', () => cancelRow(tr));
    box.append(save, ' ', cancel);
    actions.prepend(box);
  }

  /** Every unsaved cell of the row back to the value it had (the one last read from or saved to Genesys). */
  function cancelRow(tr) {
    const changes = staged.get(tr);
    staged.delete(tr);
    for (const cell of tr.querySelectorAll('td[data-column]')) {
      clearError(cell);
      cell.classList.remove('conflict');
      if (changes?.has(columnOf(cell).name) || cell.classList.contains('dirty')) paint(cell);
    }
    rowButtons(tr);
    say(`Changes to ${rowName(tr)} cancelled.`);
  }

  // ---- Saving, errors at the cell, conflicts -------------------------------------------------------------

  let messageIds = 0;
  function clearError(cell) {
    cell.removeAttribute('aria-invalid');
    cell.removeAttribute('aria-describedby');
    cell.querySelector('.cell-message')?.remove();
  }
  function showError(cell, message) {
    clearError(cell);
    const note = document.createElement('span');
    note.className = 'cell-message';
    note.id = `cell-message-${++messageIds}`;
    note.textContent = message;
    cell.append(note);
    cell.setAttribute('aria-invalid', 'true');
    cell.setAttribute('aria-describedby', note.id);
  }

  function cellOf(tr, name) {
    const column = columns.find((c) => c.name === name);
    return column ? tr.cells[offset + column.index] : null;
  }

  /** Shows what Genesys holds now in every cell of the row (and keeps it as the values edits start from). */
  function refresh(tr, row) {
    for (const cell of tr.querySelectorAll('td[data-column]')) {
      const v = row[columnOf(cell).name];
      cell.dataset.value = v === undefined || v === null ? '' : String(v);
      paint(cell);
    }
  }

  async function saveRow(tr) {
    if (editing) commitEdit();
    const changes = staged.get(tr);
    if (!changes) return true;
    const form = new URLSearchParams({ _csrf: csrf });
    for (const [name, value] of changes) {
      const column = columns.find((c) => c.name === name);
      if (column.type === 'boolean') form.set(`b:${name}`, '1');
      form.set(`f:${name}`, value);
      form.set(`o:${name}`, cellOf(tr, name).dataset.value ?? '');
    }
    tr.classList.add('saving');
    say(`Saving ${rowName(tr)}…`);
    let result;
    try {
      const res = await fetch(tr.dataset.rowUrl, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
        credentials: 'same-origin',
      });
      result = await res.json().catch(() => ({ ok: false, error: `The server answered ${res.status}.` }));
    } catch {
      result = { ok: false, error: 'The server could not be reached; nothing was saved.' };
    }
    tr.classList.remove('saving');
    for (const cell of tr.querySelectorAll('td[data-column]')) clearError(cell);
    if (result.ok) {
      staged.delete(tr);
      refresh(tr, result.row);
      rowButtons(tr);
      say(result.changed.length ? `Saved (${result.changed.join(', ')}).` : 'No changes.');
      return true;
    }
    if (result.conflict && result.current) return (void showConflict(tr, result), false);
    const fieldErrors = Object.entries(result.fieldErrors ?? {});
    let first = null;
    for (const [name, message] of fieldErrors) {
      const cell = cellOf(tr, name);
      if (!cell) continue;
      showError(cell, message);
      first ??= cell;
    }
    const where = fieldErrors.map(([, m]) => m).join(' ');
    warn(`Not saved: ${rowName(tr)}. ${where || result.error || ''}`.trim());
    place(first ?? current);
    return false;
  }

  /**
   * Someone else changed cells this row's edits also change: each such cell shows theirs and yours with a
   * choice; the row's other cells show what Genesys holds now, which becomes the baseline of the next save.
   */
  function showConflict(tr, result) {
    const mine = new Map(staged.get(tr));
    refresh(tr, result.current); // the values as they are now (Esc / Cancel go back to these)
    const changes = new Map();
    for (const [name, value] of mine) if (value !== (cellOf(tr, name)?.dataset.value ?? '')) changes.set(name, value);
    staged.set(tr, changes);
    for (const cell of tr.querySelectorAll('td[data-column]')) paint(cell);
    const buttons = [];
    for (const conflict of result.conflicts ?? []) {
      const cell = cellOf(tr, conflict.column);
      if (!cell) continue;
      const column = columnOf(cell);
      const text = (v) => (v === undefined || v === null ? '(empty)' : shown(column, String(v)));
      cell.classList.add('conflict');
      const box = document.createElement('span');
      box.className = 'conflict-choice';
      const theirs = document.createElement('span');
      theirs.textContent = `Theirs: ${text(conflict.theirs)}`;
      const yours = document.createElement('span');
      yours.textContent = `Yours: ${text(conflict.yours)}`;
      const keepMine = document.createElement('button');
      keepMine.type = 'button';
      keepMine.className = 'button small';
      keepMine.textContent = 'Keep mine';
      const takeTheirs = document.createElement('button');
      takeTheirs.type = 'button';
      takeTheirs.className = 'button small';
      takeTheirs.textContent = 'Take theirs';
      for (const [button, value] of [
        [keepMine, String(conflict.yours)],
        [takeTheirs, cell.dataset.value ?? ''],
      ]) {
        button.setAttribute('aria-label', `${button.textContent} for ${column.title}`);
        button.addEventListener('click', () => {
          cell.classList.remove('conflict');
          keep(cell, value);
          const next = buttons.find((b) => b.isConnected);
          if (next) next.focus();
          else {
            place(cell);
            say(staged.has(tr) ? 'Chosen. Ctrl+Enter or Save saves the row again.' : 'Chosen: nothing left to save.');
          }
        });
      }
      box.append(theirs, ' ', takeTheirs, ' ', yours, ' ', keepMine);
      cell.replaceChildren(box);
      buttons.push(keepMine, takeTheirs);
    }
    rowButtons(tr);
    warn(
      `${result.error} For each marked cell choose Keep mine or Take theirs, then save again (Ctrl+Enter).`.replace(
        ' Choose which values to keep.',
        '',
      ),
    );
    (buttons[0] ?? current).focus();
  }

  // ---- Keys and clicks ------------------------------------------------------------------------------------

  const MOVES = {
    ArrowUp: [-1, 0],
    ArrowDown: [1, 0],
    ArrowLeft: [0, -1],
    ArrowRight: [0, 1],
  };

  function onEditorKey(event) {
    const { cell } = editing;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      commitEdit();
      place(cell);
      void saveRow(cell.parentElement);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      commitEdit();
      place(cell);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancelEdit();
    } else if (event.key === 'Tab') {
      event.preventDefault();
      commitEdit();
      const next = step(cell, 0, event.shiftKey ? -1 : 1, true);
      if (next) void moveTo(next);
      else place(cell);
    }
  }

  function onCellKey(event) {
    const cell = current;
    const move = MOVES[event.key];
    if (move) {
      event.preventDefault();
      void moveTo(step(cell, move[0], move[1], false), { extend: event.shiftKey });
    } else if (event.key === 'Tab') {
      const next = step(cell, 0, event.shiftKey ? -1 : 1, true);
      if (!next) return; // past the grid's first or last cell: the focus leaves the grid as usual
      event.preventDefault();
      void moveTo(next);
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      const { r } = posOf(cell);
      const last = event.key === 'End';
      const row = event.ctrlKey ? (last ? rows().length - 1 : 0) : r;
      void moveTo(cellAt(row, last ? columns.length - 1 : 0));
    } else if ((event.key === 'Enter' || event.key === 's') && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void saveRow(cell.parentElement);
    } else if (event.key === 'Enter' || event.key === 'F2') {
      event.preventDefault();
      startEdit(cell);
    } else if (event.key === ' ' && columnOf(cell).type === 'boolean' && columnOf(cell).writable) {
      event.preventDefault();
      keep(cell, valueOf(cell) === 'true' ? 'false' : 'true');
    } else if (event.key === 'Escape') {
      if (anchor) clearRange();
      else if (staged.has(cell.parentElement)) cancelRow(cell.parentElement);
    } else if ((event.key === 'Delete' || event.key === 'Backspace') && columnOf(cell).type === 'string') {
      if (!columnOf(cell).writable) return void warn(`“${columnOf(cell).title}” is read-only for you.`);
      event.preventDefault();
      keep(cell, '');
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      // Typing over a cell edits it, starting from what was typed (as a spreadsheet does).
      if (columnOf(cell).type === 'boolean' || columnOf(cell).format?.kind === 'list') return;
      event.preventDefault();
      startEdit(cell, event.key);
    }
  }

  table.addEventListener('keydown', (event) => {
    if (editing && editing.editor === event.target) return onEditorKey(event);
    if (event.target === current) onCellKey(event);
  });

  table.addEventListener('click', (event) => {
    const cell = event.target.closest?.('td[data-column]');
    if (!cell || !body.contains(cell) || event.target.closest('button, input, select, a')) return;
    if (editing?.cell === cell) return;
    void moveTo(cell, { extend: event.shiftKey }).then((moved) => {
      if (moved && !event.shiftKey && columnOf(cell).writable && columnOf(cell).type !== 'boolean') startEdit(cell);
    });
  });

  // A value typed and then clicked away from is kept, as Tab would keep it.
  table.addEventListener('focusout', (event) => {
    if (editing && event.target === editing.editor && !table.contains(event.relatedTarget)) {
      commitEdit();
    }
  });

  window.addEventListener('beforeunload', (event) => {
    if (editing) commitEdit();
    if (staged.size) event.preventDefault(); // the browser asks before unsaved cells are lost
  });

  installClipboard({
    table,
    columns,
    rows,
    cellAt,
    posOf,
    rangeBox,
    valueOf,
    current: () => current,
    editing: () => editing,
    keep,
    say,
    warn,
    csrf,
  });

  table.dataset.gridReady = '1'; // the interactivity benchmark and the browser tests wait for this
}
