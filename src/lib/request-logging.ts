// One request id per request (also sent back as X-Request-Id), carried in AsyncLocalStorage, and one access
// log line per request with method, path (no query string), status, duration, user and IP.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import onHeaders from 'on-headers';
import type { Logger } from './logger.js';
import { requestContext } from './request-context.js';

export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = randomUUID();
    const started = process.hrtime.bigint();
    res.set('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    // Server-Timing: the app's own time for this response (browsers' dev tools and benchmarks read it).
    onHeaders(res, () => {
      res.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)}`);
    });
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.http('request', {
        requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        userId: req.user?.id,
        ip: req.ip,
        outcome: res.statusCode < 400 ? 'success' : res.statusCode < 500 ? 'refused' : 'failure',
        // A form re-shown with its errors (400) is a validation failure the error handler never saw.
        ...(res.statusCode === 400 && res.locals.errorId === undefined ? { event: 'security.validation_failed' } : {}),
      });
    });
    requestContext.run({ requestId, ip: req.ip }, () => next());
  };
}
