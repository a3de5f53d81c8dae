// DataTableGateway over the official SDK. Every call goes through the org's request queue (rate, retries,
// priorities) and the org's ApiClient (token cache). Writes are made safe to retry: PUT and DELETE are
// idempotent; a POST whose outcome is unknown (timeout, reset) is repeated only where Genesys refuses a
// duplicate (409), and a 409 then counts as "already applied" only when the object holds what was sent.
// Reads after the gateway's own writes tolerate Genesys' visibility delay (read-after-write.ts) and show what
// it wrote (own-writes.ts); row pages step down in size per table (page-sizes.ts); 403s name the permission
// and the table's division.
import type { Clock, Sleep } from '../lib/clock.js';
import { systemClock, realSleep } from '../lib/clock.js';
import { uploadCsv } from './csv-upload.js';
import {
  GenesysAuthError,
  GenesysConflictError,
  GenesysNotFoundError,
  GenesysUnavailableError,
  GenesysValidationError,
} from './errors.js';
import { rowHolds } from './datatable-schema.js';
import type { CallOptions, DataTable, DataTableGateway, ImportResult, OrgIdentity, Row } from './gateway.js';
import type { OrgApiClient } from './org-api-client.js';
import { OwnWrites } from './own-writes.js';
import { PageSizeMemory, ROW_PAGE_SIZES } from './page-sizes.js';
import { isUnaddressableSegment, unaddressableKeyError } from './path-segments.js';
import { withDivision } from './permission-errors.js';
import { readUntilSettled, type SettleTiming } from './read-after-write.js';
import type { CallMode, OrgRequestQueue } from './request-queue.js';

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

/** Table listings carry every schema: they step down too, with one memory for the whole listing. */
const TABLE_PAGE_SIZES = [100, 25, 5];

export interface SdkGatewayOptions {
  jobPollIntervalMs: number;
  jobTimeoutMs: number;
  /** The CSV upload to uploadURI is cut off after this long. */
  uploadTimeoutMs?: number;
  /** How long reads after the gateway's own write wait for it to become visible, by call mode. */
  visibilityWaitMs?: Record<CallMode, number>;
  clock?: Clock;
  sleep?: Sleep;
}

/** Terraform's provider waits up to 30-60 s for a new or deleted object to show (genesys-datatables.md §13). */
const VISIBILITY_WAIT_MS: Record<CallMode, number> = { interactive: 8_000, background: 30_000 };

function toTable(e: TableEntity): DataTable {
  return {
    id: e.id,
    name: e.name,
    description: e.description ?? '',
    division: { id: e.division?.id ?? '', name: e.division?.name ?? '' },
    schema: e.schema ?? { required: ['key'], properties: { key: { type: 'string' } }, additionalProperties: false },
  };
}

interface CallScope {
  /** PUT/DELETE and reads: safe to repeat when the outcome of an attempt is unknown. */
  retryUnknownOutcome?: boolean;
  /** The table the call is about: a 403 then names its division. */
  tableId?: string;
  /** The division a create goes to, when no table exists yet to ask about. */
  divisionName?: string;
}

export class SdkDataTableGateway implements DataTableGateway {
  private readonly rowPages = new PageSizeMemory(ROW_PAGE_SIZES);
  private readonly tablePages = new PageSizeMemory(TABLE_PAGE_SIZES);
  /** Division of every table this gateway has seen, to name it in a 403 (Genesys' own message does not). */
  private readonly divisions = new Map<string, string>();
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  /** Row writes of this gateway that reads may not show yet (own-writes.ts). */
  private readonly ownWrites: OwnWrites;

  constructor(
    private readonly client: OrgApiClient,
    private readonly queue: OrgRequestQueue,
    private readonly options: SdkGatewayOptions = { jobPollIntervalMs: 1000, jobTimeoutMs: 10 * 60_000 },
  ) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    const waits = options.visibilityWaitMs ?? VISIBILITY_WAIT_MS;
    this.ownWrites = new OwnWrites(this.clock, Math.max(waits.interactive, waits.background));
  }

  private async call<T>(fn: () => Promise<unknown>, opts: CallOptions = {}, scope: CallScope = {}): Promise<T> {
    try {
      return await this.queue.run(() => this.client.call<T>(fn), opts.mode ?? 'interactive', {
        retryUnknownOutcome: scope.retryUnknownOutcome,
      });
    } catch (err) {
      throw err instanceof GenesysAuthError && err.reason === 'missing-permissions'
        ? await this.namePlace(err, scope, opts)
        : err;
    }
  }

  /**
   * A 403 re-worded with the division it happened in: the one the create named, else the table's (known from
   * a listing, or read now). A table that cannot be read at all is in a division the role does not cover.
   */
  private async namePlace(err: GenesysAuthError, scope: CallScope, opts: CallOptions): Promise<GenesysAuthError> {
    if (scope.divisionName) return withDivision(err, { division: scope.divisionName });
    if (!scope.tableId) return err;
    // Without datatable:view there, the table cannot be seen at all: its division is not covered by the role.
    const unseen = err.permissions.includes('architect:datatable:view');
    let division = this.divisions.get(scope.tableId);
    if (division === undefined && !unseen)
      division = await this.getTable(scope.tableId, opts).then(
        (t) => t.division.name,
        () => undefined,
      );
    return withDivision(err, { division, unseenTable: unseen || division === undefined });
  }

  private remember(e: TableEntity): DataTable {
    const table = toTable(e);
    if (table.division.name) this.divisions.set(table.id, table.division.name);
    return table;
  }

  private settleTiming(opts: CallOptions): SettleTiming {
    const waits = this.options.visibilityWaitMs ?? VISIBILITY_WAIT_MS;
    return { sleep: this.sleep, maxWaitMs: waits[opts.mode ?? 'interactive'], firstDelayMs: 250 };
  }

  async testConnection(): Promise<OrgIdentity> {
    const me = await this.call<{ id: string; name: string }>(() => this.client.organization.getOrganizationsMe());
    await this.call(() => this.client.architect.getFlowsDatatables({ pageSize: 1 })); // proves architect:datatable:view
    return { id: me.id, name: me.name };
  }

  async listTables(opts: CallOptions = {}): Promise<DataTable[]> {
    const all = await this.tablePages.read('tables', async (pageSize) => {
      const page = (pageNumber: number) =>
        this.call<Listing<TableEntity>>(
          () => this.client.architect.getFlowsDatatables({ expand: 'schema', pageSize, pageNumber, sortBy: 'name' }),
          opts,
        );
      const first = await page(1);
      const rest = await Promise.all(
        Array.from({ length: Math.max(0, (first.pageCount ?? 1) - 1) }, (_, i) => page(i + 2)),
      );
      return [first, ...rest].flatMap((p) => p.entities ?? []);
    });
    return all.map((e) => this.remember(e));
  }

  async getTable(tableId: string, opts: CallOptions = {}): Promise<DataTable> {
    return this.remember(
      await this.call<TableEntity>(() => this.client.architect.getFlowsDatatable(tableId, { expand: 'schema' }), opts, {
        tableId,
        retryUnknownOutcome: true,
      }),
    );
  }

  private async findTableByName(name: string, opts: CallOptions): Promise<DataTable | undefined> {
    return (await this.listTables(opts)).find((t) => t.name.toLowerCase() === name.toLowerCase());
  }

  /**
   * The new table, once reads see it too: the caller goes on to read and write it, which must not find it
   * "missing" while Genesys has not made it visible yet.
   */
  async createTable(
    table: { name: string; description: string; divisionId?: string; schema: DataTable['schema'] },
    opts: CallOptions = {},
  ): Promise<DataTable> {
    const body = {
      name: table.name,
      description: table.description,
      schema: table.schema,
      ...(table.divisionId ? { division: { id: table.divisionId } } : {}),
    };
    const post = () =>
      this.call<TableEntity>(() => this.client.architect.postFlowsDatatables(body as never), opts, {
        divisionName: table.divisionId ? undefined : 'Home',
      });
    let created: DataTable;
    try {
      created = this.remember(await post());
    } catch (err) {
      if (!(err instanceof GenesysUnavailableError && err.mayHaveApplied))
        throw this.explainTableConflict(err, table.name);
      created = await this.createTableAgain(table, post, opts);
    }
    const { settled } = await readUntilSettled(
      () =>
        this.getTable(created.id, opts).then(
          () => true,
          (e: unknown) => (e instanceof GenesysNotFoundError ? false : Promise.reject(e)),
        ),
      (seen) => seen,
      this.settleTiming(opts),
    );
    if (!settled)
      throw new GenesysUnavailableError(
        `Genesys Cloud created the table “${table.name}” but still does not show it; try again in a minute.`,
        'timeout',
        false,
      );
    return created;
  }

  /** The POST of a table may have reached Genesys: names are unique, so a second POST answers 409 if it did. */
  private async createTableAgain(
    table: { name: string; schema: DataTable['schema'] },
    post: () => Promise<TableEntity>,
    opts: CallOptions,
  ): Promise<DataTable> {
    try {
      return this.remember(await post());
    } catch (err) {
      if (!(err instanceof GenesysConflictError)) throw err;
      // A 409 here is our first POST (or someone else's table of that name): the listing may lag, so look again.
      const { value: existing } = await readUntilSettled(
        () => this.findTableByName(table.name, opts),
        (t) => t !== undefined,
        this.settleTiming(opts),
      );
      if (
        existing &&
        JSON.stringify(Object.keys(existing.schema.properties).sort()) ===
          JSON.stringify(Object.keys(table.schema.properties).sort())
      )
        return existing;
      throw this.explainTableConflict(err, table.name);
    }
  }

  private explainTableConflict(err: unknown, name: string): unknown {
    if (!(err instanceof GenesysConflictError)) return err;
    const named = new GenesysConflictError(
      `Genesys Cloud already has a table named “${name}” (perhaps in a division the OAuth client's role does not cover, so this app cannot see it). Rename or remove that table, or grant the role that division.`,
    );
    named.correlationId = err.correlationId;
    named.genesysCode = err.genesysCode;
    return named;
  }

  private rowsPage(tableId: string, pageNumber: number, pageSize: number, opts: CallOptions) {
    return this.call<Listing<Row>>(
      () => this.client.architect.getFlowsDatatableRows(tableId, { pageNumber, pageSize, showbrief: false }),
      opts,
      { tableId, retryUnknownOutcome: true },
    );
  }

  /**
   * Every row; the page size steps down for this table while Genesys finds a page too big (page-sizes.ts). Right
   * after this gateway wrote rows of the table, it reads again (bounded) until the rows show those writes.
   */
  async readAllRows(tableId: string, opts: CallOptions = {}): Promise<Row[]> {
    if (!this.ownWrites.waitingIn(tableId)) return this.readPagesNoted(tableId, opts);
    return (
      await readUntilSettled(
        () => this.readResolved(tableId, opts),
        (r) => r.settled,
        this.settleTiming(opts),
      )
    ).value.value;
  }

  /** Every row, each made to show this gateway's recent writes (own-writes.ts). */
  private async readResolved(tableId: string, opts: CallOptions) {
    return this.ownWrites.resolveTable(tableId, await this.readPagesNoted(tableId, opts));
  }

  /** Every row as Genesys shows it now, noted as the latest state of rows this gateway read one by one. */
  private async readPagesNoted(tableId: string, opts: CallOptions): Promise<Row[]> {
    const rows = await this.readPages(tableId, opts);
    this.ownWrites.noteTableRead(tableId, rows);
    return rows;
  }

  private readPages(tableId: string, opts: CallOptions): Promise<Row[]> {
    return this.rowPages.read(tableId, async (size) => {
      const first = await this.rowsPage(tableId, 1, size, opts);
      const rest = await Promise.all(
        Array.from({ length: Math.max(0, (first.pageCount ?? 1) - 1) }, (_, i) =>
          this.rowsPage(tableId, i + 2, size, opts),
        ),
      );
      return [first, ...rest].flatMap((p) => p.entities ?? []);
    });
  }

  /** The page size row reads of this table use now (for the readiness check and tests). */
  rowPageSize(tableId: string): number {
    return this.rowPages.sizeFor(tableId);
  }

  async readAllRowsAfterWrite(
    tableId: string,
    settled: (rows: Row[]) => boolean,
    opts: CallOptions = {},
  ): Promise<Row[]> {
    const caughtUp = (r: { value: Row[]; settled: boolean }) => r.settled && settled(r.value);
    return (await readUntilSettled(() => this.readResolved(tableId, opts), caughtUp, this.settleTiming(opts))).value
      .value;
  }

  async countRows(tableId: string, opts: CallOptions = {}): Promise<number> {
    const page = await this.call<Listing<Row>>(
      () => this.client.architect.getFlowsDatatableRows(tableId, { pageNumber: 1, pageSize: 1, showbrief: true }),
      opts,
      { tableId, retryUnknownOutcome: true },
    );
    return page.total ?? page.entities?.length ?? 0;
  }

  async getRow(tableId: string, key: string, opts: CallOptions = {}): Promise<Row | null> {
    // A key no URL can carry (`.`, `..`, empty) is read from the row listing instead (path-segments.ts).
    if (isUnaddressableSegment(key))
      return (await this.readAllRows(tableId, opts)).find((r) => String(r.key) === key) ?? null;
    const read = async () => this.ownWrites.resolveRow(tableId, key, await this.fetchRow(tableId, key, opts));
    const row = (await readUntilSettled(read, (r) => r.settled, this.settleTiming(opts))).value.value;
    this.ownWrites.noteRead(tableId, key, row); // an update that follows knows what it replaces
    return row;
  }

  private async fetchRow(tableId: string, key: string, opts: CallOptions): Promise<Row | null> {
    try {
      return await this.call<Row>(
        () => this.client.architect.getFlowsDatatableRow(tableId, key, { showbrief: false }),
        opts,
        { tableId, retryUnknownOutcome: true },
      );
    } catch (err) {
      if (err instanceof GenesysNotFoundError) return null;
      throw err;
    }
  }

  async createRow(tableId: string, row: Row, opts: CallOptions = {}): Promise<Row> {
    const post = () =>
      this.call<Row>(() => this.client.architect.postFlowsDatatableRows(tableId, row as never), opts, { tableId });
    let created: Row;
    try {
      created = await post();
    } catch (err) {
      if (!(err instanceof GenesysUnavailableError && err.mayHaveApplied)) throw err;
      created = await this.createRowAgain(tableId, row, post, err, opts);
    }
    this.ownWrites.note(tableId, String(row.key), created, { absentBefore: true });
    return created;
  }

  /**
   * The first POST may have reached Genesys. A GET settles it when it shows the row; a 404 does not, since a new
   * row stays invisible for a while. A second POST does: keys are unique, so it creates the row only if the first
   * did not, and answers 409 if it did. The 409 counts as "already applied" only once the row, when reads show
   * it, holds what was sent. Either way the row is never created twice.
   */
  private async createRowAgain(
    tableId: string,
    row: Row,
    post: () => Promise<Row>,
    unknown: GenesysUnavailableError,
    opts: CallOptions,
  ): Promise<Row> {
    const holds = (existing: Row | null): Row => {
      if (existing && rowHolds(existing, row)) return existing;
      if (existing)
        throw new GenesysConflictError(
          'Genesys Cloud already has a row with this key, with other values (someone else created it).',
        );
      throw unknown; // Genesys says it exists but does not show it yet: the outcome stays unknown, the reconciler settles it
    };
    const seen = await this.fetchRow(tableId, String(row.key), opts);
    if (seen) return holds(seen);
    try {
      return await post();
    } catch (err) {
      if (!(err instanceof GenesysConflictError)) throw err instanceof GenesysUnavailableError ? unknown : err;
      return holds(
        (
          await readUntilSettled(
            () => this.fetchRow(tableId, String(row.key), opts),
            (r) => r !== null,
            this.settleTiming(opts),
          )
        ).value,
      );
    }
  }

  async updateRow(tableId: string, key: string, row: Row, opts: CallOptions = {}): Promise<Row> {
    if (isUnaddressableSegment(key)) throw unaddressableKeyError(key, 'update');
    // The SDK sends the body only when it is wrapped in opts.body (genesys-datatables.md §3.10).
    let saved: Row;
    try {
      saved = await this.call<Row>(
        () => this.client.architect.putFlowsDatatableRow(tableId, key, { body: row }),
        opts,
        { tableId, retryUnknownOutcome: true },
      );
    } catch (err) {
      if (err instanceof GenesysUnavailableError && err.mayHaveApplied) this.ownWrites.unsure(tableId, key);
      throw err;
    }
    // No source says Genesys shows an update at once: reads within the window answer what was written.
    this.ownWrites.note(tableId, key, saved);
    return saved;
  }

  async deleteRow(tableId: string, key: string, opts: CallOptions = {}): Promise<'deleted' | 'already-gone'> {
    if (isUnaddressableSegment(key)) throw unaddressableKeyError(key, 'delete');
    try {
      await this.call(() => this.client.architect.deleteFlowsDatatableRow(tableId, key), opts, {
        tableId,
        retryUnknownOutcome: true,
      });
      this.ownWrites.note(tableId, key, null);
      return 'deleted';
    } catch (err) {
      if (err instanceof GenesysUnavailableError && err.mayHaveApplied) this.ownWrites.unsure(tableId, key);
      if (!(err instanceof GenesysNotFoundError)) throw err;
      this.ownWrites.note(tableId, key, null);
      return 'already-gone';
    }
  }

  /** Upload/download URIs come from Genesys' answers; only https (or the local emulator's own origin) is fetched. */
  private checkTransferUri(uri: string): URL {
    const url = new URL(uri);
    const local = this.client.localEmulatorOrigin !== undefined && url.origin === this.client.localEmulatorOrigin;
    if (url.protocol !== 'https:' && !local)
      throw new GenesysValidationError(
        `Genesys Cloud returned a transfer address that is not https (${url.protocol}); refusing to use it.`,
      );
    return url;
  }

  private async poll<T extends { status?: string }>(fetchJob: () => Promise<T>, done: (j: T) => boolean): Promise<T> {
    const deadline = this.clock.now() + this.options.jobTimeoutMs;
    for (;;) {
      const job = await fetchJob();
      if (done(job)) return job;
      if (this.clock.now() > deadline)
        throw new GenesysUnavailableError('The Genesys Cloud job did not finish in time.', 'timeout', true);
      await this.sleep(this.options.jobPollIntervalMs);
    }
  }

  async importCsv(
    tableId: string,
    csv: string,
    mode: 'Append' | 'ReplaceAll',
    opts: CallOptions = { mode: 'background' },
  ): Promise<ImportResult> {
    const job = await this.call<{ id: string; uploadURI: string; uploadHeaders?: Record<string, string> }>(
      () =>
        this.client.architect.postFlowsDatatableImportCsvJobs(tableId, {
          importMode: mode,
          status: 'WaitingForUpload',
        }),
      opts,
      { tableId },
    );
    const upload = await uploadCsv(
      this.checkTransferUri(job.uploadURI),
      job.uploadHeaders,
      csv,
      this.options.uploadTimeoutMs ?? 120_000,
    );
    // A refused upload is a failed job that imported nothing (the job stays WaitingForUpload until it expires).
    if (!upload.ok)
      return { status: 'Failed', updated: 0, deleted: 0, failed: 0, message: upload.refused, nothingImported: true };
    const final = await this.poll(
      () =>
        this.call<{
          status: string;
          countRecordsUpdated?: number;
          countRecordsDeleted?: number;
          countRecordsFailed?: number;
          errorInformation?: { message?: string };
        }>(() => this.client.architect.getFlowsDatatableImportJob(tableId, job.id), opts, {
          tableId,
          retryUnknownOutcome: true,
        }),
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
    const job = await this.call<{ id: string }>(
      () => this.client.architect.postFlowsDatatableExportJobs(tableId),
      opts,
      { tableId },
    );
    const final = await this.poll(
      () =>
        this.call<{ status: string; downloadURI?: string }>(
          () => this.client.architect.getFlowsDatatableExportJob(tableId, job.id),
          opts,
          { tableId, retryUnknownOutcome: true },
        ),
      (j) => j.status !== 'Processing',
    );
    if (final.status !== 'Succeeded' || !final.downloadURI)
      throw new GenesysUnavailableError('Genesys Cloud could not export the table.', 'server-error', false);
    const res = await fetch(this.checkTransferUri(final.downloadURI));
    if (!res.ok)
      throw new GenesysUnavailableError(
        `Downloading the export from Genesys Cloud failed (HTTP ${res.status}).`,
        'server-error',
        false,
      );
    return res.text();
  }
}
