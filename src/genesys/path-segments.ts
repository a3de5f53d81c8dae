// Values the gateway may never put into a Genesys URL path as they are (docs/adr/004-dot-segment-row-keys.md).
// `.` and `..` are dot segments: every URL parser on the way (the SDK's axios uses Node's WHATWG URL, and
// browsers, proxies and servers normalise the same way) resolves them, so `DELETE …/rows/..` becomes
// `DELETE …/datatables/{id}/`, the table delete. Percent-encoding does not help: WHATWG URL treats `%2E%2E`
// as `..` too, and servers decode before they normalise. An empty value drops the segment altogether.
import { GenesysValidationError } from './errors.js';

/** True when a path parameter with this value would address something other than itself. */
export function isUnaddressableSegment(value: string): boolean {
  return value === '' || value === '.' || value === '..';
}

/** The refusal a user sees when a row key cannot be sent to Genesys in a URL. */
export function unaddressableKeyError(key: string, action: 'update' | 'delete'): GenesysValidationError {
  const shown = key === '' ? 'an empty key' : `the key “${key}”`;
  return new GenesysValidationError(
    `This app cannot ${action} the row with ${shown}: Genesys Cloud addresses a row by its key in the URL, and URLs read “${key}” as ` +
      `${key === '..' ? '“the level above”, which is the table itself' : key === '.' ? '“this level”, which is the list of rows' : 'no segment at all'}. ` +
      'Sending it could change the wrong thing, so nothing was sent.',
  );
}

/**
 * The last line of defence, installed on every org's ApiClient: refuses to build a URL in which any path
 * parameter is a dot segment or empty, whatever call asked for it.
 */
export function assertAddressableParams(pathParams: Record<string, unknown> | undefined): void {
  for (const [name, value] of Object.entries(pathParams ?? {})) {
    if (typeof value === 'string' && isUnaddressableSegment(value)) {
      throw new GenesysValidationError(
        `Refusing to call Genesys Cloud with “${value}” as the ${name} in the URL: it would address a different resource.`,
      );
    }
  }
}
