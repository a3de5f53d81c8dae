// Request bodies go to the SDK already serialised. The SDK hands a body object to axios, whose config merge
// copies plain objects key by key and skips `__proto__`, `constructor` and `prototype` (its guard against
// prototype pollution). Data-table columns may carry exactly those names, so a row or schema sent as an object
// lost them: Genesys stored defaults while the audit log recorded the values as written. A JSON string is
// passed through untouched (axios only trims it), so every column reaches Genesys.

/** The body as the JSON text to send; strings, buffers and forms are left as they are. */
export function serialiseBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body;
  if (typeof FormData !== 'undefined' && body instanceof FormData) return body;
  return JSON.stringify(body);
}
