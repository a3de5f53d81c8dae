// The app reads its own writes when Genesys shows an update late (emulator updateVisibility 'lagging', an
// UNCONFIRMED knob) as well as when it shows it at once: an edit of one column, then at once of another through
// the edit form, keeps the first (the form's baseline and the merge see the written values, not the row as it
// was, which would silently write the first edit's column back); another user of the same app reads the
// written values too; undo and a reload from Genesys see them. Runs under both emulator profiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/emulator.js';
import { csrfFrom, type Agent } from '../helpers/test-app.js';
import { permissionWorld, sandboxTable, type PermissionWorld } from '../helpers/permission-fixtures.js';

const KEY = 'Main Line';

/** The edit form's fields as a browser would submit them (hidden baselines, text fields, checked boxes). */
function formFields(html: string): Record<string, string> {
  const form = html.slice(html.indexOf('<form method="post" action="/tables/'));
  const fields: Record<string, string> = {};
  for (const [tag] of form.slice(0, form.indexOf('</form>')).matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]+)"/.exec(tag)?.[1];
    if (!name || name === '_csrf') continue;
    if (/type="checkbox"/.test(tag)) {
      if (/\bchecked\b/.test(tag)) fields[name] = 'on';
      continue;
    }
    fields[name] = (/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return fields;
}

describe.each(['immediate', 'lagging'] as const)(
  'the app reads its own writes, emulator updates %s',
  (updateVisibility) => {
    let w: PermissionWorld;
    let emu: RunningEmulator;
    beforeAll(async () => {
      w = await permissionWorld();
      emu = w.t.services.sandbox.running!;
      // Lagging: 20 s under the default profile's real clock, so a slow machine still reads inside the window
      // (the gateway remembers its writes for 30 s); the realistic profile's own 3 s on its shared clock.
      if (updateVisibility === 'lagging')
        emu.setBehaviour({
          updateVisibility,
          visibilityDelayMs: Math.max(
            emu.options.behaviour.visibilityDelayMs,
            emu.options.behaviour.updateVisibility === 'lagging' ? 0 : 20_000,
          ),
        });
      else emu.setBehaviour({ updateVisibility });
    }, 60_000);
    afterAll(async () => w.t.close());

    const rowPath = () => `/tables/${w.flagsId}/rows/${encodeURIComponent(KEY)}`;
    const stored = () => sandboxTable(w, 'Emergency Flags').rows.get(KEY)!;
    const form = async (agent: Agent) => formFields((await agent.get(rowPath())).text);
    const save = async (agent: Agent, fields: Record<string, string>) =>
      agent
        .post(rowPath())
        .type('form')
        .send({ _csrf: await csrfFrom(agent, '/account'), ...fields });

    it('an edit of one column, then at once of another through the form, keeps the first', async () => {
      const editor = w.users.tableEditor.agent;
      const first = await form(editor);
      expect((await save(editor, { ...first, 'f:Message': 'First edit' })).status).toBe(303);
      // The form opened right after shows the saved value, as its field and as its baseline.
      const second = await form(editor);
      expect(second).toMatchObject({ 'f:Message': 'First edit', 'o:Message': 'First edit' });
      const res = await save(editor, { ...second, 'f:Priority': '7' });
      expect(res.status).toBe(303); // no conflict with the app's own edit
      expect(stored()).toMatchObject({ Message: 'First edit', Priority: 7 });
      // After-write checks saw the written values: both edits are recorded as applied.
      const outcomes = await w.t.db.auditEvent.findMany({
        where: { action: 'row.updated', outcome: { not: 'intent' } },
        orderBy: { seq: 'asc' },
      });
      expect(outcomes.map((e) => e.outcome)).toEqual(['applied', 'applied']);
    });

    it("another user of the same app reads the first user's write at once, and saves onto it", async () => {
      const editor = w.users.tableEditor.agent;
      const start = await form(editor);
      expect((await save(editor, { ...start, 'f:Message': 'Written by Tess' })).status).toBe(303);
      const seenByAdmin = await form(w.admin);
      expect(seenByAdmin).toMatchObject({ 'f:Message': 'Written by Tess', 'o:Message': 'Written by Tess' });
      const { 'f:Active': _active, ...unchecked } = seenByAdmin;
      expect((await save(w.admin, { ...unchecked, 'f:ActivatedBy': 'admin' })).status).toBe(303);
      expect(stored()).toMatchObject({ Message: 'Written by Tess', ActivatedBy: 'admin' });
      // A reload from Genesys (the whole table, as the grid reads it) shows the written values too.
      expect(
        (
          await w.admin
            .post(`/tables/${w.flagsId}/reload`)
            .type('form')
            .send({ _csrf: await csrfFrom(w.admin, `/tables/${w.flagsId}`) })
        ).status,
      ).toBe(303);
      const cached = await w.t.services.rowCache.get(w.orgId, w.flagsId);
      expect(cached.rows.find((r) => r.key === KEY)).toMatchObject({
        Message: 'Written by Tess',
        ActivatedBy: 'admin',
      });
    });

    it('undo right after an edit finds the row holding what the edit wrote', async () => {
      const editor = w.users.tableEditor.agent;
      const before = await form(editor);
      expect((await save(editor, { ...before, 'f:Message': 'Undo me' })).status).toBe(303);
      const seq = (
        await w.t.db.auditEvent.findFirstOrThrow({
          where: { action: 'row.updated', outcome: 'intent' },
          orderBy: { seq: 'desc' },
        })
      ).seq;
      const res = await editor
        .post(`/audit/${seq}/undo`)
        .type('form')
        .send({ _csrf: await csrfFrom(editor, `/audit/${seq}`) });
      expect(res.status).toBe(303);
      expect(stored()).toMatchObject({ Message: before['f:Message'] });
      expect(
        (await w.t.db.auditEvent.findFirstOrThrow({ where: { action: 'row.updated' }, orderBy: { seq: 'desc' } }))
          .outcome,
      ).toBe('applied');
    });
  },
);
