// The PUT of an import job's CSV to its uploadURI (genesys-datatables.md §13): a signed storage request that
// must carry every uploadHeader exactly, and nothing contradicting one. It is timed out, and a refusal is
// told apart from an upload whose fate is unknown: a refused upload imported nothing.
import { GenesysUnavailableError } from './errors.js';

/**
 * The upload is a signed request: send every uploadHeader exactly as given and nothing that contradicts one.
 * Only when they name no Content-Type (any case) is ours added.
 */
export function uploadRequestHeaders(uploadHeaders: Record<string, string> = {}): Record<string, string> {
  const namesContentType = Object.keys(uploadHeaders).some((name) => name.toLowerCase() === 'content-type');
  return namesContentType ? { ...uploadHeaders } : { ...uploadHeaders, 'Content-Type': 'text/csv' };
}

/** 'refused' with the reason in plain words: the storage answered and took nothing. */
export type UploadResult = { ok: true } | { ok: false; refused: string };

export async function uploadCsv(
  url: URL,
  uploadHeaders: Record<string, string> | undefined,
  csv: string,
  timeoutMs: number,
): Promise<UploadResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'PUT',
      headers: uploadRequestHeaders(uploadHeaders),
      body: csv,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // Timed out or cut off: the file may have arrived whole, so the job may still run. The caller reads to know.
    const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
    throw new GenesysUnavailableError(
      timedOut
        ? `Uploading the CSV to Genesys Cloud did not finish within ${Math.round(timeoutMs / 1000)} seconds.`
        : 'The connection to Genesys Cloud was lost while uploading the CSV.',
      timedOut ? 'timeout' : 'connection-reset',
      true,
    );
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.ok) return { ok: true };
  const why =
    res.status === 403
      ? 'it answered 403, as a signed upload address does when the request does not match its signature (headers, expiry)'
      : res.status === 413
        ? 'the file is larger than it accepts (413)'
        : `it answered ${res.status}`;
  return { ok: false, refused: `Genesys Cloud refused the CSV upload (${why}), so nothing was imported.` };
}
