// The authorization matrix: every route x method x role -> expected status. Data-driven, and it fails when
// a route is added without an entry here. Admin-only routes point at records that do not exist, so an admin
// gets past authorization to a 404/400 while everyone else is stopped at 403 (or sent to sign in).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, type Agent } from '../helpers/test-app.js';
import { permissionWorld, type PermissionWorld } from '../helpers/permission-fixtures.js';

const ROLES = ['anonymous', 'none', 'viewer', 'columnEditor', 'tableEditor', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Expect = Record<Role, number>;

let w: PermissionWorld;
let agents: Record<Role, Agent>;
beforeAll(async () => {
  w = await permissionWorld();
  const anonymous = w.t.agent();
  await anonymous.get('/login');
  agents = {
    anonymous,
    none: w.users.none.agent,
    viewer: w.users.viewer.agent,
    columnEditor: w.users.columnEditor.agent,
    tableEditor: w.users.tableEditor.agent,
    admin: w.admin,
  };
}, 60_000);
afterAll(async () => w.t.close());

const all = (status: number): Expect => Object.fromEntries(ROLES.map((r) => [r, status])) as Expect;
const signedIn = (method: string, statuses: Omit<Expect, 'anonymous'>): Expect => ({
  anonymous: method === 'get' ? 303 : 401,
  ...statuses,
});
const everyoneSignedIn = (method: string, status: number) =>
  signedIn(method, { none: status, viewer: status, columnEditor: status, tableEditor: status, admin: status });
const adminOnly = (method: string, adminStatus: number) =>
  signedIn(method, { none: 403, viewer: 403, columnEditor: 403, tableEditor: 403, admin: adminStatus });

interface Entry {
  expect: Expect;
  path?: (role: Role) => string;
  body?: (role: Role) => Record<string, string>;
}

const NO_USER = '99999';
const NO_ORG = 'no-such-org';

function matrix(): Record<string, Entry> {
  const flags = `/tables/${w.flagsId}`;
  const mainLine = `${flags}/rows/${encodeURIComponent('Main Line')}`;
  const byRole = (role: Role) => `${flags}/rows/${encodeURIComponent(`Matrix ${role}`)}`;
  return {
    'get /healthz': { expect: all(200) },
    'get /login': { expect: { ...all(303), anonymous: 200 } },
    // One made-up account per role: the per-account slowdown (ADR 006) would answer the sixth failure with 429.
    'post /login': {
      expect: all(401),
      body: (role) => ({ email: `nobody-${role}@example.com`, password: 'wrong password' }),
    },
    'get /setup': { expect: all(404) },
    'post /setup': { expect: all(404) },
    'get /setup/connect': { expect: adminOnly('get', 404) },
    'post /setup/connect/sandbox': { expect: adminOnly('post', 404) },
    'post /setup/connect/org': { expect: adminOnly('post', 404) },
    'post /setup/connect': { expect: adminOnly('post', 404) },
    'get /': { expect: everyoneSignedIn('get', 200) },
    'get /admin/orgs': { expect: adminOnly('get', 200) },
    'get /admin/orgs/new': { expect: adminOnly('get', 200) },
    'post /admin/orgs': { expect: adminOnly('post', 400) },
    'post /admin/orgs/sandbox': { expect: adminOnly('post', 303) },
    'get /admin/orgs/:id/edit': { expect: adminOnly('get', 404), path: () => `/admin/orgs/${NO_ORG}/edit` },
    'post /admin/orgs/:id': { expect: adminOnly('post', 404), path: () => `/admin/orgs/${NO_ORG}` },
    'post /admin/orgs/:id/test': { expect: adminOnly('post', 404), path: () => `/admin/orgs/${NO_ORG}/test` },
    'post /admin/orgs/:id/archive': { expect: adminOnly('post', 404), path: () => `/admin/orgs/${NO_ORG}/archive` },
    'post /admin/orgs/:id/unarchive': { expect: adminOnly('post', 404), path: () => `/admin/orgs/${NO_ORG}/unarchive` },
    'post /admin/orgs/:id/delete': { expect: adminOnly('post', 404), path: () => `/admin/orgs/${NO_ORG}/delete` },
    'get /admin/orgs/:id/readiness': { expect: adminOnly('get', 404), path: () => `/admin/orgs/${NO_ORG}/readiness` },
    'post /admin/orgs/:id/readiness': { expect: adminOnly('post', 404), path: () => `/admin/orgs/${NO_ORG}/readiness` },
    'post /admin/orgs/:id/reset-sandbox': {
      expect: adminOnly('post', 404),
      path: () => `/admin/orgs/${NO_ORG}/reset-sandbox`,
    },
    // A user with no table right in the org may not switch to it (issue 16): it is not open to them.
    'post /orgs/current': { expect: { ...everyoneSignedIn('post', 303), none: 404 }, body: () => ({ orgId: w.orgId }) },
    'get /admin/users': { expect: adminOnly('get', 200) },
    'get /admin/users/new': { expect: adminOnly('get', 200) },
    'post /admin/users': { expect: adminOnly('post', 400) },
    'get /admin/users/:id': { expect: adminOnly('get', 404), path: () => `/admin/users/${NO_USER}` },
    'post /admin/users/:id': { expect: adminOnly('post', 404), path: () => `/admin/users/${NO_USER}` },
    'post /admin/users/:id/disable': { expect: adminOnly('post', 404), path: () => `/admin/users/${NO_USER}/disable` },
    'post /admin/users/:id/enable': { expect: adminOnly('post', 404), path: () => `/admin/users/${NO_USER}/enable` },
    'post /admin/users/:id/delete': { expect: adminOnly('post', 404), path: () => `/admin/users/${NO_USER}/delete` },
    'post /admin/users/:id/reset-password': {
      expect: adminOnly('post', 404),
      path: () => `/admin/users/${NO_USER}/reset-password`,
    },
    'post /admin/users/:id/end-sessions': {
      expect: adminOnly('post', 404),
      path: () => `/admin/users/${NO_USER}/end-sessions`,
    },
    'get /account': { expect: everyoneSignedIn('get', 200) },
    'post /account/password': {
      expect: everyoneSignedIn('post', 400),
      body: () => ({ currentPassword: 'wrong', password: 'x', passwordConfirm: 'y' }),
    },
    // Each person sets her own zone only (an unknown zone is refused with the reason).
    'post /account/time-zone': { expect: everyoneSignedIn('post', 400), body: () => ({ timeZone: 'Mars/Olympus' }) },
    'post /account/sessions/:handle/end': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/account/sessions/0000000000000000/end',
    },
    'post /account/sessions/end-others': { expect: everyoneSignedIn('post', 303) },
    'get /admin/users/:id/permissions': {
      expect: adminOnly('get', 404),
      path: () => `/admin/users/${NO_USER}/permissions`,
    },
    'get /admin/users/:id/permissions/:orgId/:tableId': {
      expect: adminOnly('get', 404),
      path: () => `/admin/users/${NO_USER}/permissions/${w.orgId}/${w.flagsId}`,
    },
    'post /admin/users/:id/permissions/:orgId/:tableId': {
      expect: adminOnly('post', 404),
      path: () => `/admin/users/${NO_USER}/permissions/${w.orgId}/${w.flagsId}`,
    },
    'post /admin/users/:id/permissions/copy': {
      expect: adminOnly('post', 404),
      path: () => `/admin/users/${NO_USER}/permissions/copy`,
    },
    'get /admin/orgs/:orgId/tables/:tableId/access': {
      expect: adminOnly('get', 200),
      path: () => `/admin/orgs/${w.orgId}/tables/${w.flagsId}/access`,
    },
    'get /admin/orgs/:orgId/policies': {
      expect: adminOnly('get', 200),
      path: () => `/admin/orgs/${w.orgId}/policies`,
    },
    'post /admin/orgs/:orgId/policies/:tableId': {
      expect: adminOnly('post', 303),
      path: () => `/admin/orgs/${w.orgId}/policies/${w.hoursId}`,
      body: () => ({ policy: 'inherit' }),
    },
    // (none: no org is open to a user without any table right, issue 16)
    'get /calendar': { expect: { ...everyoneSignedIn('get', 200), none: 404 } },
    'get /tables': { expect: everyoneSignedIn('get', 200) },
    'get /tables/:tableId': {
      expect: signedIn('get', { none: 404, viewer: 200, columnEditor: 200, tableEditor: 200, admin: 200 }),
      path: () => flags,
    },
    'post /tables/:tableId/reload': {
      expect: signedIn('post', { none: 404, viewer: 303, columnEditor: 303, tableEditor: 303, admin: 303 }),
      path: () => `${flags}/reload`,
    },
    'get /tables/:tableId/new-row': {
      expect: signedIn('get', { none: 404, viewer: 403, columnEditor: 403, tableEditor: 200, admin: 200 }),
      path: () => `${flags}/new-row`,
    },
    'post /tables/:tableId/rows': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 403, tableEditor: 303, admin: 303 }),
      path: () => `${flags}/rows`,
      body: (role) => ({ 'f:key': `Matrix ${role}` }),
    },
    'get /tables/:tableId/rows/:ref': {
      expect: signedIn('get', { none: 404, viewer: 200, columnEditor: 200, tableEditor: 200, admin: 200 }),
      path: () => mainLine,
    },
    'post /tables/:tableId/rows/:ref': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 303, tableEditor: 303, admin: 303 }),
      path: () => mainLine,
      body: (role) => ({ 'f:Message': `Edited by ${role}` }),
    },
    'get /tables/:tableId/rows/:ref/delete': {
      expect: signedIn('get', { none: 404, viewer: 403, columnEditor: 403, tableEditor: 200, admin: 200 }),
      path: () => mainLine + '/delete',
    },
    'post /tables/:tableId/rows/:ref/delete': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 403, tableEditor: 303, admin: 303 }),
      path: (role) => `${byRole(role)}/delete`,
    },
    'get /tables/:tableId/export.csv': {
      expect: signedIn('get', { none: 404, viewer: 200, columnEditor: 200, tableEditor: 200, admin: 200 }),
      path: () => `${flags}/export.csv`,
    },
    'get /tables/:tableId/export.json': {
      expect: signedIn('get', { none: 404, viewer: 200, columnEditor: 200, tableEditor: 200, admin: 200 }),
      path: () => `${flags}/export.json`,
    },
    'post /tables/:tableId/bulk/preview': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 200, tableEditor: 200, admin: 200 }),
      path: () => `${flags}/bulk/preview`,
      body: () => ({ action: 'set', column: 'Message', value: 'bulk', sel: 'Main Line' }),
    },
    'post /tables/:tableId/bulk/apply': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 303, tableEditor: 303, admin: 303 }),
      path: () => `${flags}/bulk/apply`,
      body: () => ({ action: 'set', column: 'Message', value: 'bulk', sel: 'Main Line' }),
    },
    // A paste onto Main Line's Message cell: a bulk change like any other (column rights decide).
    'post /tables/:tableId/paste/preview': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 200, tableEditor: 200, admin: 200 }),
      path: () => `${flags}/paste/preview`,
      body: () => ({ col: 'Message', ref: 'Main Line', tsv: 'pasted' }),
    },
    'post /tables/:tableId/paste/apply': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 303, tableEditor: 303, admin: 303 }),
      path: () => `${flags}/paste/apply`,
      body: (role) => ({ col: 'Message', ref: 'Main Line', tsv: `pasted by ${role}` }),
    },
    // Imports: the upload page for whoever may add or edit; drafts and import jobs are found only by their owner.
    'get /tables/:tableId/import': {
      expect: signedIn('get', { none: 404, viewer: 403, columnEditor: 200, tableEditor: 200, admin: 200 }),
      path: () => `${flags}/import`,
    },
    'post /tables/:tableId/import': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 400, tableEditor: 400, admin: 400 }),
      path: () => `${flags}/import`,
    },
    ...Object.fromEntries(
      [
        ['get /imports/:draftId', 'get', ''],
        ['get /imports/:draftId/mapping', 'get', '/mapping'],
        ['post /imports/:draftId/mapping', 'post', '/mapping'],
        ['post /imports/:draftId/apply', 'post', '/apply'],
      ].map(([name, method, tail]) => [
        name,
        { expect: everyoneSignedIn(method!, 404), path: () => `/imports/no-such-draft${tail}` },
      ]),
    ),
    'get /imports/jobs/:jobId': {
      expect: everyoneSignedIn('get', 404),
      path: () => '/imports/jobs/no-such-job',
    },
    'get /admin/orgs/:orgId/tables/:tableId/formats': {
      expect: adminOnly('get', 200),
      path: () => `/admin/orgs/${w.orgId}/tables/${w.flagsId}/formats`,
    },
    'post /admin/orgs/:orgId/tables/:tableId/formats': {
      expect: adminOnly('post', 404), // past the rights check: the form names no column of the table
      path: () => `/admin/orgs/${w.orgId}/tables/${w.flagsId}/formats`,
    },
    'post /tables/:tableId/views': {
      expect: signedIn('post', { none: 404, viewer: 303, columnEditor: 303, tableEditor: 303, admin: 303 }),
      path: () => `${flags}/views`,
      body: (role) => ({ name: `Matrix view ${role}`, q: 'line' }),
    },
    // Nobody's view by that id: each person's views are found only in her own scope (R9).
    ...Object.fromEntries(
      ['rename', 'delete', 'default'].map((action) => [
        `post /tables/:tableId/views/:viewId/${action}`,
        {
          expect: everyoneSignedIn('post', 404),
          path: () => `${flags}/views/00000000-0000-0000-0000-000000000000/${action}`,
          body: () => ({ name: 'renamed' }),
        },
      ]),
    ),
    'post /tables/:tableId/layout': {
      expect: signedIn('post', { none: 404, viewer: 303, columnEditor: 303, tableEditor: 303, admin: 303 }),
      path: () => `${flags}/layout`,
      body: () => ({ density: 'comfortable' }),
    },
    'get /tables/:tableId/bulk/:jobId': {
      expect: everyoneSignedIn('get', 404),
      path: () => `${flags}/bulk/no-such-job`,
    },
    'get /tables/:tableId/rows/:ref/rename': {
      expect: signedIn('get', { none: 404, viewer: 403, columnEditor: 403, tableEditor: 200, admin: 200 }),
      path: () => `${mainLine}/rename`,
    },
    'post /tables/:tableId/rows/:ref/rename': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 403, tableEditor: 303, admin: 303 }),
      path: (role) =>
        `${flags}/rows/${encodeURIComponent(role === 'admin' ? 'Weather Closure' : 'Billing Queue')}/rename`,
      body: (role) => ({ newKey: `Renamed by ${role}` }),
    },
    'post /tables/:tableId/new-row/request': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 403, tableEditor: 303, admin: 303 }),
      path: () => `${flags}/new-row/request`,
      body: (role) => ({ 'f:key': `Requested by ${role}`, 'r:title': 'Matrix', 'r:intent': 'draft' }),
    },
    'post /tables/:tableId/rows/:ref/request': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 303, tableEditor: 303, admin: 303 }),
      path: () => mainLine + '/request',
      body: (role) => ({ 'f:Message': `Requested by ${role}`, 'r:title': 'Matrix', 'r:intent': 'draft' }),
    },
    'post /tables/:tableId/rows/:ref/delete/request': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 403, tableEditor: 303, admin: 303 }),
      path: () => mainLine + '/delete/request',
      body: () => ({ 'r:title': 'Matrix', 'r:intent': 'draft' }),
    },
    'post /tables/:tableId/bulk/request': {
      expect: signedIn('post', { none: 404, viewer: 403, columnEditor: 303, tableEditor: 303, admin: 303 }),
      path: () => `${flags}/bulk/request`,
      body: () => ({ action: 'set', column: 'Message', value: 'bulk', sel: 'Main Line', 'r:title': 'Matrix' }),
    },
    'get /requests': { expect: everyoneSignedIn('get', 200) },
    'get /requests/:id': { expect: everyoneSignedIn('get', 404), path: () => '/requests/no-such-request' },
    'post /requests/:id/comment': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/comment',
    },
    'post /requests/:id/approve': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/approve',
    },
    'post /requests/:id/reject': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/reject',
    },
    'post /requests/:id/ask-changes': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/ask-changes',
    },
    'post /requests/:id/submit': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/submit',
    },
    'post /requests/:id/schedule': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/schedule',
    },
    'post /requests/:id/withdraw': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/withdraw',
    },
    'post /requests/:id/drop': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/drop',
    },
    'post /requests/:id/reapprove': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/reapprove',
    },
    'post /requests/:id/confirm': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/confirm',
    },
    'post /requests/:id/revert': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/requests/no-such-request/revert',
    },
    'get /backups': { expect: everyoneSignedIn('get', 200) },
    'post /backups/upload': { expect: everyoneSignedIn('post', 400) },
    'post /backups': {
      expect: signedIn('post', { none: 404, viewer: 303, columnEditor: 303, tableEditor: 303, admin: 303 }),
    },
    'get /backups/jobs/:jobId': { expect: everyoneSignedIn('get', 404), path: () => '/backups/jobs/no-such-job' },
    'get /backups/:id/restore': { expect: everyoneSignedIn('get', 404), path: () => '/backups/no-such-backup/restore' },
    'post /backups/:id/restore': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/backups/no-such-backup/restore',
    },
    'post /backups/:id/restore/request': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/backups/no-such-backup/restore/request',
      body: () => ({ 'r:title': 'Matrix', 'r:intent': 'draft' }),
    },
    'get /backups/restores/:jobId': {
      expect: everyoneSignedIn('get', 404),
      path: () => '/backups/restores/no-such-job',
    },
    'post /backups/restores/:jobId/resume': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/backups/restores/no-such-job/resume',
    },
    'get /backups/:id/download': {
      expect: everyoneSignedIn('get', 404),
      path: () => '/backups/no-such-backup/download',
    },
    'get /backups/:id/delete': { expect: everyoneSignedIn('get', 404), path: () => '/backups/no-such-backup/delete' },
    'post /backups/:id/delete': { expect: everyoneSignedIn('post', 404), path: () => '/backups/no-such-backup/delete' },
    'get /playbooks': { expect: everyoneSignedIn('get', 200) },
    'get /playbooks/new': { expect: adminOnly('get', 200) },
    'post /playbooks': { expect: adminOnly('post', 400) },
    'get /playbooks/:id': { expect: everyoneSignedIn('get', 404), path: () => '/playbooks/no-such-playbook' },
    'get /playbooks/:id/edit': { expect: adminOnly('get', 404), path: () => '/playbooks/no-such-playbook/edit' },
    'post /playbooks/:id': { expect: adminOnly('post', 404), path: () => '/playbooks/no-such-playbook' },
    'post /playbooks/:id/archive': {
      expect: adminOnly('post', 404),
      path: () => '/playbooks/no-such-playbook/archive',
    },
    'post /playbooks/:id/run': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/playbooks/no-such-playbook/run',
    },
    'get /jobs': { expect: everyoneSignedIn('get', 200) },
    'get /jobs/:jobId': { expect: everyoneSignedIn('get', 404), path: () => '/jobs/no-such-job' },
    'post /jobs/:jobId/cancel': { expect: everyoneSignedIn('post', 404), path: () => '/jobs/no-such-job/cancel' },
    'post /jobs/:jobId/resume': { expect: everyoneSignedIn('post', 404), path: () => '/jobs/no-such-job/resume' },
    'get /audit': { expect: everyoneSignedIn('get', 200) },
    'get /audit/export.csv': { expect: everyoneSignedIn('get', 200) },
    'get /audit/export.json': { expect: everyoneSignedIn('get', 200) },
    'get /admin/audit/verify': { expect: adminOnly('get', 200) },
    'get /audit/:seq/restore': { expect: everyoneSignedIn('get', 404), path: () => '/audit/99999999/restore' },
    'post /audit/:seq/restore': { expect: everyoneSignedIn('post', 404), path: () => '/audit/99999999/restore' },
    'get /audit/batch/:batchId': { expect: everyoneSignedIn('get', 404), path: () => '/audit/batch/no-such-batch' },
    'post /audit/batch/:batchId/undo': {
      expect: everyoneSignedIn('post', 404),
      path: () => '/audit/batch/no-such-batch/undo',
    },
    'get /audit/:seq': { expect: everyoneSignedIn('get', 404), path: () => '/audit/99999999' },
    'post /audit/:seq/undo': { expect: everyoneSignedIn('post', 404), path: () => '/audit/99999999/undo' },
    'get /audit/:seq/undo': { expect: everyoneSignedIn('get', 404), path: () => '/audit/99999999/undo' },
    // Last: signing out ends the role's session.
    'post /logout': { expect: everyoneSignedIn('post', 303) },
  };
}

describe('authorization matrix', () => {
  it('has an entry for every registered route, and no stale entries', () => {
    const registered = w.t.routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(Object.keys(matrix()).sort()).toEqual(registered);
  });

  it('answers every role on every route as expected', async () => {
    const failures: string[] = [];
    for (const [route, entry] of Object.entries(matrix())) {
      const [method, pattern] = route.split(' ') as ['get' | 'post', string];
      for (const role of ROLES) {
        const agent = agents[role];
        const url = entry.path?.(role) ?? pattern;
        const res =
          method === 'get'
            ? await agent.get(url)
            : await agent
                .post(url)
                .type('form')
                .send({
                  _csrf: await csrfFrom(agent, role === 'anonymous' ? '/login' : '/account'),
                  ...entry.body?.(role),
                });
        if (res.status !== entry.expect[role])
          failures.push(`${route} as ${role}: ${res.status}, expected ${entry.expect[role]}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
