// POST /oauth/token: the client-credentials grant, with credentials in a Basic header or form fields.
// Tokens are opaque random strings bound to one client, with a configurable lifetime.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { errors } from './errors.js';
import type { OrgState } from './store.js';

export interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function readClientCredentials(authorization: string | undefined, form: URLSearchParams): { id: string; secret: string } | null {
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id && secret ? { id, secret } : null;
}

export class TokenIssuer {
  readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly now: () => number) {}

  /** Returns the token response body, or an OAuth error (status + body). */
  issue(orgs: OrgState[], authorization: string | undefined, form: URLSearchParams, lifetimeSeconds: number) {
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Only grant_type=client_credentials is supported.' } };
    }
    const creds = readClientCredentials(authorization, form);
    const org = creds && orgs.find((o) => same(o.clientId, creds.id) && same(o.clientSecret, creds.secret));
    if (!org) {
      const e = errors.badCredentials();
      return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid client credentials', code: e.code, message: e.message, status: 401 } };
    }
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { clientId: org.clientId, expiresAt: this.now() + lifetimeSeconds * 1000 });
    return { status: 200, clientId: org.clientId, body: { access_token: token, token_type: 'bearer', expires_in: lifetimeSeconds } };
  }

  /** The client a bearer token belongs to, or the 401 to answer. */
  authenticate(authorization: string | undefined): { clientId: string; token: string } {
    if (!authorization?.startsWith('Bearer ')) throw errors.authRequired();
    const token = authorization.slice(7).trim();
    const issued = this.tokens.get(token);
    if (!issued) throw errors.badCredentials();
    if (issued.expiresAt <= this.now()) {
      this.tokens.delete(token);
      throw errors.expired();
    }
    return { clientId: issued.clientId, token };
  }

  /** Drops every token of a client (its secret changed, or a test wants to force re-authentication). */
  revokeClient(clientId: string): void {
    for (const [token, t] of this.tokens) if (t.clientId === clientId) this.tokens.delete(token);
  }
}
