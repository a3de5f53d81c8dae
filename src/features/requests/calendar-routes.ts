// The calendar of planned changes in the current org: GET /calendar?view=week|day&day=yyyy-mm-dd. Read-only,
// for everyone signed in; what it lists is what the viewer may see (scheduled-changes.ts).
import { NotFoundError } from '../../lib/errors.js';
import { actorOf } from '../../lib/request-actor.js';
import type { RouteTable } from '../../lib/route.js';
import { calendarDay, calendarView } from './calendar.js';
import type { ScheduledChanges } from './scheduled-changes.js';

export function registerCalendarRoutes(routes: RouteTable, deps: { scheduledChanges: ScheduledChanges }): void {
  routes.get('/calendar', 'signed-in', async (req, res) => {
    const org = req.currentOrg;
    if (!org)
      throw new NotFoundError(
        'No Genesys org is open to you: an administrator has to connect one, or give you rights on one of its tables.',
      );
    const query = req.query as Record<string, unknown>;
    const view = calendarView(query.view);
    const page = await deps.scheduledChanges.calendar(actorOf(req), org, view, calendarDay(query.day, org.timeZone));
    res.render('requests/calendar', { title: `Planned changes · ${org.name}`, org, page });
  });
}
