// The emulator's HTTP front: one loopback origin serving login (/oauth/token), the API (/api/v2/...), CSV
// uploads and downloads. Applies, in order: latency, scripted faults, body limit, authentication, the
// per-token rate limit, then the operation. Every response carries ININ-Correlation-Id, echoed as contextId.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { errors, GenesysError } from './errors.js';
import type { FaultInjector } from './faults.js';
import { findImportJob, processImport } from './jobs-api.js';
import type { TokenIssuer } from './oauth.js';
import type { EmulatorOptions } from './options.js';
import type { TokenRateLimiter } from './rate-limiter.js';
import { pathSegments, routeApi } from './router.js';
import type { OrgState } from './store.js';
import { toJson } from './value-normalisation.js';

export interface RequestLogEntry {
  /** When the answer went out, on the emulator's clock (the `now` it was started with). */
  time: string;
  method: string;
  path: string;
  query: string;
  clientId?: string;
  status: number;
  /** How long the answer took, on the same clock: `time` minus `ms` is when the request arrived. */
  ms: number;
  correlationId: string;
}

export interface EmulatorRuntime {
  orgs: OrgState[];
  options: EmulatorOptions;
  tokens: TokenIssuer;
  limiter: TokenRateLimiter;
  faults: FaultInjector;
  requestLog: RequestLogEntry[];
  maxLogEntries: number;
  onChange: () => void;
  scheduleExport: (org: OrgState, tableId: string, jobId: string) => void;
  scheduleImport: (fn: () => void) => void;
  /** The emulator's clock (tests move it): token expiry, rate windows, eventual consistency. */
  now: () => number;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendPayload(res, status, body === undefined ? '' : toJson(body), headers);
}

function sendPayload(res: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...(payload ? { 'Content-Type': 'application/json' } : {}),
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function sendError(res: ServerResponse, err: GenesysError, correlationId: string): void {
  sendJson(res, err.status, err.body(correlationId), err.headers);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createEmulatorServer(rt: EmulatorRuntime): http.Server {
  const pendingHangs = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const started = rt.now();
    const correlationId = randomUUID();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const queryString = q === -1 ? '' : rawUrl.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    let clientId: string | undefined;
    res.setHeader('ININ-Correlation-Id', correlationId);
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    res.on('close', () => {
      // status 0: the connection was dropped (a reset or hang fault) before an answer was sent.
      const status = res.writableFinished ? res.statusCode : 0;
      rt.requestLog.push({
        time: new Date(rt.now()).toISOString(),
        method,
        path: rawPath,
        query: queryString,
        clientId,
        status,
        ms: rt.now() - started,
        correlationId,
      });
      if (rt.requestLog.length > rt.maxLogEntries) rt.requestLog.splice(0, rt.requestLog.length - rt.maxLogEntries);
    });

    void (async () => {
      const { behaviour, limits } = rt.options;
      const latency = behaviour.latencyMs + (behaviour.latencyJitterMs ? Math.random() * behaviour.latencyJitterMs : 0);
      if (latency > 0) await sleep(latency);
      try {
        const token = req.headers.authorization?.startsWith('Bearer ')
          ? rt.tokens.tokens.get(req.headers.authorization.slice(7).trim())
          : undefined;
        clientId = token?.clientId;
        let segments: string[];
        try {
          segments = pathSegments(rawPath);
        } catch {
          throw errors.badRequest('The request path is not valid URL encoding.');
        }
        const fault = rt.faults.match(method, segments.length ? `/${segments.join('/')}` : '/', clientId);
        if (fault?.type === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault?.type === 'hang') {
          const timer = setTimeout(() => {
            pendingHangs.delete(timer);
            req.socket.destroy();
          }, fault.ms ?? 60_000);
          pendingHangs.add(timer);
          return;
        }
        if (fault?.type === 'status') {
          const err =
            fault.status === 429 ? errors.rateLimited(fault.retryAfterSeconds ?? 1) : errors.server(fault.status);
          return sendError(res, err, correlationId);
        }

        const isUpload = method === 'PUT' && segments[0] === 'uploads' && segments.length === 2;
        const body = await readBody(req, isUpload ? limits.maxUploadBytes : limits.maxBodyBytes);

        if (method === 'POST' && rawPath === '/oauth/token') {
          const form = new URLSearchParams(body.toString('utf8'));
          const result = rt.tokens.issue(rt.orgs, req.headers.authorization, form, behaviour);
          clientId = result.clientId;
          return sendJson(
            res,
            result.status,
            result.status === 200 ? result.body : { ...result.body, contextId: correlationId },
          );
        }
        if (isUpload) return handleUpload(rt, segments[1]!, req, body, res, correlationId);
        if (method === 'GET' && segments[0] === 'downloads' && segments.length === 2)
          return handleDownload(rt, segments[1]!, res, correlationId);
        if (segments[0] !== 'api' || segments[1] !== 'v2') throw errors.notFound();

        const auth = rt.tokens.authenticate(req.headers.authorization);
        clientId = auth.clientId;
        const wait = rt.limiter.take(auth.token);
        if (wait > 0) throw errors.rateLimited(wait);
        const org = rt.orgs.find((o) => o.clientId === auth.clientId);
        if (!org) throw errors.badCredentials();
        let parsed: unknown;
        if (body.length > 0) {
          try {
            parsed = JSON.parse(body.toString('utf8'));
          } catch {
            throw errors.badRequest('The request could not be understood by the server due to malformed syntax.');
          }
        }
        const result = routeApi({
          method,
          segments: segments.slice(2),
          query: new URLSearchParams(queryString),
          body: parsed,
          org,
          origin: `http://${req.headers.host ?? '127.0.0.1'}`,
          options: rt.options,
          now: rt.now(),
          onExportJob: (tableId, jobId) => rt.scheduleExport(org, tableId, jobId),
        });
        if (method !== 'GET') rt.onChange();
        if (fault?.type === 'reset-after-apply') {
          req.socket.destroy();
          return;
        }
        const payload = result.body === undefined ? '' : toJson(result.body);
        // Genesys refuses to send a body over its response limit (§13: "Reduce pageSize or expand list").
        if (
          method === 'GET' &&
          behaviour.maxResponseBytes > 0 &&
          Buffer.byteLength(payload) > behaviour.maxResponseBytes
        )
          throw errors.responseTooLarge();
        sendPayload(res, result.status, payload);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          const max = method === 'PUT' && rawPath.startsWith('/uploads/') ? limits.maxUploadBytes : limits.maxBodyBytes;
          res.setHeader('Connection', 'close');
          return sendError(res, errors.tooLarge(max), correlationId);
        }
        if (err instanceof GenesysError) return sendError(res, err, correlationId);
        sendError(res, errors.server(500), correlationId);
      }
    })();
  });
  server.on('close', () => {
    for (const t of pendingHangs) clearTimeout(t);
  });
  return server;
}

function handleUpload(
  rt: EmulatorRuntime,
  jobId: string,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  correlationId: string,
): void {
  for (const org of rt.orgs) {
    const found = findImportJob(org, jobId);
    if (!found) continue;
    const { table, job } = found;
    if (job.status !== 'WaitingForUpload')
      return sendError(res, errors.badRequest('This import job is not waiting for an upload.'), correlationId);
    const wrong = unsignedHeader(req, job.uploadHeaders ?? {});
    if (wrong)
      return sendError(
        res,
        new GenesysError(
          403,
          'upload.signature.mismatch',
          `The upload does not match its signed request: header ${wrong} must be exactly as given in uploadHeaders.`,
        ),
        correlationId,
      );
    job.status = 'Processing';
    rt.scheduleImport(() => {
      processImport(table, job, body, rt.options, { now: rt.now(), delayMs: rt.options.behaviour.visibilityDelayMs });
      rt.onChange();
    });
    return sendJson(res, 200, undefined);
  }
  sendError(res, errors.notFound('Unknown upload.'), correlationId);
}

/**
 * Like a signed storage URL, the upload must carry every header of uploadHeaders with exactly its value (names
 * case-insensitive; a header sent twice arrives joined and so differs). Returns the first header that is not so.
 */
function unsignedHeader(req: IncomingMessage, signed: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(signed)) {
    const sent = req.headersDistinct[name.toLowerCase()];
    if (sent?.length !== 1 || sent[0] !== value) return name;
  }
  // An upload with no uploadHeaders (deprecated endpoint) is unsigned: anything goes.
  return undefined;
}

function handleDownload(rt: EmulatorRuntime, token: string, res: ServerResponse, correlationId: string): void {
  for (const org of rt.orgs) {
    for (const table of org.tables.values()) {
      const job = table.exportJobs.find((j) => j.downloadToken === token && j.status === 'Succeeded');
      if (job?.csv !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Length': Buffer.byteLength(job.csv) });
        res.end(job.csv);
        return;
      }
    }
  }
  sendError(res, errors.notFound('Unknown download.'), correlationId);
}
