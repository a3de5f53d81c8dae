// GET /healthz for load balancers and service managers: no login, no session, nothing but status, version
// and whether the database answers.
import type { Request, Response } from 'express';
import type { RouteTable } from '../../lib/route.js';

export function registerHealthRoutes(
  routes: RouteTable,
  deps: { databaseAnswers: () => Promise<boolean>; version: string },
): void {
  routes.get('/healthz', 'public', async (_req: Request, res: Response) => {
    const db = (await deps.databaseAnswers()) ? 'ok' : 'error';
    res.set('Cache-Control', 'no-store');
    res.status(db === 'ok' ? 200 : 503).json({ status: db === 'ok' ? 'ok' : 'error', version: deps.version, db });
  });
}
