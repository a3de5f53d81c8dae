// The sign-in form reports the browser's time zone (an IANA name such as Europe/Berlin), so pages show times
// in it until the person chooses a zone on her account page. Without JavaScript the field stays empty: UTC.
for (const field of document.querySelectorAll('input[data-browser-zone]')) {
  try {
    if (field instanceof HTMLInputElement) field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    // An old browser without time-zone support: the server falls back to UTC.
  }
}
