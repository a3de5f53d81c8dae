// Progressive enhancement only: every page works without this file (CSP forbids inline scripts).
// Forms marked data-confirm ask before submitting.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
