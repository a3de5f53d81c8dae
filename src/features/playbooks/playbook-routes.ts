// Playbook pages: the list (administrators create, edit and archive; runners run one with a reason and an
// optional end time), a playbook's page (what it writes, as the viewer may see it; its version; its last runs),
// and the administrators' form. Every check is the service's; the admin routes are also 'admin' here.
import { shown } from '../requests/request-page.js';
import type { Request, Response } from 'express';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { flash } from '../../lib/flash.js';
import { renderForm } from '../../lib/form-page.js';
import { actorOf } from '../../lib/request-actor.js';
import type { RouteTable } from '../../lib/route.js';
import { formatInZone, toLocalInput } from '../../lib/zoned-time.js';
import type { Clock } from '../../lib/clock.js';
import { CONTENT_EXAMPLE, contentText } from './playbook-content.js';
import type { PlaybookService } from './playbook-service.js';

type Values = Record<string, string>;

const pick = (body: unknown, names: string[]): Values => {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(names.map((n) => [n, typeof b[n] === 'string' ? (b[n] as string) : '']));
};
const FORM_FIELDS = ['name', 'description', 'durationMinutes', 'content'];

export function registerPlaybookRoutes(routes: RouteTable, deps: { playbooks: PlaybookService; clock: Clock }): void {
  const { playbooks } = deps;
  const org = (req: Request) => {
    if (!req.currentOrg) throw new NotFoundError('No Genesys org is available.');
    return req.currentOrg;
  };
  const id = (req: Request) => String(req.params.id);

  const renderEditor = (res: Response, playbookId: string | null, values: Values, failure?: unknown) =>
    renderForm(
      res,
      'playbooks/form',
      { title: playbookId ? `Edit ${values.name}` : 'New playbook', playbookId, values, example: CONTENT_EXAMPLE },
      failure,
    );

  const renderPage = async (req: Request, res: Response, values: Values, failure?: unknown) => {
    const o = org(req);
    const page = await playbooks.get(actorOf(req), o, id(req));
    renderForm(
      res,
      'playbooks/show',
      {
        title: page.playbook.name,
        ...page,
        values,
        org: o,
        formatTime: (at: Date) => formatInZone(at, page.zone),
        shown, // values as every page prints them (Yes/No for booleans)
        earliestEnd: toLocalInput(new Date(deps.clock.now()), page.zone),
      },
      failure,
    );
  };

  routes.get('/playbooks', 'signed-in', async (req, res) => {
    const o = req.currentOrg ?? null;
    res.render('playbooks/list', {
      title: 'Playbooks',
      org: o,
      playbooks: o ? await playbooks.list(actorOf(req), o) : [],
    });
  });

  routes.get('/playbooks/new', 'admin', (_req, res) =>
    renderEditor(res, null, { name: '', description: '', durationMinutes: '', content: '' }),
  );

  routes.post('/playbooks', 'admin', async (req, res) => {
    try {
      const made = await playbooks.create(actorOf(req), org(req), req.body);
      flash(req, 'success', made.requestId ? 'Saved. Its content now waits for approval.' : 'Saved and approved.');
      res.redirect(303, `/playbooks/${made.id}`);
    } catch (err) {
      renderEditor(res, null, pick(req.body, FORM_FIELDS), err);
    }
  });

  routes.get('/playbooks/:id', 'signed-in', async (req, res) => {
    await renderPage(req, res, { reason: '', endAt: '' });
  });

  routes.get('/playbooks/:id/edit', 'admin', async (req, res) => {
    const { playbook: p, rows } = await playbooks.forEditing(actorOf(req), org(req), id(req));
    renderEditor(res, p.id, {
      name: p.name,
      description: p.description,
      durationMinutes: p.durationMinutes === null ? '' : String(p.durationMinutes),
      content: contentText(rows),
    });
  });

  routes.post('/playbooks/:id', 'admin', async (req, res) => {
    const { playbook: p } = await playbooks.forEditing(actorOf(req), org(req), id(req));
    try {
      const { requestId } = await playbooks.update(actorOf(req), org(req), p.id, req.body);
      flash(
        req,
        'success',
        requestId ? 'Saved. The new content waits for approval; until then runs write the approved version.' : 'Saved.',
      );
      res.redirect(303, `/playbooks/${p.id}`);
    } catch (err) {
      renderEditor(res, p.id, pick(req.body, FORM_FIELDS), err);
    }
  });

  routes.post('/playbooks/:id/archive', 'admin', async (req, res) => {
    await playbooks.archive(actorOf(req), org(req), id(req));
    flash(req, 'success', 'Archived: nobody can run it any more.');
    res.redirect(303, '/playbooks');
  });

  // Only the reason and the end time are read from the body (parseRunForm): R5.
  routes.post('/playbooks/:id/run', 'signed-in', async (req, res) => {
    try {
      const { requestId } = await playbooks.run(actorOf(req), org(req), id(req), req.body);
      flash(req, 'success', `Running: its rows are being written (change request ${requestId}).`);
      res.redirect(303, `/playbooks/${id(req)}`);
    } catch (err) {
      // A refusal (403, 404, 409) is the error page; only a form mistake shows the page again with it.
      if (!(err instanceof ValidationError)) throw err;
      await renderPage(req, res, pick(req.body, ['reason', 'endAt']), err);
    }
  });
}
