// What the request pages ask of the request service (request-service.ts, `services.requests`): the pages are
// built against this shape, which the service satisfies. Every method takes the acting person first and checks
// their rights itself; what `get` and `list` return is already masked for them (no hidden column, ever).
import type { Row } from '../../genesys/gateway.js';
import type { Actor } from '../../lib/actor.js';
import type { RowChange } from '../changes/row-change.js';
import type { OrgView } from '../orgs/org-service.js';
import type { ChangeRequestRecord, ChangeRequestWithRows, RequestStatus } from './request-types.js';

type Done = Promise<unknown>;

export interface RequestPagesApi {
  get(actor: Actor, id: string): Promise<ChangeRequestWithRows>;
  list(
    actor: Actor,
    filter?: { orgId?: string; statuses?: readonly RequestStatus[]; authorId?: number },
  ): Promise<ChangeRequestWithRows[]>;
  /** Submitted requests `actor` may approve (unmasked: only their ids are used here). */
  waiting(actor: Actor): Promise<ChangeRequestRecord[]>;
  waitingCount(actor: Actor): Promise<number>;
  draft(
    actor: Actor,
    org: OrgView,
    changes: RowChange[],
    opts: { title?: string; reason?: string; addTo?: string },
  ): Promise<{ id: string }>;
  submit(
    actor: Actor,
    id: string,
    schedule: { applyAt?: Date | null; revertAt?: Date | null },
  ): Promise<{ status: RequestStatus }>;
  setSchedule(actor: Actor, id: string, schedule: { applyAt?: Date | null; revertAt?: Date | null }): Done;
  comment(actor: Actor, id: string, input: { comment?: string }): Done;
  approve(
    actor: Actor,
    id: string,
    input: { version: number; comment?: string; edits?: { rowId: number; values: Row }[] },
  ): Done;
  reject(actor: Actor, id: string, input: { reason?: string }): Done;
  askChanges(actor: Actor, id: string, input: { comment?: string }): Done;
  withdraw(actor: Actor, id: string, input?: { comment?: string }): Done;
  dropHeld(actor: Actor, id: string, input?: { rowIds?: number[] }): Done;
  reapproveHeld(actor: Actor, id: string, input: { version: number; comment?: string }): Done;
  confirmHeld(actor: Actor, id: string): Done;
  revertNow(actor: Actor, id: string): Done;
}
