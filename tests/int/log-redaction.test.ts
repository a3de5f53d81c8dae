// L2/L3: planted canary values (passwords, session ids, CSRF tokens, secrets) never reach a log line, in memory
// or on disk; a hostile user name cannot forge log lines.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, flushedLogFiles, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silly' } });
});
afterEach(async () => t.close());

async function allLogText(): Promise<string> {
  const files = (await flushedLogFiles(t)).map((f) => f.text);
  return [...t.logs.lines, ...files].join('\n');
}

describe('log redaction', () => {
  it('never logs passwords, session ids, CSRF tokens or registered secrets', async () => {
    const password = 'PW-CANARY-correct horse battery';
    const agent = t.agent();
    const setupPage = await agent.get('/setup');
    const sid = decodeURIComponent(/dtm\.sid=([^;]+)/.exec(String(setupPage.headers['set-cookie']))![1]!);
    const token = /name="_csrf" value="([^"]+)"/.exec(setupPage.text)![1]!;
    await agent
      .post('/setup')
      .type('form')
      .send({ _csrf: token, email: 'canary@example.com', displayName: 'Canary', password, passwordConfirm: password })
      .expect(303);

    const second = t.agent();
    const loginToken = await csrfFrom(second, '/login');
    const wrong = 'PW-CANARY-wrong password guess';
    await second.post('/login').type('form').send({ _csrf: loginToken, email: 'canary@example.com', password: wrong });
    // A caller who logs a whole object full of secrets still leaks nothing.
    t.redactor.addSecret('SEC-CANARY-client-secret-value');
    t.redactor.addSecret('TOK-CANARY-xyz'); // the Genesys gateway registers every access token it obtains
    t.services.logger.info('debug dump', {
      body: { password, _csrf: loginToken },
      headers: { cookie: `dtm.sid=${sid}`, authorization: 'Bearer TOK-CANARY-abc' },
      note: 'secret is SEC-CANARY-client-secret-value',
    });
    t.services.logger.error('upstream failed', {
      err: new Error('token TOK-CANARY-xyz rejected: Bearer TOK-CANARY-xyz'),
    });

    const text = await allLogText();
    expect(text.length).toBeGreaterThan(0);
    for (const canary of [
      'PW-CANARY',
      'SEC-CANARY',
      'TOK-CANARY',
      sid,
      token,
      loginToken,
      t.services.secrets.sessionSecret,
    ]) {
      expect(text, `log contains ${canary.slice(0, 12)}…`).not.toContain(canary);
    }
    expect(text).toContain('[REDACTED]');
  });

  it('keeps one JSON object per line even with a hostile email (no log injection)', async () => {
    const agent = t.agent();
    const token = await csrfFrom(agent, '/setup');
    await agent.post('/setup').type('form').send({
      _csrf: token,
      email: 'ok@example.com',
      displayName: 'Ok',
      password: 'correct horse battery',
      passwordConfirm: 'correct horse battery',
    });
    const other = t.agent();
    const loginToken = await csrfFrom(other, '/login');
    await other
      .post('/login')
      .type('form')
      .send({ _csrf: loginToken, email: 'evil\n{"level":"info","message":"admin login ok"}', password: 'x' });
    for (const f of await flushedLogFiles(t)) {
      for (const line of f.text.trim().split('\n')) {
        expect(() => JSON.parse(line)).not.toThrow();
      }
    }
    expect(t.logs.entries().filter((e) => e.message === 'admin login ok')).toHaveLength(0);
  });
});
