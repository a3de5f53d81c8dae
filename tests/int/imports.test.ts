// Issue 17: importing a spreadsheet into a table through the pages: upload → mapping → dry run → apply (a job:
// pre-import backup, one batch through the change engine) → report → undo. Every mode, all-or-nothing rollback
// after a failure injected in the emulator (failRowWrites), the approval path, the exact-export round trip,
// R6 (rights refused in the dry run, hidden values never shown) and R8 (another person's draft or job: 404).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from 'supertest';
import { ADMIN_ACTOR, csrfFrom, signIn } from '../helpers/test-app.js';
import { pageOnceReady } from '../helpers/eventually.js';
import { buildZip, deflatedBlanks, sheetXml, workbookParts } from '../helpers/zip-builder.js';
import {
  PASSWORD,
  permissionWorld,
  plantHiddenCanary,
  postForm,
  sandboxTable,
  type PermissionWorld,
} from '../helpers/permission-fixtures.js';

let w: PermissionWorld;
beforeEach(async () => {
  w = await permissionWorld();
});
afterEach(async () => w.t.close());

const flagRows = () => sandboxTable(w, 'Emergency Flags').rows;

/** Uploads `csv` as `name` for a dry run; the response (303 to the mapping page, or the form again). */
async function upload(agent: Agent, csv: string | Buffer, fields: Record<string, string> = {}, name = 'flags.csv') {
  const token = await csrfFrom(agent, '/account');
  let req = agent.post(`/tables/${w.flagsId}/import`).field('_csrf', token);
  for (const [k, v] of Object.entries({ mode: 'add', ...fields })) req = req.field(k, v);
  return req.attach('file', typeof csv === 'string' ? Buffer.from(csv) : csv, name);
}

/** Uploads and goes through the mapping page as auto-matched; the dry-run page's address and text. */
async function dryRun(agent: Agent, csv: string, fields: Record<string, string> = {}) {
  const res = await upload(agent, csv, fields);
  expect(res.status, res.text).toBe(303);
  const mappingUrl = res.headers.location!;
  expect(mappingUrl).toMatch(/^\/imports\/[\w-]+\/mapping$/);
  const mapping = await agent.get(mappingUrl);
  expect(mapping.status).toBe(200);
  const url = mappingUrl.replace(/\/mapping$/, '');
  const page = await agent.get(url);
  expect(page.status).toBe(200);
  return { url, draftId: url.split('/').pop()!, page: page.text, mapping: mapping.text };
}

/** Applies a dry run and follows the job to its end; the job page. */
async function applyAndWait(agent: Agent, url: string, fields: Record<string, string> = {}) {
  const res = await postForm(agent, `${url}/apply`, fields);
  expect(res.status).toBe(303);
  const jobUrl = res.headers.location!;
  expect(jobUrl).toMatch(/^\/imports\/jobs\//);
  const page = await pageOnceReady(agent, jobUrl, 'the import to end', (t) => !t.includes('Importing…'), {
    timeoutMs: 25_000,
  });
  return { jobUrl, jobId: jobUrl.split('/').pop()!, page };
}

const tess = () => w.users.tableEditor.agent;
const HEADER = 'key,Active,Message,Priority';

describe('import modes', () => {
  it('add: the dry run lists the new rows and writes nothing; apply adds them after a backup, as one batch', async () => {
    const writesBefore = w.writes();
    const { url, page, mapping } = await dryRun(
      tess(),
      `${HEADER}\nFire Drill,true,Drill in progress,2\nPower Cut,false,Power is out,3\n`,
    );
    expect(mapping).toContain('Match the columns');
    expect(page).toMatch(/<li data-count="adds"><strong>2<\/strong>/);
    expect(page).toContain('Fire Drill');
    expect(w.writes()).toBe(writesBefore); // a dry run writes nothing
    expect(flagRows().has('Fire Drill')).toBe(false);

    const { page: report, jobId } = await applyAndWait(tess(), url);
    expect(report).toContain('Import done');
    expect(report).toMatch(/<li data-count="written"><strong>2<\/strong>/);
    expect(report).toContain('Undo this import');
    expect(flagRows().get('Fire Drill')).toMatchObject({ Active: true, Message: 'Drill in progress', Priority: 2 });
    const backup = await w.t.db.backup.findFirstOrThrow({ where: { kind: 'before import flags.csv' } });
    expect(backup.tableNames).toBe('Emergency Flags');
    const job = await w.t.db.job.findUniqueOrThrow({ where: { id: jobId } });
    const intents = await w.t.db.auditEvent.findMany({ where: { batchId: job.batchId, outcome: 'intent' } });
    expect(intents.map((e) => e.rowKey).sort()).toEqual(['Fire Drill', 'Power Cut']);
    expect(await w.t.db.auditEvent.count({ where: { action: 'import.dry_run' } })).toBe(1);
    const applied = await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'import.applied' } });
    expect(JSON.parse(applied.details!)).toMatchObject({ written: 2, failed: 0, rolledBack: false, adds: 2 });
  });

  it('upsert: updates show only their changed columns before and after', async () => {
    const { url, page } = await dryRun(
      tess(),
      `${HEADER}\nMain Line,true,We are experiencing a high volume of calls.,1\nNew Line,false,Hello,1\n`,
      { mode: 'upsert' },
    );
    expect(page).toMatch(/<li data-count="adds"><strong>1<\/strong>/);
    expect(page).toMatch(/<li data-count="updates"><strong>1<\/strong>/);
    expect(page).toMatch(/<td>Active<\/td><td class="value">No<\/td><td class="value"><strong>Yes<\/strong>/);
    await applyAndWait(tess(), url);
    expect(flagRows().get('Main Line')).toMatchObject({
      Active: true,
      Message: 'We are experiencing a high volume of calls.',
    });
    expect(flagRows().get('New Line')).toMatchObject({ Message: 'Hello' });
  });

  it('exact: deletes are listed apart and must be confirmed; then the table is like the file', async () => {
    const keep = [...flagRows().values()][0]!;
    const csv = `${HEADER}\n${keep.key},${keep.Active},"${String(keep.Message)}",${keep.Priority}\n`;
    const { url, page } = await dryRun(tess(), csv, { mode: 'exact' });
    const others = flagRows().size - 1;
    expect(page).toMatch(new RegExp(`<li data-count="deletes"><strong>${others}</strong>`));
    expect(page).toContain('id="import-deletes"');
    const writes = w.writes();
    const refused = await postForm(tess(), `${url}/apply`);
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe(url); // back to the dry run, with the message
    expect((await tess().get(url)).text).toContain('Confirm that');
    expect(w.writes()).toBe(writes);
    await applyAndWait(tess(), url, { confirmDeletes: 'on' });
    expect([...flagRows().keys()]).toEqual([keep.key]);
  });

  it('round trip: the exact CSV export imports back as "no changes"', async () => {
    const csv = await tess().get(`/tables/${w.flagsId}/export.csv?for=exact`);
    expect(csv.status).toBe(200);
    const { page } = await dryRun(tess(), csv.text, { mode: 'exact' });
    expect(page).toContain('id="no-changes"');
    expect(page).toMatch(/<li data-count="problems"><strong>0<\/strong>/);
    expect(page).not.toContain('id="import-apply"');
  });
});

describe('column formats', () => {
  it('a value that breaks a column format is a problem of the dry run, worded as everywhere', async () => {
    const org = await w.t.services.orgs.get(w.orgId);
    await w.t.services.formats.save(ADMIN_ACTOR, org, w.flagsId, 'Message', {
      kind: 'list',
      values: ['Open', 'Closed'],
    });
    const { page } = await dryRun(tess(), `${HEADER}\nRow A,false,Open,1\nRow B,false,Shut,1\n`);
    expect(page).toContain('data-kind="bad_format"');
    expect(page).toMatch(/Line 3, column “Message”/);
    expect(page).toContain('id="import-blocked"');
  });
});

describe('all or nothing', () => {
  it('puts the table back when a row fails (injected in the emulator), and says why', async () => {
    const before = structuredClone([...flagRows()]);
    const emu = w.t.services.sandbox.running!;
    emu.setBehaviour({ failRowWrites: ['Row C'] });
    const rows = ['Row A', 'Row B', 'Row C', 'Row D'].map((k) => `${k},false,Message ${k},1`).join('\n');
    const csv = `${HEADER}\nMain Line,true,Changed,1\n${rows}\n`;
    const { url } = await dryRun(tess(), csv, { mode: 'upsert', allOrNothing: 'on' });
    const { page } = await applyAndWait(tess(), url);
    emu.setBehaviour({ failRowWrites: [] });
    expect(page).toContain('Import put back');
    expect(page).toContain('id="import-rolled-back"');
    expect(page).toContain('Row C');
    expect(page).not.toContain('Undo this import');
    expect([...flagRows()]).toEqual(before);
    const applied = await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'import.applied' } });
    expect(JSON.parse(applied.details!)).toMatchObject({ rolledBack: true, allOrNothing: true });
  });

  it('without it, the failed row is listed and the others are written', async () => {
    const emu = w.t.services.sandbox.running!;
    emu.setBehaviour({ failRowWrites: ['Row B'] });
    const { url } = await dryRun(tess(), `${HEADER}\nRow A,false,A,1\nRow B,false,B,1\nRow C,false,C,1\n`);
    const { page } = await applyAndWait(tess(), url);
    emu.setBehaviour({ failRowWrites: [] });
    expect(page).toMatch(/<li data-count="failed"><strong>1<\/strong>/);
    expect(page).toMatch(/Row B: line 3:/);
    expect(flagRows().has('Row A')).toBe(true);
    expect(flagRows().has('Row B')).toBe(false);
    expect(flagRows().has('Row C')).toBe(true);
  });

  it('with the knob off, an all-or-nothing import passes whole', async () => {
    const { url } = await dryRun(tess(), `${HEADER}\nRow A,false,A,1\nRow B,false,B,1\n`, { allOrNothing: 'on' });
    const { page } = await applyAndWait(tess(), url);
    expect(page).toContain('Import done');
    expect(flagRows().has('Row B')).toBe(true);
  });
});

describe('undo and approval', () => {
  it('undoes the whole import as one unit from the report', async () => {
    const before = structuredClone([...flagRows()]);
    const { url } = await dryRun(tess(), `${HEADER}\nMain Line,true,Changed,3\nRow A,false,A,1\n`, { mode: 'upsert' });
    const { page } = await applyAndWait(tess(), url);
    const undoUrl = /id="undo-import" href="([^"]+)"/.exec(page)![1]!;
    expect((await tess().get(undoUrl)).status).toBe(200);
    const res = await postForm(tess(), `${undoUrl}/undo`);
    expect(res.status).toBe(303);
    await pageOnceReady(
      tess(),
      res.headers.location!,
      'the undo',
      (t) => !t.includes('Working…') && !t.includes('Undoing…'),
      {
        timeoutMs: 25_000,
      },
    );
    await pageOnceReady(tess(), res.headers.location!, 'the undo to finish', () => flagRows().size === before.length);
    expect([...flagRows()]).toEqual(before);
  });

  it('under an approval policy, applying saves a change request and writes nothing', async () => {
    await w.t.db.tableChangePolicy.create({
      data: {
        orgId: w.orgId,
        tableId: w.flagsId,
        tableName: 'Emergency Flags',
        changePolicy: 'approval',
        approvalsNeeded: 1,
      },
    });
    const { url, page, draftId } = await dryRun(tess(), `${HEADER}\nRow A,false,A,1\n`);
    expect(page).toContain('Save as a change request');
    const writes = w.writes();
    const res = await postForm(tess(), `${url}/apply`, { reason: 'New flags for the drill' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/requests\//);
    expect(w.writes()).toBe(writes);
    const request = await w.t.db.changeRequest.findFirstOrThrow({ include: { rows: true } });
    expect(request.rows.map((r) => [r.key, r.kind])).toEqual([['Row A', 'create']]);
    const draft = await w.t.db.importDraft.findUniqueOrThrow({ where: { id: draftId } });
    expect([draft.status, draft.requestId]).toEqual(['requested', request.id]);
    expect(await w.t.db.auditEvent.count({ where: { action: 'import.requested' } })).toBe(1);
  });
});

describe('R6: rights are refused in the dry run, nothing written, nothing hidden shown', () => {
  it('a file touching a hidden or read-only column, or adding without the add right', async () => {
    const canary = 'CANARY-hidden-7731';
    await plantHiddenCanary(w, canary);
    const cole = w.users.columnEditor.agent; // edits Message only; Priority read; ActivatedBy hidden; no add
    const writes = w.writes();
    const { url, page } = await dryRun(
      cole,
      // Billing Queue alone would be a valid change: the file's other problems still stop it all.
      'key,Message,Priority,ActivatedBy\nMain Line,Hello,5,someone\nBrand New,Hi,1,x\nBilling Queue,Updated,2,y\n',
      { mode: 'upsert' },
    );
    expect(page).toContain('id="import-problems"');
    // A hidden column is answered like one the table does not have: not imported, named as such (never "hidden").
    expect(page).toMatch(/id="not-imported">Columns of the file not imported: ActivatedBy /);
    expect(page).toContain('data-kind="read_only_column"');
    expect(page).toContain('data-kind="no_add_right"');
    expect(page).not.toContain(canary);
    expect(page).not.toContain('id="import-apply"');
    const res = await postForm(cole, `${url}/apply`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(url); // back to the dry run: no job was started
    expect(await w.t.db.job.count({ where: { kind: 'import' } })).toBe(0);
    expect(w.writes()).toBe(writes);
    const draft = await w.t.db.importDraft.findFirstOrThrow({ where: { userId: w.users.columnEditor.id } });
    expect(draft.plan).not.toContain(canary);
  });

  // Found by the attack pass: the dry run kept the values of its time, and its page showed them after the column
  // was hidden from its owner. Her pages now show the plan cut to what she may see, and it cannot be applied.
  it('a column hidden from the importer after her dry run: its values leave her pages, the draft is blocked', async () => {
    const canary = 'CANARY-hidden-after-4411';
    await plantHiddenCanary(w, canary);
    const { url, page } = await dryRun(tess(), 'key,ActivatedBy\nMain Line,NEWVAL-123\n', { mode: 'upsert' });
    expect(page).toContain(canary); // she may see it at the time of the dry run
    await w.grant(w.users.tableEditor.id, w.flagsId, {
      canEdit: true,
      canAdd: true,
      canDelete: true,
      defaultColumnAccess: 'write',
      columns: { ActivatedBy: 'hidden' },
    });
    const writes = w.writes();
    const again = await tess().get(url);
    expect(again.status).toBe(200);
    expect(again.text).not.toContain(canary);
    expect(again.text).not.toContain('NEWVAL-123');
    expect(again.text).toContain('Your rights on this table changed since the dry run');
    const res = await postForm(tess(), `${url}/apply`);
    expect(res.headers.location).toBe(url); // refused: no job
    expect(await w.t.db.job.count({ where: { kind: 'import' } })).toBe(0);
    expect(w.writes()).toBe(writes);
    expect(flagRows().get('Main Line')!.ActivatedBy).toBe(canary);
  });

  it('a person who may only view the table cannot import into it', async () => {
    const vic = w.users.viewer.agent;
    expect((await vic.get(`/tables/${w.flagsId}/import`)).status).toBe(403);
    const res = await upload(vic, `${HEADER}\nRow A,false,A,1\n`);
    expect(res.status).toBe(403);
    expect(await w.t.db.importDraft.count()).toBe(0);
  });
});

describe('a dry run is kept for 24 hours', () => {
  it('after that its pages say so, it cannot be applied, and nothing is written', async () => {
    const { url } = await dryRun(tess(), `${HEADER}\nKept Row,false,Kept,1\n`);
    // A day later her session has ended too: she signs in again, as a person would.
    const { email } = await w.t.db.user.findUniqueOrThrow({ where: { id: w.users.tableEditor.id } });
    const again = async () => (await signIn(w.t, email, PASSWORD)).agent;
    w.t.clock.advance(23 * 60 * 60 * 1000);
    let tessLater = await again();
    expect((await tessLater.get(url)).status).toBe(200); // still kept
    w.t.clock.advance(2 * 60 * 60 * 1000);
    tessLater = await again();
    const writes = w.writes();
    const page = await tessLater.get(url);
    expect(page.status).toBe(404);
    expect(page.text).toContain('no longer kept: upload the file again');
    const res = await postForm(tessLater, `${url}/apply`);
    expect(res.status).toBe(404);
    expect(await w.t.db.job.count({ where: { kind: 'import' } })).toBe(0);
    expect(w.writes()).toBe(writes);
    expect(flagRows().has('Kept Row')).toBe(false);
  });
});

describe("R8: another person's draft or import job is not found", () => {
  it('cannot be seen, remapped, applied or followed by id', async () => {
    await w.grant(w.users.viewer.id, w.flagsId, { canAdd: true, canEdit: true, defaultColumnAccess: 'write' });
    const { url, draftId } = await dryRun(tess(), `${HEADER}\nRow A,false,A,1\n`);
    const vic = w.users.viewer.agent;
    expect((await vic.get(url)).status).toBe(404);
    expect((await vic.get(`${url}/mapping`)).status).toBe(404);
    expect((await postForm(vic, `${url}/mapping`, { mode: 'add' })).status).toBe(404);
    expect((await postForm(vic, `${url}/apply`)).status).toBe(404);
    expect((await w.t.db.importDraft.findUniqueOrThrow({ where: { id: draftId } })).status).toBe('draft');
    const { jobId } = await applyAndWait(tess(), url);
    expect((await vic.get(`/imports/jobs/${jobId}`)).status).toBe(404);
    expect((await vic.get(`/jobs/${jobId}`)).status).toBe(404);
    expect((await postForm(vic, `/jobs/${jobId}/resume`)).status).toBe(404);
    expect((await w.admin.get(`/imports/jobs/${jobId}`)).status).toBe(200); // administrators see every job
  });
});

describe('bad input shows the reason and writes nothing', () => {
  it.each([
    ['an empty file', ''],
    ['a header only', `${HEADER}\n`],
    ['a stray quote in a cell', `${HEADER}\nRow A,false,=HYPERLINK("http://x"),1\n`],
  ])('%s', async (_what, csv) => {
    const writes = w.writes();
    const res = await upload(tess(), csv);
    if (res.status === 303) {
      const page = (await tess().get(res.headers.location!.replace(/\/mapping$/, ''))).text;
      expect(page).toContain('id="import-blocked"');
    } else {
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/id="(import|file)-error"/);
    }
    expect(w.writes()).toBe(writes);
  });

  it.each([
    ['inconsistent column counts', `${HEADER}\nRow A,false,A,1\nRow B,false\n`],
    ['a formula in a cell', `${HEADER}\nRow A,false,=SUM(A1:A9),1\n`],
    ['a BOM in the middle', `${HEADER}\nRow A,false,A\uFEFF,1\n`],
    ['5,001 rows', `${HEADER}\n${Array.from({ length: 5001 }, (_, i) => `R${i},false,m,1`).join('\n')}\n`],
  ])('%s: the dry run names the problem and cannot be applied', async (_what, csv) => {
    const writes = w.writes();
    const { url, page } = await dryRun(tess(), csv);
    expect(page).toContain('id="import-problems"');
    expect(page).toContain('id="import-blocked"');
    expect((await postForm(tess(), `${url}/apply`)).headers.location).toBe(url);
    expect(await w.t.db.job.count({ where: { kind: 'import' } })).toBe(0);
    expect(w.writes()).toBe(writes);
  });

  it('a zip bomb disguised as XLSX is refused with the reason', async () => {
    const bomb = buildZip([
      ...workbookParts(sheetXml('')).slice(0, 3),
      { name: 'xl/worksheets/sheet1.xml', data: '', packed: deflatedBlanks(80), declaredSize: 2048 },
    ]);
    const res = await upload(tess(), bomb, {}, 'holidays.xlsx');
    expect(res.status).toBe(400);
    expect(res.text).toContain('zip bomb');
    expect(await w.t.db.importDraft.count()).toBe(0);
  });

  it('a 60 MB file is refused at the upload limit, with the reason', async () => {
    const res = await upload(tess(), Buffer.alloc(60 * 1024 * 1024, 'a'));
    expect(res.status).toBe(400);
    expect(res.text).toContain('larger than');
    expect(await w.t.db.importDraft.count()).toBe(0);
  });
});
