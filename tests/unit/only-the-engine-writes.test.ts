// Every change to a Genesys row goes through the change engine (src/features/changes/): rights, row locks,
// write-ahead audit, cache and reconciler live there once. This test reads the product's code with the
// TypeScript checker and finds every call of a gateway write method (by the method's declaration, not its
// name: the table service's own `updateRow` is not the gateway's), wherever the gateway came from.
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/lib/paths.js';

const WRITE_METHODS = new Set(['createRow', 'updateRow', 'deleteRow', 'importCsv']);
/** Where gateway writes may be called: the engine, and the gateway itself (its implementation and its benchmark). */
const ALLOWED = ['src/features/changes/', 'src/genesys/', 'scripts/bench/gateway.ts'];

/** Declared by the DataTableGateway interface, or by a class implementing it. */
function isGatewayMember(symbol: ts.Symbol | undefined): boolean {
  return (symbol?.declarations ?? []).some((d) => {
    const owner = d.parent;
    if (ts.isInterfaceDeclaration(owner)) return owner.name.text === 'DataTableGateway';
    if (ts.isClassDeclaration(owner))
      return (owner.heritageClauses ?? []).some((h) =>
        h.types.some((t) => t.expression.getText() === 'DataTableGateway'),
      );
    return false;
  });
}

function gatewayWriteCalls(): string[] {
  const configFile = ts.readConfigFile(path.join(projectRoot, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, projectRoot);
  const files = parsed.fileNames.filter((f) => {
    const rel = path.relative(projectRoot, f).split(path.sep).join('/');
    return (rel.startsWith('src/') || rel.startsWith('scripts/')) && !rel.startsWith('src/db/generated/');
  });
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const found: string[] = [];
  for (const file of files) {
    const rel = path.relative(projectRoot, file).split(path.sep).join('/');
    if (ALLOWED.some((a) => rel.startsWith(a))) continue;
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      if (
        ts.isPropertyAccessExpression(node) &&
        WRITE_METHODS.has(node.name.text) &&
        isGatewayMember(checker.getSymbolAtLocation(node.name))
      ) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push(`${rel}:${line + 1} ${node.getText()}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('writes to Genesys rows', () => {
  it('are made only by the change engine', () => {
    expect(gatewayWriteCalls()).toEqual([]);
  }, 60_000);
});
