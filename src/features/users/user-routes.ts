// User administration (admins) and each user's own account page: password and sessions.
import { timeZoneNames } from '../../lib/zoned-time.js';
import type { Request, Response } from 'express';
import { actorOf } from '../../lib/request-actor.js';
import { ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { renderForm } from '../../lib/form-page.js';
import { idParam } from '../../lib/params.js';
import type { RouteTable } from '../../lib/route.js';
import { saveSession, startSignedInSession } from '../../lib/session.js';
import type { Clock } from '../../lib/clock.js';
import { ROLES } from './user-schemas-admin.js';
import type { UserService, UserSummary } from './user-service.js';

type Values = Record<string, string>;

const pick = (body: unknown, names: string[]): Values => {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(names.map((n) => [n, typeof b[n] === 'string' ? (b[n] as string) : '']));
};

export function registerUserRoutes(routes: RouteTable, deps: { users: UserService; clock: Clock }): void {
  const { users } = deps;
  const id = (req: Request) => idParam(req, 'id', 'user');

  const renderUserForm = (res: Response, user: UserSummary | null, values: Values, failure?: unknown) =>
    renderForm(
      res,
      'users/form',
      { title: user ? `Edit ${user.displayName}` : 'Add a user', user, values, roles: ROLES },
      failure,
    );
  const renderUserDetail = async (res: Response, user: UserSummary, values: Values, failure?: unknown) =>
    renderForm(
      res,
      'users/detail',
      { title: user.displayName, user, sessions: await users.sessions(user.id), values, roles: ROLES },
      failure,
    );

  routes.get('/admin/users', 'admin', async (_req, res) => {
    res.render('users/list', { title: 'Users', users: await users.list() });
  });

  routes.get('/admin/users/new', 'admin', (_req, res) =>
    renderUserForm(res, null, { email: '', displayName: '', role: 'USER' }),
  );

  routes.post('/admin/users', 'admin', async (req, res) => {
    try {
      const user = await users.create(actorOf(req), req.body);
      flash(
        req,
        'success',
        `Added ${user.displayName}. They must choose their own password when they first sign in. Next: grant them table rights.`,
      );
      res.redirect(303, `/admin/users/${user.id}/permissions`);
    } catch (err) {
      renderUserForm(res, null, pick(req.body, ['email', 'displayName', 'role']), err);
    }
  });

  routes.get('/admin/users/:id', 'admin', async (req, res) => {
    const user = await users.get(id(req));
    await renderUserDetail(res, user, { email: user.email, displayName: user.displayName, role: user.role });
  });

  routes.post('/admin/users/:id', 'admin', async (req, res) => {
    const user = await users.get(id(req));
    try {
      await users.update(actorOf(req), user.id, req.body);
      flash(req, 'success', 'Saved.');
      res.redirect(303, `/admin/users/${user.id}`);
    } catch (err) {
      await renderUserDetail(res, user, pick(req.body, ['email', 'displayName', 'role']), err);
    }
  });

  for (const [action, disabled, message] of [
    ['disable', true, 'disabled: they are signed out and cannot sign in'],
    ['enable', false, 'enabled'],
  ] as const) {
    routes.post(`/admin/users/:id/${action}`, 'admin', async (req, res) => {
      await users.setDisabled(actorOf(req), id(req), disabled);
      flash(req, 'success', `The user is ${message}.`);
      res.redirect(303, `/admin/users/${id(req)}`);
    });
  }

  routes.post('/admin/users/:id/delete', 'admin', async (req, res) => {
    const user = await users.get(id(req));
    await users.delete(actorOf(req), user.id);
    flash(req, 'success', `Deleted ${user.displayName}. Their entries in the audit log stay.`);
    res.redirect(303, '/admin/users');
  });

  routes.post('/admin/users/:id/reset-password', 'admin', async (req, res) => {
    const user = await users.get(id(req));
    try {
      await users.resetPassword(actorOf(req), user.id, req.body);
      flash(
        req,
        'success',
        `New temporary password set for ${user.displayName}; they must change it when they next sign in. Their sessions were ended.`,
      );
      res.redirect(303, `/admin/users/${user.id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      flash(req, 'error', `The password was not reset: ${Object.values(err.fieldErrors)[0] ?? err.message}`);
      res.redirect(303, `/admin/users/${user.id}`);
    }
  });

  routes.post('/admin/users/:id/end-sessions', 'admin', async (req, res) => {
    const count = await users.endAllSessions(
      actorOf(req),
      id(req),
      id(req) === req.user!.id ? req.sessionID : undefined,
    );
    flash(req, 'success', `Ended ${count} session(s).`);
    res.redirect(303, `/admin/users/${id(req)}`);
  });

  // ---- the signed-in user's own account --------------------------------------------------------------

  const renderAccount = async (req: Request, res: Response, failure?: unknown) =>
    renderForm(
      res,
      'account/index',
      {
        title: 'Your account',
        user: req.user,
        sessions: await users.sessions(req.user!.id, req.sessionID),
        timeZones: timeZoneNames(),
        browserTimeZone: req.session.browserTimeZone ?? null,
      },
      failure,
    );

  routes.get('/account', 'signed-in', async (req, res) => renderAccount(req, res));

  routes.post('/account/password', 'signed-in', async (req, res) => {
    try {
      await users.changeOwnPassword(actorOf(req), req.body, req.sessionID);
    } catch (err) {
      return renderAccount(req, res, err);
    }
    // A new session id after a credential change; the rest of the session (org choice) is kept.
    await startSignedInSession(req, req.user!, deps.clock, { continuing: true });
    flash(req, 'success', 'Your password is changed.');
    await saveSession(req);
    res.redirect(303, '/account');
  });

  routes.post('/account/time-zone', 'signed-in', async (req, res) => {
    let zone: string | null;
    try {
      zone = await users.setOwnTimeZone(actorOf(req), req.body);
    } catch (err) {
      return renderAccount(req, res, err);
    }
    flash(req, 'success', zone ? `Times are shown in ${zone}.` : 'Times are shown in your browser’s time zone.');
    res.redirect(303, '/account');
  });

  routes.post('/account/sessions/:handle/end', 'signed-in', async (req, res) => {
    await users.endSession(actorOf(req), String(req.params.handle));
    flash(req, 'success', 'That session is signed out.');
    res.redirect(303, '/account');
  });

  routes.post('/account/sessions/end-others', 'signed-in', async (req, res) => {
    const count = await users.endAllSessions(actorOf(req), req.user!.id, req.sessionID);
    flash(req, 'success', `Signed out ${count} other session(s).`);
    res.redirect(303, '/account');
  });
}
