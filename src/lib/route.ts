// Every route declares who may call it: 'public', 'signed-in' or 'admin'. RouteTable refuses to register a
// route without one, and records each registration so tests can walk the app and prove that every route is
// declared, every non-GET route demands a CSRF token, and every role gets the expected answer.
import express, { type RequestHandler, type Router } from 'express';

export const ACCESS_LEVELS = ['public', 'signed-in', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteInfo {
  method: Method;
  path: string;
  access: Access;
}

export type AccessGuards = Record<Access, RequestHandler>;

export class RouteTable {
  readonly router: Router = express.Router();
  readonly routes: RouteInfo[] = [];

  constructor(private readonly guards: AccessGuards) {}

  get(path: string, access: Access, ...handlers: RequestHandler[]): this {
    return this.add('get', path, access, handlers);
  }

  post(path: string, access: Access, ...handlers: RequestHandler[]): this {
    return this.add('post', path, access, handlers);
  }

  put(path: string, access: Access, ...handlers: RequestHandler[]): this {
    return this.add('put', path, access, handlers);
  }

  delete(path: string, access: Access, ...handlers: RequestHandler[]): this {
    return this.add('delete', path, access, handlers);
  }

  private add(method: Method, path: string, access: Access, handlers: RequestHandler[]): this {
    if (!ACCESS_LEVELS.includes(access)) {
      throw new Error(
        `Route ${method.toUpperCase()} ${path} must declare its access (${ACCESS_LEVELS.join(' | ')}), got ${String(access)}`,
      );
    }
    if (handlers.length === 0) throw new Error(`Route ${method.toUpperCase()} ${path} has no handler`);
    if (this.routes.some((r) => r.method === method && r.path === path)) {
      throw new Error(`Route ${method.toUpperCase()} ${path} is registered twice`);
    }
    this.routes.push({ method, path, access });
    this.router[method](path, this.guards[access], ...handlers);
    return this;
  }
}
