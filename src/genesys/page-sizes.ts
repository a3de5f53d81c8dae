// Which page size a listing may ask for. Genesys does not document the largest row page (genesys-datatables.md
// §13): an org may cap pageSize (400 invalid.query.param.value, which holds for every table of the org), and any
// page may be refused for its size (400 response.entity.too.large, or 413), which depends on how wide the
// table's rows are. So the cap is remembered per org and the size that works per table: a wide table steps
// down on its own without making narrow tables read in small pages.
import { GenesysTooLargeError, GenesysValidationError } from './errors.js';

/**
 * The one ladder of row page sizes, largest first: the gateway steps down it per table, and the readiness
 * check tries the same sizes, so the size it reports is the one the gateway reads that table with.
 */
export const ROW_PAGE_SIZES: readonly number[] = [500, 200, 100, 50, 25, 10];

const orgCapped = (err: unknown) =>
  err instanceof GenesysValidationError && err.genesysCode === 'invalid.query.param.value';

export class PageSizeMemory {
  private orgCap = Number.POSITIVE_INFINITY;
  private readonly perTarget = new Map<string, number>();

  /** `sizes`: the sizes to try, largest first. */
  constructor(private readonly sizes: readonly number[]) {}

  /** The size `target` (e.g. a table id) is read with now. */
  sizeFor(target: string): number {
    return this.candidates(target)[0]!;
  }

  private candidates(target: string): number[] {
    const max = Math.min(this.orgCap, this.perTarget.get(target) ?? Number.POSITIVE_INFINITY);
    const fitting = this.sizes.filter((s) => s <= max);
    return fitting.length ? fitting : [this.sizes.at(-1)!];
  }

  /** Runs `readAt(size)`, stepping down to the next size while Genesys says the page is too big. */
  async read<T>(target: string, readAt: (pageSize: number) => Promise<T>): Promise<T> {
    const candidates = this.candidates(target);
    for (let i = 0; ; i++) {
      const size = candidates[i]!;
      try {
        const result = await readAt(size);
        this.perTarget.set(target, size);
        return result;
      } catch (err) {
        const next = candidates[i + 1];
        if (next === undefined || !(orgCapped(err) || err instanceof GenesysTooLargeError)) throw err;
        if (orgCapped(err)) this.orgCap = next;
        else this.perTarget.set(target, next);
      }
    }
  }
}
