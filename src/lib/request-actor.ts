// The route layer's side of actor.ts: who is asking, and from where, read off the request once so services
// get an express-free Actor (or, before sign-in, just the origin).
import type { Request } from 'express';
import { actorFor, type Actor, type RequestOrigin } from './actor.js';

/** The request's address and id (the id also names the request in the log and the X-Request-Id header). */
export function originOf(req: Request): RequestOrigin {
  const requestId: unknown = req.res?.locals.requestId;
  return { ip: req.ip, requestId: typeof requestId === 'string' ? requestId : undefined };
}

/** The signed-in person making this request; only for routes behind the 'signed-in' or 'admin' guard. */
export function actorOf(req: Request): Actor {
  if (!req.user) throw new Error('actorOf needs a signed-in user');
  return actorFor(req.user, originOf(req));
}
