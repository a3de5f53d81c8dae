// The real server in a child process, pointed at a test emulator, driven over HTTP: for tests that kill the
// process and start it again on the same DATA_DIR.
import supertest from 'supertest';
import { freePort, spawnServer, waitForHealthy } from './spawn-server.js';
import { ADMIN } from './test-app.js';

export type HttpAgent = ReturnType<typeof supertest.agent>;

/** The CSRF token of the first form in a page. */
export const formToken = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

/** Starts the server (from the sources) on a fresh port with every org's traffic sent to the emulator. */
export async function startServerWithEmulator(
  dataDir: string,
  emulatorPort: number,
  extra: Record<string, string> = {},
) {
  const port = await freePort();
  const proc = spawnServer({
    DATA_DIR: dataDir,
    PORT: String(port),
    NODE_ENV: 'test',
    GENESYS_API_OVERRIDE: `http://127.0.0.1:${emulatorPort}`,
    AUDIT_RECONCILE_GRACE_SECONDS: '0',
    LOG_CONSOLE: 'false',
    ...extra,
  });
  await waitForHealthy(port, proc);
  return { proc, agent: supertest.agent(`http://127.0.0.1:${port}`) };
}

/** The setup wizard over HTTP: creates ADMIN (signed in on `agent`) and connects an emulator org. */
export async function setUpWithOrg(
  agent: HttpAgent,
  org: { name: string; clientId: string; clientSecret: string },
): Promise<void> {
  // (Each token is read before its POST starts: the agent attaches cookies when a request is created.)
  const setupToken = formToken((await agent.get('/setup')).text);
  await agent
    .post('/setup')
    .type('form')
    .send({ _csrf: setupToken, ...ADMIN, passwordConfirm: ADMIN.password })
    .expect(303);
  const connectToken = formToken((await agent.get('/setup/connect')).text);
  await agent
    .post('/setup/connect/org')
    .type('form')
    .send({ _csrf: connectToken, region: 'us_east_1', color: 'red', ...org })
    .expect(303);
}
