// Which org a signed-in user works in: kept per user in their session (never global), switched from the
// navigation without a restart. Falls back to the first org open to the user when the chosen one is gone,
// archived or no longer open to them. A user who may view no table of an org does not see it at all (issue 16).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { actorOf } from '../../lib/request-actor.js';
import type { PermissionService } from '../permissions/permission-service.js';
import type { OrgService, OrgView } from './org-service.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      currentOrg?: OrgView;
    }
  }
}

/** The active orgs the signed-in user may work in (every one for administrators). */
export async function openOrgsOf(req: Request, orgs: OrgService, permissions: PermissionService): Promise<OrgView[]> {
  return permissions.openOrgs(actorOf(req), await orgs.list());
}

/**
 * An org's name in the switcher: marked sandbox or read-only, unless its name says so already (the sandbox
 * org is called "Sandbox", and the switcher read "Sandbox (Sandbox)").
 */
export function switcherName(org: Pick<OrgView, 'name' | 'isSandbox' | 'readOnly'>): string {
  const says = (word: string) => org.name.toLowerCase().includes(word);
  const marks = [
    org.isSandbox && !says('sandbox') ? 'sandbox' : null,
    org.readOnly && !says('read-only') && !says('read only') ? 'read-only' : null,
  ].filter(Boolean);
  return marks.length ? `${org.name} (${marks.join(', ')})` : org.name;
}

export function loadOrgContext(orgs: OrgService, permissions: PermissionService): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) return next();
    const open = await openOrgsOf(req, orgs, permissions);
    const chosen = open.find((o) => o.id === req.session.currentOrgId) ?? open[0];
    if (chosen && req.session.currentOrgId !== chosen.id) req.session.currentOrgId = chosen.id;
    req.currentOrg = chosen;
    res.locals.orgNav = {
      orgs: open.map((o) => ({ ...o, switcherName: switcherName(o) })),
      current: chosen ?? null,
    };
    next();
  };
}
