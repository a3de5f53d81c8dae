// Progressive enhancement only: every page works without this file (CSP forbids inline scripts).
// Forms marked data-confirm ask before submitting.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Selects marked data-autosubmit submit their form on change (the Switch button stays for keyboard users
// and for pages without JavaScript).
document.addEventListener('change', (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute('data-autosubmit') && select.form)
    select.form.requestSubmit();
});

// The bulk form shows the value input that fits the chosen column: a yes/no select for boolean columns,
// a text box for the others; for Delete neither, nor the column (without JavaScript all are shown and the
// server uses the fitting one).
function showBulkValueInput() {
  const column = document.getElementById('bulk-column');
  const action = document.getElementById('bulk-action');
  const deleting = action instanceof HTMLSelectElement && action.value === 'delete';
  for (const field of document.querySelectorAll('[data-bulk-set]')) {
    if (field instanceof HTMLElement) field.hidden = deleting;
  }
  if (deleting || !(column instanceof HTMLSelectElement)) return;
  const boolean = column.selectedOptions[0]?.dataset.type === 'boolean';
  for (const field of document.querySelectorAll('[data-bulk-input]')) {
    if (field instanceof HTMLElement) field.hidden = (field.dataset.bulkInput === 'boolean') !== boolean;
  }
}
document.addEventListener('change', (event) => {
  if (event.target instanceof HTMLElement && (event.target.id === 'bulk-column' || event.target.id === 'bulk-action'))
    showBulkValueInput();
});
showBulkValueInput();
