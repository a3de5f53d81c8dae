// winston: JSON lines with UTC timestamps to DATA_DIR/logs (rotated daily, 14 days kept) and readable console
// output. Every line passes through the Redactor and carries the request id of the request that caused it.
import path from 'node:path';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { Redactor } from './redact.js';
import { currentRequestContext } from './request-context.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: string;
  /** Directory for the JSON log files; omitted = no file output. */
  dir?: string;
  console: boolean;
  redactor: Redactor;
  /** Extra transports (tests capture lines this way). */
  transports?: winston.transport[];
}

const { MESSAGE } = { MESSAGE: Symbol.for('message') };

export function createLogger(opts: LoggerOptions): Logger {
  const addContext = winston.format((info) => {
    const ctx = currentRequestContext();
    if (ctx && info.requestId === undefined) {
      info.requestId = ctx.requestId;
      if (ctx.userId !== undefined && info.userId === undefined) info.userId = ctx.userId;
    }
    return info;
  });
  // Redact a copy of every enumerable field; winston keeps level/message as own properties.
  const redact = winston.format((info) => {
    const clean = opts.redactor.redact({ ...info }) as Record<string, unknown>;
    for (const key of Object.keys(info)) info[key] = clean[key];
    return info;
  });
  const base = winston.format.combine(
    winston.format.errors({ stack: true }),
    addContext(),
    redact(),
    winston.format.timestamp(), // ISO 8601 in UTC ("...Z")
  );
  const transports: winston.transport[] = [...(opts.transports ?? [])];
  if (opts.dir) {
    transports.push(
      new DailyRotateFile({
        dirname: opts.dir,
        filename: 'app-%DATE%.log',
        datePattern: 'YYYY-MM-DD',
        utc: true,
        maxFiles: '14d',
        maxSize: '20m',
        options: { flags: 'a', mode: 0o600 }, // logs name users and IPs: owner-only, like the secrets
        format: winston.format.json(),
      }),
    );
  }
  if (opts.console) {
    transports.push(
      new winston.transports.Console({
        stderrLevels: ['error', 'warn'],
        format: winston.format.combine(
          winston.format.colorize({ level: true }),
          winston.format.printf((info) => {
            const { level, message, timestamp, stack, ...rest } = info as Record<string | symbol, unknown>;
            delete rest[MESSAGE];
            const extra = Object.keys(rest).filter((k) => typeof k === 'string' && k !== 'splat');
            const tail = extra.length ? ` ${JSON.stringify(Object.fromEntries(extra.map((k) => [k, rest[k]])))}` : '';
            const trace = stack && String(level).includes('error') ? `\n${String(stack)}` : '';
            return `${String(timestamp)} ${String(level)} ${String(message)}${tail}${trace}`;
          }),
        ),
      }),
    );
  }
  if (transports.length === 0) transports.push(new winston.transports.Console({ silent: true }));
  return winston.createLogger({ level: opts.level, format: base, transports });
}

export function logDirectory(dataDir: string): string {
  return path.join(dataDir, 'logs');
}
