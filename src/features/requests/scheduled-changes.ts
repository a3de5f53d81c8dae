// What a person may see of the changes planned for an org (issue 15): the calendar of applies and reverts, the
// table page's banner ("N rows of this table have scheduled changes") and the row page's list. Only requests
// the viewer may see (request-view.ts: author, administrators, people who may view every table in them) and
// never a value: titles, statuses and times only, keys only where the viewer may see them.
import type { Actor } from '../../lib/actor.js';
import type { Clock } from '../../lib/clock.js';
import { formatInZone } from '../../lib/zoned-time.js';
import type { OrgView } from '../orgs/org-service.js';
import { refOfKey } from '../tables/row-ref.js';
import {
  buildCalendar,
  calendarRange,
  stepStatus,
  type CalendarItem,
  type CalendarPage,
  type CalendarView,
} from './calendar.js';
import type { RequestRepository } from './request-repository.js';
import type { ChangeRequestRecord, ChangeRequestWithRows, RequestRow, RequestStatus } from './request-types.js';
import { maySeeRequest, viewerTables, type Opener, type ViewerTables } from './request-view.js';

export interface ScheduledChangesDeps {
  repo: Pick<RequestRepository, 'scheduledBetween' | 'listWithRows' | 'openTouching'>;
  tables: Opener;
  clock: Clock;
}

/** A planned step of one request for one row, as the row page lists it. */
export interface RowScheduledChange {
  requestId: string;
  title: string;
  status: RequestStatus;
  kind: RequestRow['kind'];
  /** In the org's zone, with its offset; null when that step is not planned or has happened. */
  applyAt: string | null;
  revertAt: string | null;
}

/** The steps of a request still to happen at a set time: an apply not yet made, a revert not yet made. */
const pendingApply = (r: ChangeRequestRecord) => r.applyAt !== null && r.appliedAt === null;
const pendingRevert = (r: ChangeRequestRecord) => r.revertAt !== null && r.revertedAt === null;
const isScheduled = (r: ChangeRequestRecord) => pendingApply(r) || pendingRevert(r);
/** A row still part of what the request will do (a dropped row will not be written). */
const rowInPlay = (row: RequestRow) => row.state !== 'dropped';

export function createScheduledChanges(deps: ScheduledChangesDeps) {
  const { repo, tables, clock } = deps;

  /**
   * The requests `actor` may see among `requests`. Each table is opened once for all of them (as the viewer:
   * a table they may not view, or one that is gone, counts as unseen).
   */
  async function visibleTo(actor: Actor, org: OrgView, requests: ChangeRequestWithRows[]) {
    const all = await viewerTables(
      tables,
      actor,
      org,
      requests.flatMap((r) => r.rows.map((row) => row.tableId)),
    );
    return requests
      .map((req) => {
        const seen: ViewerTables = new Map(req.rows.map((row) => [row.tableId, all.get(row.tableId) ?? null]));
        return { req, seen };
      })
      .filter(({ req, seen }) => maySeeRequest(actor, req, seen));
  }

  /** Open, scheduled requests with a row in `tableId` that `actor` may see. */
  async function touching(actor: Actor, org: OrgView, tableId: string) {
    const open = (await repo.openTouching(org.id, tableId)).filter(isScheduled);
    return visibleTo(actor, org, open);
  }

  return {
    /** The calendar page: the week or day around `anchor` (a local day; null: today) in the org's zone. */
    async calendar(actor: Actor, org: OrgView, view: CalendarView, anchor: string | null): Promise<CalendarPage> {
      const now = new Date(clock.now());
      const first = buildCalendar({ view, anchor, zone: org.timeZone, now, items: [] });
      const { from, to } = calendarRange(view, first.days[0]!.date, org.timeZone);
      const records = await repo.scheduledBetween(org.id, from, to);
      const withRows = records.length ? await repo.listWithRows({ ids: records.map((r) => r.id), take: 1000 }) : [];
      const items: CalendarItem[] = [];
      for (const { req, seen } of await visibleTo(actor, org, withRows)) {
        const names = [...seen.values()].flatMap((t) => (t ? [t.table.name] : []));
        const base = { requestId: req.id, title: req.title, tables: [...new Set(names)] };
        if (req.applyAt) items.push({ ...base, status: stepStatus(req, 'apply'), step: 'apply', at: req.applyAt });
        if (req.revertAt) items.push({ ...base, status: stepStatus(req, 'revert'), step: 'revert', at: req.revertAt });
      }
      return buildCalendar({ view, anchor, zone: org.timeZone, now, items });
    },

    /** The table page's banner: how many rows of the table have scheduled changes `actor` may see (0: none). */
    async tableBanner(actor: Actor, org: OrgView, tableId: string): Promise<{ rows: number; requests: number }> {
      const visible = await touching(actor, org, tableId);
      const keys = new Set(
        visible.flatMap(({ req }) => req.rows.filter((r) => r.tableId === tableId && rowInPlay(r)).map((r) => r.key)),
      );
      return { rows: keys.size, requests: visible.length };
    },

    /**
     * The scheduled changes of one row (named as the row page names it: its key, or a handle when the viewer
     * may not see keys), earliest apply first, times in the org's zone.
     */
    async forRow(actor: Actor, org: OrgView, tableId: string, ref: string): Promise<RowScheduledChange[]> {
      const found: { at: Date; change: RowScheduledChange }[] = [];
      for (const { req, seen } of await touching(actor, org, tableId)) {
        const t = seen.get(tableId);
        if (!t) continue;
        const refOf = (key: string) =>
          t.access.columns.key === 'hidden' ? tables.keyHandle(org.id, tableId, key) : refOfKey(key);
        const row = req.rows.find((r) => r.tableId === tableId && rowInPlay(r) && refOf(r.key) === ref);
        if (!row) continue;
        const apply = pendingApply(req) ? req.applyAt : null;
        const revert = pendingRevert(req) ? req.revertAt : null;
        found.push({
          at: (apply ?? revert)!,
          change: {
            requestId: req.id,
            title: req.title,
            status: req.status,
            kind: row.kind,
            applyAt: apply && formatInZone(apply, org.timeZone),
            revertAt: revert && formatInZone(revert, org.timeZone),
          },
        });
      }
      return found.sort((a, b) => a.at.getTime() - b.at.getTime()).map((f) => f.change);
    },
  };
}

export type ScheduledChanges = ReturnType<typeof createScheduledChanges>;
