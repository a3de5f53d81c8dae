// Data-table schema and row rules as Genesys enforces them (genesys-datatables.md §5, §3.9-3.10):
// a string `key` property, only boolean|integer|number|string, required exactly ["key"],
// additionalProperties false, fields added but never removed or retyped, a field-count limit, rows checked
// by type with defaults filled for missing fields, keys of at most 256 characters.
import { errors } from './errors.js';
import type { EmulatorLimits } from './options.js';

import {
  FIELD_TYPES,
  type FieldSchema,
  type FieldType,
  type Row,
  type TableSchema,
} from '../genesys/datatable-schema.js';

export { FIELD_TYPES };
export type { FieldType, Row, TableSchema };
export type PropertySchema = FieldSchema;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueMatches(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
  }
}

/** Validates a proposed schema (create or update); `previous` is the stored schema on update. */
export function validateSchema(schema: unknown, limits: EmulatorLimits, previous?: TableSchema): TableSchema {
  if (!isObject(schema)) throw errors.schema('The datatable schema is missing or is not an object.');
  if (schema.additionalProperties !== false) throw errors.schema('The schema must set additionalProperties to false.');
  const required = schema.required;
  if (!Array.isArray(required) || required.length !== 1 || required[0] !== 'key') {
    throw errors.schema('The key field must be the only value in the required list.');
  }
  const properties = schema.properties;
  if (!isObject(properties)) throw errors.schema('The schema must have a properties object.');
  if (!isObject(properties.key) || properties.key.type !== 'string') {
    throw errors.schema("The schema must contain a string property 'key' that serves as the row key.");
  }
  for (const [name, prop] of Object.entries(properties)) {
    if (!isObject(prop) || !FIELD_TYPES.includes(prop.type as FieldType)) {
      throw errors.invalidValue(
        `Value [${String(isObject(prop) ? prop.type : prop)}] is not valid for field type [${name}]. Allowable values are: ${FIELD_TYPES.join(', ')}`,
        {
          field: name,
        },
      );
    }
    if ('default' in prop && prop.default !== undefined && !valueMatches(prop.type as FieldType, prop.default)) {
      throw errors.invalidValue(`The default value of field '${name}' does not match its type ${String(prop.type)}.`, {
        field: name,
      });
    }
  }
  const count = Object.keys(properties).length;
  if (count > limits.maxFields) {
    throw errors.limit(`A datatable can have at most ${limits.maxFields} fields; the schema has ${count}.`, {
      key: 'max.fields.per.datatable',
      namespace: 'flows.datatables',
      value: limits.maxFields,
    });
  }
  if (previous) {
    for (const [name, prop] of Object.entries(previous.properties)) {
      const next = properties[name] as PropertySchema | undefined;
      if (!next) throw errors.badRequest(`Field '${name}' is missing from the proposed schema`, { field: name });
      if (next.type !== prop.type) {
        throw errors.badRequest(
          `Field '${name}' cannot change type from ${prop.type} to ${next.type}; fields can only be added.`,
          { field: name },
        );
      }
    }
  }
  return schema as unknown as TableSchema;
}

function defaultFor(prop: PropertySchema): string | number | boolean {
  if (prop.default !== undefined && valueMatches(prop.type, prop.default))
    return prop.default as string | number | boolean;
  return prop.type === 'boolean' ? false : prop.type === 'string' ? '' : 0;
}

/**
 * Validates a row body against the schema and returns the full stored row: every field present, missing
 * ones (or null) filled with the schema default, else false / "" / 0. PUT is a full replacement, so the same
 * function serves create and update.
 */
export function normaliseRow(
  body: unknown,
  schema: TableSchema,
  limits: EmulatorLimits,
  opts: { enforceLengths: boolean },
): Row {
  if (!isObject(body)) throw errors.syntax('The row must be a JSON object.');
  const key = body.key;
  if (typeof key !== 'string' || key.length === 0) throw errors.syntax("The row must have a non-empty string 'key'.");
  if ([...key].length > limits.maxKeyLength) {
    throw errors.limit(`The key may be at most ${limits.maxKeyLength} characters long.`, {
      key: 'max.key.length',
      namespace: 'flows.datatables',
      value: limits.maxKeyLength,
    });
  }
  // Column names may be `constructor`, `toString` or `__proto__`: own-property lookups only, and the row is
  // built with Object.fromEntries (a plain assignment to `__proto__` would set the prototype instead).
  const fields: [string, string | number | boolean][] = [];
  for (const [name, value] of Object.entries(body)) {
    const prop = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    if (!prop) throw errors.syntax(`Value [${name}] is not a valid property for object [row]`, { property: name });
    if (value === null || value === undefined) continue;
    if (!valueMatches(prop.type, value)) {
      throw errors.syntax(`Value [${JSON.stringify(value)}] is not valid for field [${name}] of type [${prop.type}].`, {
        field: name,
        type: prop.type,
      });
    }
    if (opts.enforceLengths && typeof value === 'string') {
      const len = [...value].length;
      if (prop.maxLength !== undefined && len > prop.maxLength)
        throw errors.syntax(`Field [${name}] is longer than ${prop.maxLength} characters.`, { field: name });
      if (prop.minLength !== undefined && len < prop.minLength)
        throw errors.syntax(`Field [${name}] is shorter than ${prop.minLength} characters.`, { field: name });
    }
    if (opts.enforceLengths && typeof value === 'number') {
      if (prop.maximum !== undefined && value > prop.maximum)
        throw errors.syntax(`Field [${name}] is above ${prop.maximum}.`, { field: name });
      if (prop.minimum !== undefined && value < prop.minimum)
        throw errors.syntax(`Field [${name}] is below ${prop.minimum}.`, { field: name });
    }
    fields.push([name, value as string | number | boolean]);
  }
  const given = new Set(fields.map(([name]) => name));
  for (const [name, prop] of Object.entries(schema.properties))
    if (!given.has(name)) fields.push([name, defaultFor(prop)]);
  return Object.fromEntries(fields) as Row;
}

/** Converts one CSV cell to the field's type (import jobs); empty means "use the default". */
export function parseCsvCell(raw: string, prop: PropertySchema): unknown {
  if (raw === '') return null;
  switch (prop.type) {
    case 'string':
      return raw;
    case 'boolean':
      return /^true$/i.test(raw) ? true : /^false$/i.test(raw) ? false : raw;
    case 'integer':
    case 'number':
      return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
  }
}
