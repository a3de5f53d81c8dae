// Loads Prisma's WebAssembly schema engine (the engine `prisma migrate` wraps) so migrations run on machines
// that cannot download the native engine. Pinned to an exact @prisma/schema-engine-wasm version in
// package.json: it is an internal package without a stable API, and tests/int/database.test.ts ("schema engine
// loader") fails loudly if an upgrade changes it. See ../shared/notes/prisma-offline.md and docs/adr/002-offline-migrations.md.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';

export type SchemaEngine = bg.SchemaEngine;
export type SchemaFiles = { path: string; content: string }[];

const require = createRequire(import.meta.url);
// TypeScript ships WebAssembly's types only with the DOM library; this is the slice used here.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};
let initialised: Promise<void> | undefined;

// Node 20 cannot `import` a .wasm module, so instantiate it by hand and hand it to the JS bindings.
function initWasm(): Promise<void> {
  initialised ??= (async () => {
    // The package exports only its JS entry points, so find the .wasm beside them.
    const bindings = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = path.join(path.dirname(bindings), 'schema_engine_bg.wasm');
    const bytes = await readFile(wasmPath);
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return initialised;
}

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3['connect']>>;

/**
 * Remembers every connection the engine opens: `SchemaEngine.free()` does not close them, and an open
 * connection keeps the database locked for the app's own client.
 */
class ClosingAdapterFactory {
  readonly provider = 'sqlite';
  readonly adapterName: string;
  private readonly opened: Adapter[] = [];
  constructor(private readonly inner: PrismaBetterSqlite3) {
    this.adapterName = inner.adapterName;
  }
  async connect(): Promise<Adapter> {
    const adapter = await this.inner.connect();
    this.opened.push(adapter);
    return adapter;
  }
  async connectToShadowDb(): Promise<Adapter> {
    const adapter = await this.inner.connectToShadowDb();
    this.opened.push(adapter);
    return adapter;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((a) => a.dispose()));
  }
}

export interface OpenSchemaEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes its database connections. */
  close(): Promise<void>;
}

/** Opens a schema engine on the SQLite file at `dbPath` for the given schema files. Call `close()` when done. */
export async function openSchemaEngine(dbPath: string, schemaFiles: SchemaFiles): Promise<OpenSchemaEngine> {
  await initWasm();
  const factory = new ClosingAdapterFactory(new PrismaBetterSqlite3({ url: `file:${dbPath}` }));
  const bound = bindMigrationAwareSqlAdapterFactory(factory as unknown as PrismaBetterSqlite3);
  const datamodels = schemaFiles.map((f) => [f.path, f.content]);
  const log = () => undefined; // engine trace output is not useful to users
  const engine = await bg.SchemaEngine.new({ datamodels } as never, log, bound);
  return {
    engine,
    close: async () => {
      engine.free();
      await factory.closeAll();
    },
  };
}
