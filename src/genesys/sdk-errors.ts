// Turns what the official SDK rejects with (an extended-response error with status, headers and the Genesys
// ErrorBody, or a raw axios network error) into the gateway's typed, user-readable errors.
import {
  GenesysAuthError,
  GenesysConflictError,
  GenesysError,
  GenesysNotFoundError,
  GenesysRateLimitedError,
  GenesysTooLargeError,
  GenesysUnavailableError,
  GenesysValidationError,
} from './errors.js';
import { missingPermissionMessage, permissionsNamedIn } from './permission-errors.js';

interface SdkFailure {
  status?: number;
  headers?: Record<string, string>;
  body?: { message?: string; code?: string; contextId?: string } | string;
  code?: string;
  message?: string;
  error?: { code?: string; message?: string };
  response?: { status?: number; data?: unknown; headers?: Record<string, string> };
}

const NETWORK: Record<string, [GenesysUnavailableError['reason'], string, boolean]> = {
  ECONNABORTED: ['timeout', 'Genesys Cloud did not answer in time.', true],
  ETIMEDOUT: ['timeout', 'Genesys Cloud did not answer in time.', true],
  ECONNRESET: ['connection-reset', 'The connection to Genesys Cloud was interrupted.', true],
  EPIPE: ['connection-reset', 'The connection to Genesys Cloud was interrupted.', true],
  ECONNREFUSED: ['unreachable', 'Genesys Cloud could not be reached (connection refused).', false],
  ENETUNREACH: ['unreachable', 'Genesys Cloud could not be reached (network unreachable).', false],
  EHOSTUNREACH: ['unreachable', 'Genesys Cloud could not be reached (host unreachable).', false],
  ENOTFOUND: [
    'unknown-host',
    'The Genesys Cloud host for this region could not be found. Check the region and the network (DNS, proxy).',
    false,
  ],
  EAI_AGAIN: [
    'unknown-host',
    'The Genesys Cloud host for this region could not be looked up. Check the network (DNS, proxy).',
    false,
  ],
};

function retryAfterSeconds(headers: Record<string, string> | undefined, message: string | undefined): number {
  const header = headers?.['retry-after'];
  if (header && /^\d+$/.test(header.trim())) return Number(header.trim());
  if (header) {
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(1, Math.ceil((at - Date.now()) / 1000));
  }
  const inMessage = /\[(\d+)\] seconds/.exec(message ?? '');
  return inMessage ? Number(inMessage[1]) : 1;
}

function withIds<E extends GenesysError>(err: E, body: SdkFailure['body']): E {
  if (body && typeof body === 'object') {
    err.correlationId = body.contextId;
    err.genesysCode = body.code;
  }
  return err;
}

/**
 * A token request Genesys refused, in OAuth's terms (genesys-datatables.md §13): `invalid_client` (400, or 401)
 * is a bad client id or secret; 400 `invalid_request` "rate limit exceeded; …" is the token endpoint's throttle,
 * which allows a few logins a minute (the wait is read from the text when it has one, else a minute).
 */
function loginFailure(status: number, body: unknown): GenesysError | undefined {
  const oauth = (body && typeof body === 'object' ? body : {}) as { error?: string; error_description?: string };
  if (oauth.error === 'invalid_client' && (status === 400 || status === 401))
    return badCredentials(body as SdkFailure['body']);
  if (status === 400 && /rate limit exceeded/i.test(oauth.error_description ?? '')) {
    const wait = Number(/(\d+) seconds?/.exec(oauth.error_description ?? '')?.[1] ?? 60);
    return new GenesysRateLimitedError(
      `Genesys Cloud is limiting how often this OAuth client may log in; retry in ${wait} seconds.`,
      wait,
    );
  }
  return undefined;
}

const codeOf = (body: SdkFailure['body']) => (body && typeof body === 'object' ? body.code : undefined);

/** OAuth error bodies carry `error`/`error_description`, not `message` (genesys-datatables.md §13). */
function oauthDescription(body: unknown): string | undefined {
  const oauth = (body && typeof body === 'object' ? body : {}) as { error?: unknown; error_description?: unknown };
  if (typeof oauth.error !== 'string') return undefined;
  return typeof oauth.error_description === 'string' ? `${oauth.error} (${oauth.error_description})` : oauth.error;
}

const badCredentials = (body: SdkFailure['body']) =>
  withIds(
    new GenesysAuthError(
      'Genesys Cloud rejected the OAuth client id or secret (bad credentials). Check them, and that the OAuth client belongs to an org in the chosen region.',
      'bad-credentials',
    ),
    body,
  );

/** Maps any SDK rejection (API call or token request) to a GenesysError. Already-typed errors pass through. */
export function toGenesysError(raw: unknown, during: 'login' | 'call' = 'call'): GenesysError {
  if (raw instanceof GenesysError) return raw;
  const f = (raw ?? {}) as SdkFailure;
  const status = f.status ?? f.response?.status;
  const headers = f.headers ?? f.response?.headers;
  const body = (f.body ?? f.response?.data) as SdkFailure['body'];
  const genesysMessage = body && typeof body === 'object' ? body.message : undefined;
  if (typeof status !== 'number') {
    const code = f.code ?? f.error?.code ?? '';
    const [reason, message, mayHaveApplied] =
      NETWORK[code] ??
      (/timeout/i.test(f.message ?? '')
        ? NETWORK.ECONNABORTED!
        : ['unreachable', `Genesys Cloud could not be reached (${code || 'network error'}).`, true]);
    return new GenesysUnavailableError(message, reason, mayHaveApplied);
  }
  if (during === 'login') {
    const oauth = loginFailure(status, body);
    if (oauth) return oauth;
  }
  if (status === 401) {
    return during === 'login'
      ? badCredentials(body)
      : withIds(new GenesysAuthError('Genesys Cloud rejected the access token.', 'token-rejected'), body);
  }
  if (status === 403) {
    const permissions = permissionsNamedIn(body);
    return withIds(
      new GenesysAuthError(missingPermissionMessage(permissions), 'missing-permissions', permissions),
      body,
    );
  }
  if (status === 404)
    return withIds(
      new GenesysNotFoundError(
        genesysMessage && genesysMessage !== 'Not found'
          ? genesysMessage
          : 'Not found in Genesys Cloud (it may have been deleted).',
      ),
      body,
    );
  if (status === 409)
    return withIds(new GenesysConflictError(`Genesys Cloud refused the change: ${genesysMessage ?? 'conflict'}`), body);
  if (status === 413)
    return withIds(
      new GenesysTooLargeError('The data is larger than Genesys Cloud accepts in one request (512,000 bytes).'),
      body,
    );
  if (status === 400 && codeOf(body) === 'response.entity.too.large')
    return withIds(
      new GenesysTooLargeError(
        'Genesys Cloud would answer with more data than it sends at once (response.entity.too.large).',
      ),
      body,
    );
  if (status === 429) {
    const wait = retryAfterSeconds(headers, genesysMessage);
    return withIds(
      new GenesysRateLimitedError(`Genesys Cloud is rate limiting this org; retry in ${wait} seconds.`, wait),
      body,
    );
  }
  if (status >= 400 && status < 500)
    return withIds(
      new GenesysValidationError(
        `Genesys Cloud refused the request: ${genesysMessage ?? oauthDescription(body) ?? `it answered ${status} without saying why`}`,
      ),
      body,
    );
  return withIds(
    new GenesysUnavailableError(
      `Genesys Cloud had a problem (HTTP ${status}). Try again in a moment.`,
      'server-error',
      status === 504 || status === 502,
    ),
    body,
  );
}
