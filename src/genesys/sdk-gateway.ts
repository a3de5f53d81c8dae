// DataTableGateway over the official SDK. Every call goes through the org's request queue (rate, retries,
// priorities) and the org's ApiClient (token cache). Writes are made safe to retry: PUT and DELETE are
// idempotent; a POST whose outcome is unknown (timeout, reset) is checked with a GET before it is repeated.
import { GenesysNotFoundError, GenesysUnavailableError, GenesysValidationError } from './errors.js';
import { rowHolds } from './datatable-schema.js';
import type { CallOptions, DataTable, DataTableGateway, ImportResult, OrgIdentity, Row } from './gateway.js';
import type { OrgApiClient } from './org-api-client.js';
import { isUnaddressableSegment, unaddressableKeyError } from './path-segments.js';
import type { OrgRequestQueue } from './request-queue.js';

interface Listing<T> {
  entities?: T[];
  pageCount?: number;
  total?: number;
}

interface TableEntity {
  id: string;
  name: string;
  description?: string;
  division?: { id?: string; name?: string };
  schema?: DataTable['schema'];
}

/** Page sizes tried for row reads, largest first; the first one the org accepts is remembered. */
const ROW_PAGE_SIZES = [500, 100, 25];
const TABLE_PAGE_SIZE = 100;

export interface SdkGatewayOptions {
  jobPollIntervalMs: number;
  jobTimeoutMs: number;
}

function toTable(e: TableEntity): DataTable {
  return {
    id: e.id,
    name: e.name,
    description: e.description ?? '',
    division: { id: e.division?.id ?? '', name: e.division?.name ?? '' },
    schema: e.schema ?? { required: ['key'], properties: { key: { type: 'string' } }, additionalProperties: false },
  };
}

/**
 * The upload is a signed request (genesys-datatables.md §13): send every uploadHeader exactly as given and
 * nothing that contradicts one. Only when they name no Content-Type (any case) is ours added.
 */
export function uploadRequestHeaders(uploadHeaders: Record<string, string> = {}): Record<string, string> {
  const namesContentType = Object.keys(uploadHeaders).some((name) => name.toLowerCase() === 'content-type');
  return namesContentType ? { ...uploadHeaders } : { ...uploadHeaders, 'Content-Type': 'text/csv' };
}

export class SdkDataTableGateway implements DataTableGateway {
  private rowPageSize?: number;

  constructor(
    private readonly client: OrgApiClient,
    private readonly queue: OrgRequestQueue,
    private readonly options: SdkGatewayOptions = { jobPollIntervalMs: 1000, jobTimeoutMs: 10 * 60_000 },
  ) {}

  private call<T>(fn: () => Promise<unknown>, opts: CallOptions = {}, retryUnknownOutcome = false): Promise<T> {
    return this.queue.run(() => this.client.call<T>(fn), opts.mode ?? 'interactive', { retryUnknownOutcome });
  }

  async testConnection(): Promise<OrgIdentity> {
    const me = await this.call<{ id: string; name: string }>(() => this.client.organization.getOrganizationsMe());
    await this.call(() => this.client.architect.getFlowsDatatables({ pageSize: 1 })); // proves architect:datatable:view
    return { id: me.id, name: me.name };
  }

  async listTables(opts: CallOptions = {}): Promise<DataTable[]> {
    const page = (pageNumber: number) =>
      this.call<Listing<TableEntity>>(() => this.client.architect.getFlowsDatatables({ expand: 'schema', pageSize: TABLE_PAGE_SIZE, pageNumber, sortBy: 'name' }), opts);
    const first = await page(1);
    const rest = await Promise.all(Array.from({ length: Math.max(0, (first.pageCount ?? 1) - 1) }, (_, i) => page(i + 2)));
    return [first, ...rest].flatMap((p) => p.entities ?? []).map(toTable);
  }

  async getTable(tableId: string, opts: CallOptions = {}): Promise<DataTable> {
    return toTable(await this.call<TableEntity>(() => this.client.architect.getFlowsDatatable(tableId, { expand: 'schema' }), opts));
  }

  async createTable(table: { name: string; description: string; divisionId?: string; schema: DataTable['schema'] }, opts: CallOptions = {}): Promise<DataTable> {
    const body = { name: table.name, description: table.description, schema: table.schema, ...(table.divisionId ? { division: { id: table.divisionId } } : {}) };
    const post = () => this.call<TableEntity>(() => this.client.architect.postFlowsDatatables(body as never), opts);
    try {
      return toTable(await post());
    } catch (err) {
      if (!(err instanceof GenesysUnavailableError && err.mayHaveApplied)) throw err;
      // The POST may have reached Genesys: a table of that name now is the one we created (names are unique).
      const existing = (await this.listTables(opts)).find((t) => t.name.toLowerCase() === table.name.toLowerCase());
      return existing ?? toTable(await post());
    }
  }

  private rowsPage(tableId: string, pageNumber: number, pageSize: number, opts: CallOptions) {
    return this.call<Listing<Row>>(() => this.client.architect.getFlowsDatatableRows(tableId, { pageNumber, pageSize, showbrief: false }), opts);
  }

  async readAllRows(tableId: string, opts: CallOptions = {}): Promise<Row[]> {
    let first: Listing<Row> | undefined;
    for (const size of this.rowPageSize ? [this.rowPageSize] : ROW_PAGE_SIZES) {
      try {
        first = await this.rowsPage(tableId, 1, size, opts);
        this.rowPageSize = size;
        break;
      } catch (err) {
        // An org that caps pageSize lower answers 400 invalid.query.param.value: try the next size down.
        if (!(err instanceof GenesysValidationError && err.genesysCode === 'invalid.query.param.value') || size === ROW_PAGE_SIZES.at(-1)) throw err;
      }
    }
    const size = this.rowPageSize!;
    const rest = await Promise.all(Array.from({ length: Math.max(0, (first!.pageCount ?? 1) - 1) }, (_, i) => this.rowsPage(tableId, i + 2, size, opts)));
    return [first!, ...rest].flatMap((p) => p.entities ?? []);
  }

  async countRows(tableId: string, opts: CallOptions = {}): Promise<number> {
    const page = await this.call<Listing<Row>>(() => this.client.architect.getFlowsDatatableRows(tableId, { pageNumber: 1, pageSize: 1, showbrief: true }), opts);
    return page.total ?? page.entities?.length ?? 0;
  }

  async getRow(tableId: string, key: string, opts: CallOptions = {}): Promise<Row | null> {
    // A key no URL can carry (`.`, `..`, empty) is read from the row listing instead (path-segments.ts).
    if (isUnaddressableSegment(key)) return (await this.readAllRows(tableId, opts)).find((r) => String(r.key) === key) ?? null;
    try {
      return await this.call<Row>(() => this.client.architect.getFlowsDatatableRow(tableId, key, { showbrief: false }), opts, true);
    } catch (err) {
      if (err instanceof GenesysNotFoundError) return null;
      throw err;
    }
  }

  async createRow(tableId: string, row: Row, opts: CallOptions = {}): Promise<Row> {
    const post = () => this.call<Row>(() => this.client.architect.postFlowsDatatableRows(tableId, row as never), opts);
    try {
      return await post();
    } catch (err) {
      if (!(err instanceof GenesysUnavailableError && err.mayHaveApplied)) throw err;
      // The POST may have reached Genesys. Look before repeating it, so a row is never created twice.
      const existing = await this.getRow(tableId, String(row.key), opts);
      if (existing && rowHolds(existing, row)) return existing;
      if (existing) throw err;
      return post();
    }
  }

  async updateRow(tableId: string, key: string, row: Row, opts: CallOptions = {}): Promise<Row> {
    if (isUnaddressableSegment(key)) throw unaddressableKeyError(key, 'update');
    // The SDK sends the body only when it is wrapped in opts.body (genesys-datatables.md §3.10).
    return this.call<Row>(() => this.client.architect.putFlowsDatatableRow(tableId, key, { body: row }), opts, true);
  }

  async deleteRow(tableId: string, key: string, opts: CallOptions = {}): Promise<'deleted' | 'already-gone'> {
    if (isUnaddressableSegment(key)) throw unaddressableKeyError(key, 'delete');
    try {
      await this.call(() => this.client.architect.deleteFlowsDatatableRow(tableId, key), opts, true);
      return 'deleted';
    } catch (err) {
      if (err instanceof GenesysNotFoundError) return 'already-gone';
      throw err;
    }
  }

  /** Upload/download URIs come from Genesys' answers; only https (or the local emulator's own origin) is fetched. */
  private checkTransferUri(uri: string): URL {
    const url = new URL(uri);
    const local = this.client.localEmulatorOrigin !== undefined && url.origin === this.client.localEmulatorOrigin;
    if (url.protocol !== 'https:' && !local) throw new GenesysValidationError(`Genesys Cloud returned a transfer address that is not https (${url.protocol}); refusing to use it.`);
    return url;
  }

  private async poll<T extends { status?: string }>(fetchJob: () => Promise<T>, done: (j: T) => boolean): Promise<T> {
    const deadline = Date.now() + this.options.jobTimeoutMs;
    for (;;) {
      const job = await fetchJob();
      if (done(job)) return job;
      if (Date.now() > deadline) throw new GenesysUnavailableError('The Genesys Cloud job did not finish in time.', 'timeout', true);
      await new Promise((r) => setTimeout(r, this.options.jobPollIntervalMs));
    }
  }

  async importCsv(tableId: string, csv: string, mode: 'Append' | 'ReplaceAll', opts: CallOptions = { mode: 'background' }): Promise<ImportResult> {
    const job = await this.call<{ id: string; uploadURI: string; uploadHeaders?: Record<string, string> }>(
      () => this.client.architect.postFlowsDatatableImportCsvJobs(tableId, { importMode: mode, status: 'WaitingForUpload' }),
      opts,
    );
    const upload = await fetch(this.checkTransferUri(job.uploadURI), { method: 'PUT', headers: uploadRequestHeaders(job.uploadHeaders), body: csv });
    if (!upload.ok) throw new GenesysUnavailableError(`Uploading the CSV to Genesys Cloud failed (HTTP ${upload.status}).`, 'server-error', false);
    const final = await this.poll(
      () =>
        this.call<{ status: string; countRecordsUpdated?: number; countRecordsDeleted?: number; countRecordsFailed?: number; errorInformation?: { message?: string } }>(
          () => this.client.architect.getFlowsDatatableImportJob(tableId, job.id),
          opts,
          true,
        ),
      (j) => j.status === 'Succeeded' || j.status === 'Failed',
    );
    return {
      status: final.status as ImportResult['status'],
      updated: final.countRecordsUpdated ?? 0,
      deleted: final.countRecordsDeleted ?? 0,
      failed: final.countRecordsFailed ?? 0,
      message: final.errorInformation?.message,
    };
  }

  async exportCsv(tableId: string, opts: CallOptions = { mode: 'background' }): Promise<string> {
    const job = await this.call<{ id: string }>(() => this.client.architect.postFlowsDatatableExportJobs(tableId), opts);
    const final = await this.poll(
      () => this.call<{ status: string; downloadURI?: string }>(() => this.client.architect.getFlowsDatatableExportJob(tableId, job.id), opts, true),
      (j) => j.status !== 'Processing',
    );
    if (final.status !== 'Succeeded' || !final.downloadURI) throw new GenesysUnavailableError('Genesys Cloud could not export the table.', 'server-error', false);
    const res = await fetch(this.checkTransferUri(final.downloadURI));
    if (!res.ok) throw new GenesysUnavailableError(`Downloading the export from Genesys Cloud failed (HTTP ${res.status}).`, 'server-error', false);
    return res.text();
  }
}
