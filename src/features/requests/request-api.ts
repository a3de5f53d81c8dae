// What the request pages ask of the request service (request-service.ts, `services.requests`): the pages are
// built against this shape, which the service satisfies. Every method takes the acting person first and checks
// their rights itself; what it returns is already masked for them (no hidden column, ever).
import type { Actor } from '../../lib/actor.js';
import type { RowChange } from '../changes/row-change.js';
import type { OrgView } from '../orgs/org-service.js';
import type { ValueEdit } from './request-form.js';
import type { ChangeRequestRecord, ChangeRequestWithRows } from './request-types.js';

export interface RequestPagesApi {
  get(actor: Actor, id: string): Promise<ChangeRequestWithRows>;
  list(
    actor: Actor,
    org: OrgView | null,
  ): Promise<{ waiting: ChangeRequestWithRows[]; mine: ChangeRequestWithRows[]; others: ChangeRequestWithRows[] }>;
  /** The actor's own drafts in `org` (to add a change to). */
  drafts(actor: Actor, org: OrgView): Promise<ChangeRequestRecord[]>;
  waitingCount(actor: Actor): Promise<number>;
  draft(
    actor: Actor,
    org: OrgView,
    changes: RowChange[],
    opts: { title: string; reason: string; addTo?: string },
  ): Promise<{ id: string }>;
  submit(actor: Actor, id: string, schedule: { applyAt: Date | null; revertAt: Date | null }): Promise<unknown>;
  comment(actor: Actor, id: string, text: string): Promise<unknown>;
  approve(actor: Actor, id: string, opts: { version: number; comment: string; edits: ValueEdit[] }): Promise<unknown>;
  reject(actor: Actor, id: string, reason: string): Promise<unknown>;
  askChanges(actor: Actor, id: string, comment: string): Promise<unknown>;
  withdraw(actor: Actor, id: string): Promise<unknown>;
  dropHeld(actor: Actor, id: string, rowIds: number[]): Promise<unknown>;
  reapproveHeld(actor: Actor, id: string, opts: { version: number }): Promise<unknown>;
  confirmHeld(actor: Actor, id: string): Promise<unknown>;
  revertNow(actor: Actor, id: string): Promise<unknown>;
}
