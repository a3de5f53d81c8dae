// The signed-in start page.
import type { Request, Response } from 'express';
import type { RouteTable } from '../../lib/route.js';

export function registerHomeRoutes(routes: RouteTable): void {
  routes.get('/', 'signed-in', (req: Request, res: Response) => {
    res.render('home/index', { title: 'Home', user: req.user });
  });
}
