// The editor a cell opens, by the column's type and (when the table has one) its format (<th data-format>,
// the format spec as JSON): yes/no as a select, numbers with a numeric keyboard, a list as a select, dates
// and times as the browser's pickers. The server checks every value again; an editor only helps typing it.

/** The column's format spec from its header, or null (a missing or unreadable attribute is no format). */
export function formatOf(th) {
  if (!th.dataset.format) return null;
  try {
    const spec = JSON.parse(th.dataset.format);
    return spec && typeof spec.kind === 'string' ? spec : null;
  } catch {
    return null;
  }
}

const INPUT_TYPE = { date: 'date', time: 'time', email: 'email', phone: 'tel' };

function select(options, value) {
  const el = document.createElement('select');
  for (const [v, label] of options) el.add(new Option(label, v, false, v === value));
  // A value the list does not hold (set before the format existed) stays choosable, as it is.
  if (!options.some(([v]) => v === value)) el.add(new Option(value, value, true, true), 0);
  return el;
}

/** An editor element for `column` holding `value` (text as data-value has it); `.value` reads it back. */
export function editorFor(column, value) {
  const format = column.format;
  let el;
  if (column.type === 'boolean') {
    el = select(
      [
        ['true', 'Yes'],
        ['false', 'No'],
      ],
      value === 'true' ? 'true' : 'false',
    );
  } else if (format?.kind === 'list' && Array.isArray(format.values)) {
    el = select(
      format.values.map((v) => [String(v), String(v)]),
      value,
    );
  } else {
    el = document.createElement('input');
    el.type = INPUT_TYPE[format?.kind] ?? 'text';
    el.value = value;
    if (column.type === 'integer') el.inputMode = 'numeric';
    else if (column.type === 'number' || format?.kind === 'range') el.inputMode = 'decimal';
  }
  el.className = 'cell-editor';
  el.setAttribute('aria-label', column.title);
  if (column.hint) el.title = column.hint;
  return el;
}

/** How a value shows in its cell (yes/no for booleans). */
export const shown = (column, value) => (column.type === 'boolean' ? (value === 'true' ? 'Yes' : 'No') : value);
