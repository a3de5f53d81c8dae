// Editing in the grid, one row at a time, for people with JavaScript: "Edit here" turns the row's writable
// cells into inputs; Enter saves (through the same server path and checks as the edit form), Esc cancels,
// Tab moves between cells. Without JavaScript the Edit link opens the full form instead.
(() => {
  const table = document.querySelector('table.grid[data-grid-edit="on"]');
  if (!table) return;
  const csrf = document.querySelector('input[name="_csrf"]')?.value ?? '';
  const headers = [...table.querySelectorAll('thead th[data-column]')];
  const columns = new Map(
    headers.map((th) => [th.dataset.column, { type: th.dataset.type, writable: th.dataset.writable === '1' }]),
  );
  const status = document.createElement('p');
  status.setAttribute('role', 'status');
  status.className = 'hint';
  table.parentElement.after(status);

  const display = (cell, value, type) => {
    cell.dataset.value = value;
    cell.textContent = type === 'boolean' ? (value === 'true' ? 'Yes' : 'No') : value;
  };

  function stopEditing(row) {
    for (const cell of row.querySelectorAll('td.editing')) {
      const info = columns.get(cell.dataset.column);
      cell.classList.remove('editing');
      display(cell, cell.dataset.value, info.type); // cancelled: the value it had; saved: the value Genesys kept
    }
    row.classList.remove('saving', 'error');
    row.querySelector('.grid-edit')?.focus();
  }

  async function save(row) {
    const body = new URLSearchParams({ _csrf: csrf });
    for (const cell of row.querySelectorAll('td.editing')) {
      const column = cell.dataset.column;
      const input = cell.querySelector('input');
      if (columns.get(column).type === 'boolean') {
        body.set(`b:${column}`, '1');
        if (input.checked) body.set(`f:${column}`, 'on');
      } else body.set(`f:${column}`, input.value);
      body.set(`o:${column}`, cell.dataset.value);
    }
    row.classList.add('saving');
    const res = await fetch(row.dataset.rowUrl, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      credentials: 'same-origin',
    });
    const result = await res.json().catch(() => ({ ok: false, error: `The server answered ${res.status}.` }));
    row.classList.remove('saving');
    if (!result.ok) {
      row.classList.add('error');
      const details = Object.entries(result.fieldErrors ?? {})
        .map(([c, m]) => `${c}: ${m}`)
        .join(' ');
      status.textContent = `${result.error ?? 'Not saved.'} ${details}`.trim();
      return;
    }
    for (const cell of row.querySelectorAll('td.editing')) {
      const v = result.row[cell.dataset.column];
      cell.dataset.value = v === undefined ? '' : String(v);
    }
    stopEditing(row);
    status.textContent = result.changed.length ? `Saved (${result.changed.join(', ')}).` : 'No changes.';
  }

  function startEditing(row) {
    for (const other of table.querySelectorAll('td.editing')) stopEditing(other.parentElement);
    let first;
    for (const cell of row.querySelectorAll('td[data-column]')) {
      const info = columns.get(cell.dataset.column);
      if (!info?.writable) continue;
      const input = document.createElement('input');
      input.setAttribute(
        'aria-label',
        headers.find((h) => h.dataset.column === cell.dataset.column).textContent.trim(),
      );
      if (info.type === 'boolean') {
        input.type = 'checkbox';
        input.checked = cell.dataset.value === 'true';
      } else {
        input.type = 'text';
        input.value = cell.dataset.value;
        if (info.type !== 'string') input.inputMode = info.type === 'integer' ? 'numeric' : 'decimal';
      }
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          void save(row);
        } else if (event.key === 'Escape') {
          event.preventDefault();
          stopEditing(row);
          status.textContent = 'Edit cancelled.';
        }
      });
      cell.textContent = '';
      cell.classList.add('editing');
      cell.append(input);
      first ??= input;
    }
    first?.focus();
    status.textContent = 'Editing: Enter saves, Escape cancels, Tab moves between cells.';
  }

  for (const row of table.querySelectorAll('tbody tr[data-row-url]')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button small grid-edit';
    button.textContent = 'Edit here';
    button.addEventListener('click', () => startEditing(row));
    row.querySelector('td.actions')?.prepend(button);
  }
})();
