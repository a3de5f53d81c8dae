// A person-readable name for the browser of a session ("Chrome 156 on Windows"), from its User-Agent header.
// The account page listed the header's first 60 characters, cut mid-word ("Mozilla/5.0 (X11; Linux x86_64)
// AppleWebKit/537.36 (KHTML, li"); the whole header stays available as the name's title.

/** Browsers in the order they must be tested: Edge and Opera also say "Chrome", Chrome also says "Safari". */
const BROWSERS: [name: string, pattern: RegExp][] = [
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\b(?:OPR|Opera)\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /\b(?:Chrome|Chromium|CriOS)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)[\d.]* (?:Mobile\/\w+ )?Safari\//],
];

const SYSTEMS: [name: string, pattern: RegExp][] = [
  ['Android', /\bAndroid\b/],
  ['iPhone', /\biPhone\b/],
  ['iPad', /\biPad\b/],
  ['Windows', /\bWindows\b/],
  ['macOS', /\bMac OS X\b|\bMacintosh\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['Linux', /\bLinux\b/],
];

/** "Chrome 156 on Linux"; an unknown agent is named by its first word, never cut inside one; null for none. */
export function browserName(userAgent: string | null | undefined): string | null {
  const ua = (userAgent ?? '').trim();
  if (!ua) return null;
  const browser = BROWSERS.map(([name, re]) => {
    const m = re.exec(ua);
    return m ? `${name} ${m[1]}` : null;
  }).find(Boolean);
  const system = SYSTEMS.find(([, re]) => re.test(ua))?.[0];
  if (browser) return system ? `${browser} on ${system}` : browser;
  const first = ua.split(/\s+/)[0]!;
  const short = first.length > 40 ? `${first.slice(0, 40)}…` : first;
  return system ? `${short} on ${system}` : short;
}
