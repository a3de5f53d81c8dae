// The account page names each session's browser readably instead of cutting the User-Agent header mid-word.
import { describe, expect, it } from 'vitest';
import { browserName } from '../../src/lib/browser-name.js';

describe('browserName', () => {
  it.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      'Chrome 156 on Linux',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
      'Edge 131 on Windows',
    ],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox 133 on macOS'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'Safari 18 on iPhone',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36',
      'Chrome 131 on Android',
    ],
    ['curl/8.5.0', 'curl/8.5.0'],
  ])('%s → %s', (ua, name) => {
    expect(browserName(ua)).toBe(name);
  });

  it('never cuts inside a word, and names no browser for a missing header', () => {
    expect(browserName(`${'x'.repeat(80)} more words`)).toBe(`${'x'.repeat(40)}…`);
    expect(browserName(null)).toBeNull();
    expect(browserName('   ')).toBeNull();
  });
});
