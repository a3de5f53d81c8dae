// Genesys Platform API error bodies (ErrorBody): message, code, status, messageWithParams, messageParams,
// contextId (= the ININ-Correlation-Id response header), details, errors, and `limit` for limit violations.

export interface GenesysLimit {
  key: string;
  namespace: string;
  value: number;
}

export class GenesysError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly params: Record<string, string> = {},
    readonly limit?: GenesysLimit,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GenesysError';
  }

  body(contextId: string): Record<string, unknown> {
    let messageWithParams = this.message;
    for (const [k, v] of Object.entries(this.params)) messageWithParams = messageWithParams.split(v).join(`{${k}}`);
    return {
      message: this.message,
      code: this.code,
      status: this.status,
      messageWithParams,
      messageParams: this.params,
      contextId,
      details: [],
      errors: [],
      ...(this.limit ? { limit: this.limit } : {}),
    };
  }
}

export const errors = {
  badRequest: (message: string, params: Record<string, string> = {}) =>
    new GenesysError(400, 'bad.request', message, params),
  invalidValue: (message: string, params: Record<string, string> = {}) =>
    new GenesysError(400, 'invalid.value', message, params),
  invalidQuery: (param: string, value: string, allowed: string) =>
    new GenesysError(
      400,
      'invalid.query.param.value',
      `Value [${value}] is not valid for parameter [${param}]. Allowable values are: ${allowed}`,
      { value, param, allowed },
    ),
  syntax: (message: string, params: Record<string, string> = {}) =>
    new GenesysError(400, 'flows.datatables.syntax.error', message, params),
  schema: (message: string, params: Record<string, string> = {}) =>
    new GenesysError(400, 'flows.datatables.schema.exception', message, params),
  limit: (message: string, limit: GenesysLimit) =>
    new GenesysError(400, 'limit.exceeded', message, { limit: String(limit.value) }, limit),
  notFound: (message = 'The requested resource was not found.') => new GenesysError(404, 'not.found', message),
  tableNotFound: () => new GenesysError(404, 'flows.datatables.table.not.found', 'Not found'),
  rowNotFound: (key: string) =>
    new GenesysError(404, 'flows.datatables.row.not.found', `Row with key ${key} not found`, { key }),
  conflict: (code: string, message: string, params: Record<string, string> = {}) =>
    new GenesysError(409, code, message, params),
  authRequired: () =>
    new GenesysError(
      401,
      'authentication.required',
      'No authentication bearer token specified in authorization header.',
    ),
  badCredentials: () => new GenesysError(401, 'bad.credentials', 'Invalid login credentials.'),
  expired: () => new GenesysError(401, 'credentials.expired', 'The authentication token has expired.'),
  responseTooLarge: () =>
    new GenesysError(
      400,
      'response.entity.too.large',
      'The response is over the size limit. Reduce pageSize or expand list to reduce response size if applicable',
    ),
  tooLarge: (max: number) =>
    new GenesysError(413, 'request.entity.too.large', `The request is over the size limit. Maximum bytes: ${max}`, {
      max: String(max),
    }),
  rateLimited: (seconds: number) =>
    new GenesysError(
      429,
      'too.many.requests.retry.after',
      `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
      { seconds: String(seconds) },
      undefined,
      {
        'Retry-After': String(seconds),
      },
    ),
  server: (status: number) =>
    status === 403
      ? new GenesysError(
          403,
          'missing.any.permissions',
          'You are missing the following permission(s): architect:datatable:view',
          { permissions: 'architect:datatable:view' },
        )
      : status === 503
        ? new GenesysError(
            503,
            'flows.datatables.server.too.busy',
            'The server is too busy to handle the request. Try again later.',
          )
        : status === 429
          ? errors.rateLimited(1)
          : new GenesysError(
              status,
              status === 504 ? 'request.timeout' : 'internal.server.error',
              status === 504 ? 'The request timed out.' : 'The server encountered an unexpected condition.',
            ),
};
