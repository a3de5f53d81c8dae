// Every knob of the emulator, with the defaults that mirror Genesys Cloud (genesys-datatables.md). Choices for
// behaviours the note marks UNCONFIRMED are listed in the README's emulator section.

export interface EmulatorLimits {
  maxRowsPerTable: number;
  maxTablesPerOrg: number;
  /** Properties per schema, the key included. */
  maxFields: number;
  maxKeyLength: number;
  /** request.bytes.max */
  maxBodyBytes: number;
  /** CSV upload size for import jobs (UNCONFIRMED upstream). */
  maxUploadBytes: number;
}

export interface EmulatorBehaviour {
  /** Requests per minute per access token (fixed one-minute windows). */
  rateLimitPerMinute: number;
  tokenLifetimeSeconds: number;
  latencyMs: number;
  latencyJitterMs: number;
  /** Largest pageSize accepted by listings. */
  maxPageSize: number;
  /** What a pageSize above the cap does: 400 `invalid.query.param.value`, or silently clamp. */
  pageSizeOverCap: 'reject' | 'clamp';
  /** Status and code for a duplicate row key on POST. */
  duplicateRow: { status: number; code: string };
  /** PUT on a row that does not exist: 404, or create it. */
  putUnknownRow: 'not-found' | 'upsert';
  /** Default of `showbrief` on a single-row GET when the client does not send it. */
  singleRowShowbriefDefault: boolean;
  /** Enforce minLength/maxLength/minimum/maximum found in a schema. */
  enforceSchemaBounds: boolean;
  /** How long import/export jobs stay Processing before they finish. */
  jobDelayMs: number;
  /** Status of a token request with a bad client id or secret: Genesys answers 400 (RFC 6749 also allows 401). */
  oauthErrorStatus: 400 | 401;
  /** Token requests per client per minute before 400 invalid_request "rate limit exceeded" (0 = unlimited). */
  tokenRequestsPerMinute: number;
  /** An object in a division the client's role has no grant in: 403 missing.permissions, or 404 as if absent. */
  ungrantedDivision: 'forbidden' | 'not-found';
  /** Eventual consistency: a new table, a new or imported row stays invisible to reads, a deleted one lingers. */
  visibilityDelayMs: number;
  /**
   * Whether an update of an existing row (PUT) lags too: `lagging` = for `visibilityDelayMs` after it, reads
   * (single row, pages, exports) answer the previous values (UNCONFIRMED — knob; nothing says updates are instant).
   */
  updateVisibility: 'immediate' | 'lagging';
  /** 400 response.entity.too.large when a response body would exceed this many bytes (0 = no cap). */
  maxResponseBytes: number;
  /** Content-Type named in an import job's uploadHeaders ('' = none); the upload must carry it exactly. */
  uploadContentType: string;
  /** Value normalisation: trailing spaces of string fields trimmed on write, number fields answered as 1.0. */
  normaliseValues: boolean;
  /**
   * Test knob, not a Genesys behaviour: rows whose key is listed here are refused (400) wherever they are
   * written: a single-row create, update or delete, or their record in a CSV import (counted as failed). Lets
   * tests fail one row in the middle of a larger write (an import's all-or-nothing rollback). Empty: none.
   */
  failRowWrites: string[];
}

export interface EmulatorOptions {
  limits: EmulatorLimits;
  behaviour: EmulatorBehaviour;
}

export const DEFAULT_LIMITS: EmulatorLimits = {
  maxRowsPerTable: 5000,
  maxTablesPerOrg: 200,
  maxFields: 50,
  maxKeyLength: 256,
  maxBodyBytes: 512_000,
  maxUploadBytes: 10 * 1024 * 1024,
};

export const DEFAULT_BEHAVIOUR: EmulatorBehaviour = {
  rateLimitPerMinute: 300,
  tokenLifetimeSeconds: 86_399,
  latencyMs: 0,
  latencyJitterMs: 0,
  maxPageSize: 500,
  pageSizeOverCap: 'reject',
  duplicateRow: { status: 409, code: 'general.conflict' },
  putUnknownRow: 'not-found',
  singleRowShowbriefDefault: true,
  enforceSchemaBounds: true,
  jobDelayMs: 50,
  oauthErrorStatus: 400,
  tokenRequestsPerMinute: 10,
  ungrantedDivision: 'forbidden',
  visibilityDelayMs: 0,
  updateVisibility: 'immediate',
  maxResponseBytes: 0,
  uploadContentType: 'text/csv',
  normaliseValues: false,
  failRowWrites: [],
};
