// Genesys entity-listing envelopes: entities, pageSize, pageNumber, total, pageCount and relative URIs
// (previousUri/nextUri omitted at the ends; Genesys omits null fields).
import { errors } from './errors.js';
import type { EmulatorBehaviour } from './options.js';

export interface Paging {
  pageNumber: number;
  pageSize: number;
}

function positiveInt(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw errors.invalidQuery(name, raw, 'a whole number of at least 1');
  return Number(raw);
}

export function readPaging(query: URLSearchParams, behaviour: EmulatorBehaviour): Paging {
  const pageNumber = positiveInt(query, 'pageNumber', 1);
  let pageSize = positiveInt(query, 'pageSize', 25);
  if (pageSize > behaviour.maxPageSize) {
    if (behaviour.pageSizeOverCap === 'reject')
      throw errors.invalidQuery('pageSize', String(pageSize), `1 to ${behaviour.maxPageSize}`);
    pageSize = behaviour.maxPageSize;
  }
  return { pageNumber, pageSize };
}

export function listing<T>(
  all: T[],
  paging: Paging,
  basePath: string,
  extraQuery = '',
  withUris = true,
): Record<string, unknown> {
  const { pageNumber, pageSize } = paging;
  const total = all.length;
  const pageCount = Math.ceil(total / pageSize);
  const entities = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const body: Record<string, unknown> = { entities, pageSize, pageNumber, total, pageCount };
  if (!withUris) return body;
  const uri = (n: number) => `${basePath}?pageSize=${pageSize}&pageNumber=${n}${extraQuery}`;
  body.firstUri = uri(1);
  body.selfUri = uri(pageNumber);
  if (pageCount > 0) body.lastUri = uri(pageCount);
  if (pageNumber > 1) body.previousUri = uri(Math.min(pageNumber - 1, Math.max(pageCount, 1)));
  if (pageNumber < pageCount) body.nextUri = uri(pageNumber + 1);
  return body;
}

export function readEnum<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!match) throw errors.invalidQuery(name, raw, allowed.join(', '));
  return match;
}

export function readBoolean(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw errors.invalidQuery(name, raw, 'true, false');
}
