// The request repository: JSON columns round-trip, the once-only claim, and the queries the scheduler, the
// banners and the calendar rely on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestRepository, type NewRequest } from '../../src/features/requests/request-repository.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let repo: ReturnType<typeof createRequestRepository>;
beforeAll(async () => {
  t = await createTestApp();
  repo = createRequestRepository(t.db);
});
afterAll(() => t.close());

const request = (over: Partial<NewRequest> = {}): NewRequest => ({
  orgId: 'org-1',
  title: 'Snow closure',
  reason: 'forecast',
  authorId: 2,
  authorName: 'Tess',
  rows: [
    {
      tableId: 't1',
      tableName: 'Sites',
      key: 'Leeds',
      kind: 'update',
      original: { open: true },
      requested: { open: false },
    },
    {
      tableId: 't2',
      tableName: 'Flags',
      key: 'Snow',
      kind: 'create',
      original: null,
      requested: { key: 'Snow', on: 1 },
    },
  ],
  ...over,
});

describe('the request repository', () => {
  it('stores rows with stable positions and parses their JSON back', async () => {
    const r = await repo.create(request());
    expect(r.status).toBe('draft');
    expect(r.rows.map((x) => [x.position, x.key, x.original, x.requested, x.state])).toEqual([
      [1, 'Leeds', { open: true }, { open: false }, 'pending'],
      [2, 'Snow', null, { key: 'Snow', on: 1 }, 'pending'],
    ]);
    await repo.removeRow(r.id, r.rows[1]!.id);
    await repo.addRows(r.id, [
      { tableId: 't1', tableName: 'Sites', key: 'York', kind: 'delete', original: { open: true }, requested: null },
    ]);
    const again = (await repo.get(r.id))!;
    expect(again.rows.map((x) => [x.position, x.key])).toEqual([
      [1, 'Leeds'],
      [2, 'York'], // appended after the last; Leeds keeps its place (positions derive change ids)
    ]);
    await repo.updateRow(again.rows[0]!.id, { state: 'held', theirs: { open: 'maybe' } });
    expect((await repo.get(r.id))!.rows[0]).toMatchObject({ state: 'held', theirs: { open: 'maybe' } });
  });

  it('claims a status once: the second of two racing transitions gets false', async () => {
    const r = await repo.create(request({ status: 'approved' }));
    const [a, b] = await Promise.all([
      repo.transition(r.id, ['approved'], 'applying'),
      repo.transition(r.id, ['approved'], 'applying'),
    ]);
    expect([a, b].sort()).toEqual([false, true]);
    expect((await repo.get(r.id))!.status).toBe('applying');
  });

  it('finds due applies and reverts, open requests touching a table, and the calendar window', async () => {
    const at = (iso: string) => new Date(iso);
    const due = await repo.create(request({ orgId: 'org-2', status: 'approved' }));
    await repo.update(due.id, { applyAt: at('2026-02-01T10:00:00Z') });
    const later = await repo.create(request({ orgId: 'org-2', status: 'approved' }));
    await repo.update(later.id, { applyAt: at('2026-02-02T10:00:00Z') });
    const applied = await repo.create(request({ orgId: 'org-2', status: 'applied' }));
    await repo.update(applied.id, { applyAt: at('2026-01-31T10:00:00Z'), revertAt: at('2026-02-01T09:00:00Z') });
    const unapproved = await repo.create(request({ orgId: 'org-2', status: 'submitted' }));
    await repo.update(unapproved.id, { applyAt: at('2026-01-01T10:00:00Z') });
    await repo.create(request({ orgId: 'org-2', status: 'withdrawn' }));

    const now = await repo.due(at('2026-02-01T10:00:00Z'));
    expect(now.apply.map((r) => r.id)).toEqual([due.id]);
    expect(now.revert.map((r) => r.id)).toEqual([applied.id]);

    const touching = await repo.openTouching('org-2', 't1', ['Leeds']);
    expect(touching.map((r) => r.id).sort()).toEqual([due.id, later.id, applied.id, unapproved.id].sort());
    expect(await repo.openTouching('org-2', 't1', ['Nowhere'])).toEqual([]);

    const feb1 = await repo.scheduledBetween('org-2', at('2026-02-01T00:00:00Z'), at('2026-02-02T00:00:00Z'));
    expect(feb1.map((r) => r.id).sort()).toEqual([due.id, applied.id].sort());

    const listed = await repo.list({ orgId: 'org-2', statuses: ['approved'], touching: { tableId: 't2' } });
    expect(listed.map((r) => r.id).sort()).toEqual([due.id, later.id].sort());
  });
});
