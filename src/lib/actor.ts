// Who does something, passed explicitly from routes to services as one value (services never see req/res,
// nor a second "user" beside it). Every audit entry is recorded with one, so each carries the person, their
// address and the request that did it. Built from a request in request-actor.ts (the route layer); this
// module stays free of express so any service may import it.
import type { Role } from '../db/generated/client.js';

/** Where a request came from; an Actor carries it, and so does a sign-in before anyone is known. */
export interface RequestOrigin {
  ip?: string;
  requestId?: string;
}

export interface Actor extends RequestOrigin {
  userId: number;
  /** As shown in the audit log: "Display Name <email>". */
  name: string;
  /** What the person may do is asked of permissions/policy.ts with this, never compared here or elsewhere. */
  role: Role;
}

/** The audit log's name for a person. */
export const actorName = (user: { displayName: string; email: string }): string =>
  `${user.displayName} <${user.email}>`;

/** The Actor of an account acting from `origin` (a request, or none for work the app does on their behalf). */
export function actorFor(
  user: { id: number; displayName: string; email: string; role: Role },
  origin: RequestOrigin = {},
): Actor {
  return { userId: user.id, name: actorName(user), role: user.role, ip: origin.ip, requestId: origin.requestId };
}
