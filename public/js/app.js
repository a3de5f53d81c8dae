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
  if (select instanceof HTMLSelectElement && select.hasAttribute('data-autosubmit') && select.form) select.form.requestSubmit();
});
