// Which org a signed-in user works in: kept per user in their session (never global), switched from the
// navigation without a restart. Falls back to the first active org when the chosen one is gone or archived.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { OrgService, OrgView } from './org-service.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      currentOrg?: OrgView;
    }
  }
}

export function loadOrgContext(orgs: OrgService): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) return next();
    const active = await orgs.list();
    const chosen = active.find((o) => o.id === req.session.currentOrgId) ?? active[0];
    if (chosen && req.session.currentOrgId !== chosen.id) req.session.currentOrgId = chosen.id;
    req.currentOrg = chosen;
    res.locals.orgNav = { orgs: active, current: chosen ?? null };
    next();
  };
}
