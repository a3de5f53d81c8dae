// POST /oauth/token: the client-credentials grant, with credentials in a Basic header or form fields.
// Tokens are opaque random strings bound to one client, with a configurable lifetime. Failures answer as
// Genesys' login service does (genesys-datatables.md §13): OAuth bodies (`error`, `error_description`), no
// `message`/`code`; a bad client is 400 invalid_client (401 by knob), and too many token requests from one
// client in a minute is 400 invalid_request "rate limit exceeded; …" (the text the Terraform provider retries on).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { errors } from './errors.js';
import type { EmulatorBehaviour } from './options.js';
import { TokenRateLimiter } from './rate-limiter.js';
import type { OrgState } from './store.js';

type TokenKnobs = Pick<EmulatorBehaviour, 'tokenLifetimeSeconds' | 'oauthErrorStatus' | 'tokenRequestsPerMinute'>;

export interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function readClientCredentials(
  authorization: string | undefined,
  form: URLSearchParams,
): { id: string; secret: string } | null {
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
  /** Token requests per presented client id, in fixed one-minute windows (the real algorithm is UNCONFIRMED). */
  private readonly requests: TokenRateLimiter;

  constructor(private readonly now: () => number) {
    this.requests = new TokenRateLimiter(0, now);
  }

  /** Returns the token response body, or an OAuth error (status + body). */
  issue(orgs: OrgState[], authorization: string | undefined, form: URLSearchParams, knobs: TokenKnobs) {
    const lifetimeSeconds = knobs.tokenLifetimeSeconds;
    const creds = readClientCredentials(authorization, form);
    if (knobs.tokenRequestsPerMinute > 0) {
      this.requests.setLimit(knobs.tokenRequestsPerMinute);
      const wait = this.requests.take(creds?.id ?? '');
      if (wait > 0)
        return {
          status: 400,
          body: { error: 'invalid_request', error_description: `rate limit exceeded; try again in ${wait} seconds` },
        };
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return {
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          error_description: 'Only grant_type=client_credentials is supported.',
        },
      };
    }
    const org = creds && orgs.find((o) => same(o.clientId, creds.id) && same(o.clientSecret, creds.secret));
    if (!org) {
      const description =
        creds && orgs.some((o) => same(o.clientId, creds.id)) ? 'authentication failed' : 'client not found';
      return {
        status: knobs.oauthErrorStatus,
        body: { error: 'invalid_client', description, error_description: description },
      };
    }
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, { clientId: org.clientId, expiresAt: this.now() + lifetimeSeconds * 1000 });
    return {
      status: 200,
      clientId: org.clientId,
      body: { access_token: token, token_type: 'bearer', expires_in: lifetimeSeconds },
    };
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
