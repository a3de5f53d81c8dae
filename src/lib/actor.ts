// Who does something, passed explicitly from routes to services (services never see req/res).
import type { Request } from 'express';

export interface Actor {
  userId: number;
  name: string;
  isAdmin: boolean;
  ip?: string;
  requestId?: string;
}

export function actorOf(req: Request): Actor {
  if (!req.user) throw new Error('actorOf needs a signed-in user');
  return {
    userId: req.user.id,
    name: `${req.user.displayName} <${req.user.email}>`,
    isAdmin: req.user.role === 'ADMIN',
    ip: req.ip,
    requestId: typeof req.res?.locals.requestId === 'string' ? req.res.locals.requestId : undefined,
  };
}
