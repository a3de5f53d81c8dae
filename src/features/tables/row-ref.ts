// How the app's own URLs name a row whose key the user may see. Browsers resolve dot segments before a
// request leaves them (`/rows/./delete` opens `/rows/delete`), so a key that is `.`, `..` or empty is never
// put in a URL as it is: it becomes `~` + base64url(key). Keys starting with `~` are escaped the same way,
// so every reference has exactly one meaning (docs/adr/004-dot-segment-row-keys.md). Hidden keys use
// opaque `h.` handles instead (table-service.ts).
import { isUnaddressableSegment } from '../../genesys/path-segments.js';

const ESCAPE = '~';

export function refOfKey(key: string): string {
  return isUnaddressableSegment(key) || key.startsWith(ESCAPE)
    ? ESCAPE + Buffer.from(key, 'utf8').toString('base64url')
    : key;
}

/** The key a reference names, or null for an escaped reference this app could not have made. */
export function keyOfRef(ref: string): string | null {
  if (!ref.startsWith(ESCAPE)) return ref;
  const key = Buffer.from(ref.slice(ESCAPE.length), 'base64url').toString('utf8');
  return refOfKey(key) === ref ? key : null;
}
