// Playbooks (issue 15) and R5 of the security checklist: a user with only "run playbooks" cannot widen a
// playbook by crafted POSTs; a changed playbook needs approval before the change runs (runs keep writing the
// approved version); the run right is needed on every table; a read-only org runs nothing; a run writes its
// rows, names the playbook and the runner in the audit log, and reverts after the duration (manual clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/genesys/gateway.js';
import { actorOfUser, createUser, signIn, type Agent } from '../helpers/test-app.js';
import {
  PASSWORD,
  permissionWorld,
  postForm,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
let runner: { id: number; agent: Agent };
let partialRunner: { id: number; agent: Agent };

const SNOW = [
  {
    table: 'Emergency Flags',
    key: 'Weather Closure',
    kind: 'update',
    values: { Active: true, Message: 'Closed: snow' },
  },
];

const flagRow = (key: string) => sandboxTable(w, 'Emergency Flags').rows.get(key);
const playbookByName = (name: string) => w.t.db.playbook.findFirstOrThrow({ where: { name } });

async function createPlaybook(name: string, content: unknown, fields: Record<string, string> = {}) {
  const res = await postForm(w.admin, '/playbooks', { name, content: JSON.stringify(content), ...fields });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return playbookByName(name);
}

beforeAll(async () => {
  w = await permissionWorld();
  const make = async (name: string) => {
    const u = await createUser(w.t, {
      email: `${name.toLowerCase()}@example.com`,
      displayName: name,
      password: PASSWORD,
    });
    return { id: u.id, agent: (await signIn(w.t, u.email, PASSWORD)).agent };
  };
  runner = await make('Rita');
  partialRunner = await make('Pat');
  // Rita: views both tables, may run playbooks on both, edits nothing; ActivatedBy is hidden from her.
  const runColumns = { key: 'read', Active: 'read', Message: 'read', Priority: 'read', ActivatedBy: 'hidden' } as const;
  await w.grant(runner.id, w.flagsId, { canRunPlaybooks: true, columns: runColumns });
  await w.grant(runner.id, w.hoursId, { canRunPlaybooks: true, defaultColumnAccess: 'read' });
  // Pat: may run playbooks on Emergency Flags only (views Opening Hours).
  await w.grant(partialRunner.id, w.flagsId, { canRunPlaybooks: true, columns: runColumns });
  await w.grant(partialRunner.id, w.hoursId, { defaultColumnAccess: 'read' });
}, 60_000);
afterAll(async () => w.t.close());

describe('defining playbooks (administrators)', () => {
  it('creates a playbook whose content is checked against the live schema, and audits it', async () => {
    const p = await createPlaybook('Snow day', SNOW, { durationMinutes: '120', description: 'Site closed' });
    // The org changes directly (its default policy): the content is approved at once.
    expect(p).toMatchObject({ version: 1, durationMinutes: 120, pendingRequestId: null });
    expect(JSON.parse(p.content)).toEqual([
      {
        tableId: w.flagsId,
        tableName: 'Emergency Flags',
        key: 'Weather Closure',
        kind: 'update',
        requested: { Active: true, Message: 'Closed: snow' },
      },
    ]);
    const actions = (await w.t.db.auditEvent.findMany({ where: { action: { startsWith: 'playbook.' } } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(['playbook.created', 'playbook.published']);
  });

  it('refuses content that names a missing table or column, a wrong type, or a bad new key, naming the row', async () => {
    const cases: [unknown, RegExp][] = [
      [[{ table: 'Nope', key: 'x', kind: 'update', values: { A: 1 } }], /Row 1: there is no table “Nope”/],
      [[{ table: 'Emergency Flags', key: 'Main Line', kind: 'update', values: { Colour: 'red' } }], /not a column/],
      [[{ table: 'Emergency Flags', key: 'Main Line', kind: 'update', values: { Priority: 'high' } }], /whole number/],
      [
        [{ table: 'Emergency Flags', key: ' Lead', kind: 'create', values: { Active: true } }],
        /starts or ends with a space/,
      ],
      [[{ table: 'Emergency Flags', key: 'Main Line', kind: 'update', values: {} }], /at least one value/],
      ['not json', /not valid JSON/],
    ];
    for (const [content, message] of cases) {
      const res = await postForm(w.admin, '/playbooks', {
        name: 'Broken',
        content: typeof content === 'string' ? content : JSON.stringify(content),
      });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(message);
    }
    expect(await w.t.db.playbook.count({ where: { name: 'Broken' } })).toBe(0);
  });
});

describe('R5: a runner cannot widen a playbook', () => {
  it('refuses every administrator route to a user with only "run playbooks", and changes nothing', async () => {
    const p = await playbookByName('Snow day');
    const before = await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } });
    const widened = JSON.stringify([
      { table: 'Emergency Flags', key: 'Main Line', kind: 'update', values: { Message: 'pwned' } },
    ]);
    const crafted = { name: 'Snow day', content: widened, durationMinutes: '99999' };
    for (const [url, body] of [
      ['/playbooks', { ...crafted, name: 'Mine' }],
      [`/playbooks/${p.id}`, crafted],
      [`/playbooks/${p.id}/archive`, {}],
    ] as const) {
      const res = await postForm(runner.agent, url, body);
      expect(res.status, url).toBe(403);
    }
    for (const url of ['/playbooks/new', `/playbooks/${p.id}/edit`])
      expect((await runner.agent.get(url)).status, url).toBe(403);
    expect(await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } })).toEqual(before);
    expect(await w.t.db.playbook.count({ where: { name: 'Mine' } })).toBe(0);
  });

  it('shows the runner the playbook with hidden columns masked, and no edit controls', async () => {
    await w.t.services.sandbox.running!; // the emulator is up
    const p = await createPlaybook('Canary', [
      {
        table: 'Emergency Flags',
        key: 'Billing Queue',
        kind: 'update',
        values: { Message: 'Billing down', ActivatedBy: 'canary-7f3e', Active: true },
      },
    ]);
    const list = await runner.agent.get('/playbooks');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Canary');
    expect(list.text).not.toContain('/edit');
    const page = await runner.agent.get(`/playbooks/${p.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Billing down');
    expect(page.text).toMatch(/Active → <ins class="value">Yes<\/ins>/); // as tables show booleans
    expect(page.text).not.toContain('canary-7f3e');
    expect(page.text).not.toContain('ActivatedBy');
    expect(page.text).toContain('1 column(s) you cannot see');
    expect(page.text).not.toContain('/archive');
  });

  it('hides a playbook from, and refuses its run to, a runner without the right on one of its tables', async () => {
    const p = await createPlaybook('Two tables', [
      ...SNOW,
      { table: 'Opening Hours', key: 'Sales/Mon', kind: 'update', values: { Closed: true } },
    ]);
    expect((await partialRunner.agent.get('/playbooks')).text).not.toContain('Two tables');
    expect((await partialRunner.agent.get(`/playbooks/${p.id}`)).status).toBe(404);
    const writes = w.writes();
    const res = await postForm(partialRunner.agent, `/playbooks/${p.id}/run`, { reason: 'try' });
    expect(res.status).toBe(403);
    expect(w.writes()).toBe(writes);
    expect(await w.t.db.changeRequest.count({ where: { playbookId: p.id } })).toBe(0);
  });

  it('refuses a run without a reason, or with an end time that has passed, naming the field', async () => {
    const p = await playbookByName('Snow day');
    const noReason = await postForm(runner.agent, `/playbooks/${p.id}/run`, { reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Say why you run this playbook');
    const past = await postForm(runner.agent, `/playbooks/${p.id}/run`, { reason: 'snow', endAt: '2020-01-01T10:00' });
    expect(past.status).toBe(400);
    expect(past.text).toContain('The end time has passed');
    expect(await w.t.db.changeRequest.count({ where: { playbookId: p.id } })).toBe(0);
  });

  it('refuses runs in a read-only org', async () => {
    const p = await playbookByName('Snow day');
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: true } });
    try {
      const writes = w.writes();
      const res = await postForm(runner.agent, `/playbooks/${p.id}/run`, { reason: 'snow' });
      expect(res.status).toBe(403);
      expect(res.text).toContain('read-only');
      expect(w.writes()).toBe(writes);
    } finally {
      await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { readOnly: false } });
    }
  });
});

describe('editing and archiving', () => {
  it('a newer edit withdraws the content still waiting; archiving withdraws it too and stops runs', async () => {
    const p = await createPlaybook('Holiday', SNOW);
    const edit = (message: string) =>
      postForm(w.admin, `/playbooks/${p.id}`, {
        name: 'Holiday',
        content: JSON.stringify([
          { table: 'Emergency Flags', key: 'Weather Closure', kind: 'update', values: { Message: message } },
        ]),
      });
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy: 'approval' } });
    try {
      const form = await w.admin.get(`/playbooks/${p.id}/edit`);
      expect(form.status).toBe(200);
      expect(form.text).toContain('Closed: snow');
      expect((await edit('First')).status).toBe(303);
      const first = (await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } })).pendingRequestId!;
      expect((await edit('Second')).status).toBe(303);
      const second = (await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } })).pendingRequestId!;
      expect(second).not.toBe(first);
      const status = async (id: string) => (await w.t.db.changeRequest.findUniqueOrThrow({ where: { id } })).status;
      expect([await status(first), await status(second)]).toEqual(['withdrawn', 'submitted']);
      // The form shows the rows waiting; saving them again (a new name, say) keeps them waiting as they are.
      expect((await w.admin.get(`/playbooks/${p.id}/edit`)).text).toContain('Second');
      expect((await edit('Second')).status).toBe(303);
      expect((await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } })).pendingRequestId).toBe(second);
      // Saving the approved rows again drops the change waiting.
      const back = await postForm(w.admin, `/playbooks/${p.id}`, { name: 'Holiday', content: JSON.stringify(SNOW) });
      expect(back.status).toBe(303);
      expect((await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } })).pendingRequestId).toBeNull();
      expect(await status(second)).toBe('withdrawn');
      expect((await edit('Third')).status).toBe(303);
      const third = (await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } })).pendingRequestId!;
      expect((await postForm(w.admin, `/playbooks/${p.id}/archive`)).status).toBe(303);
      expect(await status(third)).toBe('withdrawn');
      expect((await postForm(runner.agent, `/playbooks/${p.id}/run`, { reason: 'x' })).status).toBe(404);
      expect((await runner.agent.get('/playbooks')).text).not.toContain('Holiday');
      expect(
        await w.t.services.playbooks.runProblem({ playbookId: p.id, purpose: 'change', status: 'applying', rows: [] }),
      ).toMatch(/archived/);
    } finally {
      await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy: 'direct' } });
    }
  });
});

describe('running playbooks', () => {
  it('runs the approved content whatever else the body carries, names the playbook and the runner', async () => {
    const p = await playbookByName('Snow day');
    const res = await postForm(runner.agent, `/playbooks/${p.id}/run`, {
      reason: 'snow on the roads',
      // Crafted extras: none of them may change what runs.
      rows: '[]',
      values: '{"Message":"pwned"}',
      tableId: w.hoursId,
      durationMinutes: '1',
      'values[Message]': 'pwned',
      content: JSON.stringify([{ table: 'Emergency Flags', key: 'Main Line', kind: 'delete' }]),
    });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    const request = await w.t.db.changeRequest.findFirstOrThrow({
      where: { playbookId: p.id, purpose: 'change' },
      include: { rows: true },
    });
    expect(request).toMatchObject({ authorId: runner.id, reason: 'snow on the roads' });
    expect(request.revertAt?.getTime()).toBe(w.t.clock.now() + 120 * 60_000);
    expect(request.rows.map((r) => [r.tableId, r.key, r.kind, JSON.parse(r.requested!)])).toEqual([
      [w.flagsId, 'Weather Closure', 'update', { Active: true, Message: 'Closed: snow' }],
    ]);
    const run = await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'playbook.run' } });
    expect(run.actorId).toBe(runner.id);
    expect(JSON.parse(run.details!)).toMatchObject({ playbookId: p.id, name: 'Snow day', requestId: request.id });
  });

  it("takes the runner's end time in the org's time zone", async () => {
    const p = await playbookByName('Snow day');
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { timeZone: 'Europe/Berlin' } });
    try {
      const res = await postForm(runner.agent, `/playbooks/${p.id}/run`, {
        reason: 'until six',
        endAt: '2026-01-15T18:00',
      });
      expect(res.status, res.text.slice(0, 300)).toBe(303);
      const run = await w.t.db.changeRequest.findFirstOrThrow({ where: { playbookId: p.id, reason: 'until six' } });
      expect(run.revertAt?.toISOString()).toBe('2026-01-15T17:00:00.000Z');
      await w.t.services.jobs.idle();
    } finally {
      await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { timeZone: 'UTC' } });
    }
  });

  it('keeps running the approved version while changed content waits for approval', async () => {
    const p = await createPlaybook('Outage', [
      { table: 'Emergency Flags', key: 'Billing Queue', kind: 'update', values: { Active: true } },
    ]);
    await w.t.db.genesysOrg.update({
      where: { id: w.orgId },
      data: { changePolicy: 'approval', approvalsNeeded: 1 },
    });
    try {
      const edited = await postForm(w.admin, `/playbooks/${p.id}`, {
        name: 'Outage',
        content: JSON.stringify([
          { table: 'Emergency Flags', key: 'Billing Queue', kind: 'update', values: { Active: true, Priority: 9 } },
        ]),
      });
      expect(edited.status, edited.text.slice(0, 300)).toBe(303);
      const after = await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } });
      expect(after.version).toBe(1);
      expect(after.content).toBe(p.content);
      expect(after.pendingRequestId).not.toBeNull();
      const pending = await w.t.db.changeRequest.findUniqueOrThrow({ where: { id: after.pendingRequestId! } });
      expect(pending).toMatchObject({ purpose: 'playbook', playbookId: p.id, status: 'submitted' });
      const res = await postForm(runner.agent, `/playbooks/${p.id}/run`, { reason: 'outage' });
      expect(res.status, res.text.slice(0, 300)).toBe(303);
      const run = await w.t.db.changeRequest.findFirstOrThrow({
        where: { playbookId: p.id, purpose: 'change' },
        include: { rows: true },
      });
      expect(JSON.parse(run.rows[0]!.requested!)).toEqual({ Active: true });
      // Approved by someone with the approve right: published as version 2, which the next run writes.
      await w.grant(w.users.tableEditor.id, w.flagsId, { canApprove: true, defaultColumnAccess: 'write' });
      const approver = await actorOfUser(w.t, w.users.tableEditor.id);
      await w.t.services.requests.approve(approver, pending.id, { version: pending.version });
      const published = await w.t.db.playbook.findUniqueOrThrow({ where: { id: p.id } });
      expect(published).toMatchObject({ version: 2, pendingRequestId: null });
      expect(JSON.parse(published.content)[0].requested).toEqual({ Active: true, Priority: 9 });
      expect((await w.t.db.changeRequest.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe('applied');
      await w.t.services.jobs.idle();
      expect((await postForm(runner.agent, `/playbooks/${p.id}/run`, { reason: 'again' })).status).toBe(303);
      const second = await w.t.db.changeRequest.findFirstOrThrow({
        where: { playbookId: p.id, purpose: 'change', reason: 'again' },
        include: { rows: true },
      });
      expect(JSON.parse(second.rows[0]!.requested!)).toEqual({ Active: true, Priority: 9 });
      // R3: an apply of the first run starting now (version 1's rows) is held, naming why; the second may go.
      const rowsOf = (r: typeof run) =>
        r.rows.map((x) => ({ ...x, kind: x.kind as 'update', requested: JSON.parse(x.requested!) as Row }));
      const playbooks = w.t.services.playbooks;
      expect(await playbooks.runProblem({ ...run, status: 'applying', rows: rowsOf(run) })).toMatch(
        /was changed since this run was started/,
      );
      expect(await playbooks.runProblem({ ...second, status: 'applying', rows: rowsOf(second) })).toBeNull();
      // Its revert may always go: it writes back what the run found.
      expect(await playbooks.runProblem({ ...run, status: 'reverting', rows: rowsOf(run) })).toBeNull();
    } finally {
      await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy: 'direct' } });
    }
  });

  it('refuses to run a playbook whose content was never approved', async () => {
    await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy: 'approval' } });
    try {
      const p = await createPlaybook('Unapproved', SNOW);
      expect(p.version).toBe(0);
      const res = await postForm(w.admin, `/playbooks/${p.id}/run`, { reason: 'try' });
      expect(res.status).toBe(409);
    } finally {
      await w.t.db.genesysOrg.update({ where: { id: w.orgId }, data: { changePolicy: 'direct' } });
    }
  });

  it('writes the rows as the runner, naming the playbook, and reverts them after the duration', async () => {
    const original = { ...flagRow('Main Line')! };
    const p = await createPlaybook(
      'Emergency message on',
      [{ table: 'Emergency Flags', key: 'Main Line', kind: 'update', values: { Active: true, Message: 'Storm' } }],
      { durationMinutes: '30' },
    );
    const res = await postForm(runner.agent, `/playbooks/${p.id}/run`, { reason: 'storm warning' });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    await w.t.services.jobs.idle();
    expect(flagRow('Main Line')).toMatchObject({ Active: true, Message: 'Storm' });
    const request = await w.t.db.changeRequest.findFirstOrThrow({ where: { playbookId: p.id } });
    expect(request.status).toBe('applied');
    const write = await w.t.db.auditEvent.findFirstOrThrow({
      where: { action: 'row.updated', outcome: 'intent', rowKey: 'Main Line', batchId: request.batchId },
    });
    expect(write.actorId).toBe(runner.id);
    expect(JSON.parse(write.details!)).toMatchObject({ playbook: p.id, request: request.id });
    // The runner's own request list shows the run.
    const mine = await w.t.services.requests.list(await actorOfUser(w.t, runner.id), { authorId: runner.id });
    expect(mine.map((r) => r.id)).toContain(request.id);
    // The page lists the run.
    expect((await runner.agent.get(`/playbooks/${p.id}`)).text).toContain(`/requests/${request.id}`);
    expect((await runner.agent.get(`/requests/${request.id}`)).status).toBe(200);

    w.t.clock.advance(29 * 60_000);
    await w.t.services.periodic.tick();
    await w.t.services.jobs.idle();
    expect(flagRow('Main Line')).toMatchObject({ Active: true, Message: 'Storm' });
    w.t.clock.advance(60_000 + 500);
    await w.t.services.periodic.tick();
    await w.t.services.jobs.idle();
    expect(flagRow('Main Line')).toEqual(original);
    expect((await w.t.db.changeRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe('reverted');
  });
});
