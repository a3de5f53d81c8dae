// Who does something, passed explicitly from routes to services (services never see req/res). Every audit
// entry is recorded with one, so each carries the person, their address and the request that did it.
import type { Request } from 'express';
import type { Role } from '../db/generated/client.js';

export interface Actor {
  userId: number;
  /** As shown in the audit log: "Display Name <email>". */
  name: string;
  /** What the person may do is asked of permissions/policy.ts with this, never compared here or elsewhere. */
  role: Role;
  ip?: string;
  requestId?: string;
}

export function actorOf(req: Request): Actor {
  if (!req.user) throw new Error('actorOf needs a signed-in user');
  return {
    userId: req.user.id,
    name: `${req.user.displayName} <${req.user.email}>`,
    role: req.user.role,
    ip: req.ip,
    requestId: typeof req.res?.locals.requestId === 'string' ? req.res.locals.requestId : undefined,
  };
}
