// Issue 16: the account page names each session's browser readably ("Chrome 156 on Linux"), not the
// User-Agent header cut at 60 characters in the middle of a word; the whole header stays in the title.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, completeSetup, createTestApp, signIn, type TestApp } from '../helpers/test-app.js';

const CHROME_ON_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await completeSetup(t);
});
afterAll(async () => t.close());

describe('the account page’s sessions', () => {
  it('name each browser and system, with the whole header as the title', async () => {
    const chrome = t.agent().set('User-Agent', CHROME_ON_LINUX);
    await signIn(t, ADMIN.email, ADMIN.password, chrome);
    const firefox = t.agent().set('User-Agent', FIREFOX_ON_WINDOWS);
    await signIn(t, ADMIN.email, ADMIN.password, firefox);
    const page = (await chrome.get('/account')).text;
    const sessions = /<ul class="sessions">([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? '';
    expect(sessions).toContain(`<span title="${CHROME_ON_LINUX}">Chrome 156 on Linux</span>`);
    expect(sessions).toContain(`<span title="${FIREFOX_ON_WINDOWS}">Firefox 140 on Windows</span>`);
    expect(sessions.replace(/<[^>]*>/g, ''), 'the header is not in the text').not.toContain('Mozilla');
  });
});
