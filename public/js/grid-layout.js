// The table page's layout for people with JavaScript (every part also works without it: the Columns form
// saves order and visibility, the search box is a normal field):
// - column widths saved per person and table, applied through a constructed style sheet (CSSOM: the CSP
//   allows no inline styles), changed by dragging a header's edge or with arrow keys on it;
// - columns reordered by dragging a header onto another;
// - `/` focuses the search, `?` opens the list of keyboard shortcuts.
(() => {
  const wrap = document.querySelector('.grid-wrap[data-layout-url]');
  const table = wrap?.querySelector('table.grid');
  const csrf = document.querySelector('input[name="_csrf"]')?.value ?? '';

  function post(fields) {
    const body = new URLSearchParams({ _csrf: csrf });
    for (const [k, v] of fields) body.append(k, v);
    return fetch(wrap.dataset.layoutUrl, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      credentials: 'same-origin',
    });
  }

  if (wrap && table) {
    let widths = {};
    try {
      widths = JSON.parse(wrap.dataset.widths || '{}');
    } catch {
      widths = {};
    }
    const sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    const selector = (column) => `table.grid [data-column="${CSS.escape(column)}"]`;
    const render = () => {
      const rules = Object.entries(widths).map(
        ([c, w]) => `${selector(c)} { width: ${w}px; min-width: ${w}px; max-width: ${w}px; }`,
      );
      sheet.replaceSync(rules.join('\n'));
    };
    render();
    const clamp = (w) => Math.round(Math.min(1200, Math.max(40, w)));
    const saveWidth = (column) =>
      void post([
        ['wcol', column],
        ['w', String(widths[column])],
      ]);

    const headers = [...table.querySelectorAll('thead th[data-column]')];
    for (const th of headers) {
      const column = th.dataset.column;
      const title = th.textContent.trim();
      // Resize: a handle on the header's right edge (pointer drag, or arrow keys when focused).
      const handle = document.createElement('span');
      handle.className = 'col-resize';
      handle.tabIndex = 0;
      handle.setAttribute('role', 'separator');
      handle.setAttribute('aria-orientation', 'vertical');
      handle.setAttribute('aria-label', `Width of ${title} (left and right arrows change it)`);
      // A focusable separator is a slider to assistive technology: it says its value (the width in pixels).
      handle.setAttribute('aria-valuemin', '40');
      handle.setAttribute('aria-valuemax', '1200');
      const announce = () =>
        handle.setAttribute('aria-valuenow', String(Math.round(widths[column] ?? th.getBoundingClientRect().width)));
      announce();
      handle.addEventListener('pointerdown', (event) => {
        event.preventDefault();
        event.stopPropagation();
        const startX = event.clientX;
        const startWidth = th.getBoundingClientRect().width;
        handle.setPointerCapture(event.pointerId);
        const move = (e) => {
          widths[column] = clamp(startWidth + e.clientX - startX);
          render();
          announce();
        };
        const up = () => {
          handle.removeEventListener('pointermove', move);
          handle.removeEventListener('pointerup', up);
          if (widths[column]) saveWidth(column);
        };
        handle.addEventListener('pointermove', move);
        handle.addEventListener('pointerup', up);
      });
      handle.addEventListener('keydown', (event) => {
        if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
        event.preventDefault();
        const current = widths[column] ?? th.getBoundingClientRect().width;
        widths[column] = clamp(current + (event.key === 'ArrowRight' ? 16 : -16));
        render();
        announce();
        saveWidth(column);
      });
      th.append(handle);

      // Reorder: drag a header onto another; the column goes before it. Saved, then the page is built again.
      th.draggable = true;
      th.addEventListener('dragstart', (event) => {
        event.dataTransfer.setData('text/x-grid-column', column);
        event.dataTransfer.effectAllowed = 'move';
      });
      th.addEventListener('dragover', (event) => {
        if (event.dataTransfer.types.includes('text/x-grid-column')) {
          event.preventDefault();
          th.classList.add('drop-target');
        }
      });
      th.addEventListener('dragleave', () => th.classList.remove('drop-target'));
      th.addEventListener('drop', async (event) => {
        event.preventDefault();
        th.classList.remove('drop-target');
        const moved = event.dataTransfer.getData('text/x-grid-column');
        if (!moved || moved === column) return;
        const order = headers.map((h) => h.dataset.column).filter((c) => c !== moved);
        order.splice(order.indexOf(column), 0, moved);
        // Columns hidden from the grid keep their place after the shown ones.
        for (const input of document.querySelectorAll('.columns-form input[name="col"]'))
          if (!order.includes(input.value)) order.push(input.value);
        const res = await post(order.map((c) => ['col', c]));
        if (res.ok) {
          // The URL's own order (a shared view) would win over the saved layout: drop it.
          const url = new URL(window.location.href);
          url.searchParams.delete('order');
          window.location.assign(url.toString());
        }
      });
    }
  }

  // Keyboard shortcuts of the table page.
  const help = document.getElementById('shortcuts-help');
  const helpButton = document.getElementById('shortcuts-button');
  if (help && helpButton) {
    helpButton.hidden = false;
    helpButton.addEventListener('click', () => help.showModal());
  }
  // Not while typing in a field, nor in the grid's cells (its own keys: typing there edits the cell).
  const typing = (el) =>
    el instanceof HTMLElement &&
    (el.isContentEditable ||
      ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) ||
      el.closest('dialog[open]') ||
      el.closest('table.grid tbody'));
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === '/') {
      const search = document.getElementById('row-search');
      if (!search) return;
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === '?' && help && !help.open) {
      event.preventDefault();
      help.showModal();
    }
  });
})();
