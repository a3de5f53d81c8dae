// Lint: typescript-eslint's recommended type-aware rules; warnings fail (`eslint --max-warnings=0`).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const CONFIG_ONLY = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through src/config.ts only.',
};
// "May this actor …?" is answered by src/features/permissions/policy.ts alone: a role compared anywhere else
// would be a second copy of a rule (ISSUE 14). Covers `x.role === 'ADMIN'`, `x?.role !== 'USER'`, either side.
const ROLE_MESSAGE =
  'Ask src/features/permissions/policy.ts (mayAdminister, maySeeJob, tableAccess, …) instead of comparing a role.';
const ROLE_COMPARED = [
  ['left', 'right'],
  ['right', 'left'],
].flatMap(([member, literal]) =>
  [`[${member}.property.name='role']`, `[${member}.expression.property.name='role']`].map((role) => ({
    selector: `BinaryExpression[operator=/^[!=]==?$/][${literal}.value=/^(ADMIN|USER)$/]${role}`,
    message: ROLE_MESSAGE,
  })),
);
const ROLE_SWITCHED = {
  selector:
    "SwitchStatement:matches([discriminant.property.name='role'], [discriminant.expression.property.name='role'])",
  message: ROLE_MESSAGE,
};
// Services act for one express-free Actor (src/lib/actor.ts), their first parameter: never a request, never the
// request's CurrentUser beside an Actor (ISSUE 14). Only the route layer (`*-routes.ts`, middleware) reads who
// asks off a request (src/lib/request-actor.ts), so one shape reaches every service, the engine and the jobs.
const ACTOR_MESSAGE =
  'A service takes the person it acts for as one `actor: Actor` (src/lib/actor.ts); build it in the route with actorOf(req).';
const REQUEST_FREE = {
  paths: [{ name: 'express', message: ACTOR_MESSAGE }],
  patterns: [{ regex: '(^|/)(lib/current-user|lib/request-actor)(\\.js)?$', message: ACTOR_MESSAGE }],
};
// Repositories own their tables (ADR repositories-own-tables): only `*-repository.ts`, src/db/ and the composition
// root (services.ts, server.ts) may reach the database client. Everywhere else, nothing from src/db/database.ts
// (not even the `Db` type: a service that takes one can query any table), and only types from the generated
// client (model types such as `User`; never `PrismaClient` or `Prisma.sql`, which are values).
const DB_MESSAGE =
  'Only *-repository.ts files, src/db/ and the composition root (services.ts, server.ts) use the database client: take a repository instead.';
const DB_MODULE = String.raw`/(^|\/)db\/database(\.js)?$/`;
const GENERATED_CLIENT = String.raw`/(^|\/)db\/generated\//`;
const VALUE_IMPORT =
  ':not([importKind="type"]):has(ImportSpecifier[importKind!="type"], ImportDefaultSpecifier, ImportNamespaceSpecifier)';
const DB_CLIENT = [
  `ImportDeclaration[source.value=${DB_MODULE}]`,
  `ImportExpression[source.value=${DB_MODULE}]`,
  `:matches(ExportNamedDeclaration, ExportAllDeclaration)[source.value=${DB_MODULE}]`,
  `TSImportType[argument.literal.value=${DB_MODULE}]`,
  `ImportDeclaration[source.value=${GENERATED_CLIENT}]${VALUE_IMPORT}`,
  `ImportExpression[source.value=${GENERATED_CLIENT}]`,
].map((selector) => ({ selector, message: DB_MESSAGE }));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'src/db/generated/', 'data/', '.tmp/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', CONFIG_ONLY, ...ROLE_COMPARED, ROLE_SWITCHED, ...DB_CLIENT],
    },
  },
  {
    files: ['src/features/permissions/policy.ts'],
    rules: { 'no-restricted-syntax': ['error', CONFIG_ONLY, ...DB_CLIENT] },
  },
  {
    files: ['src/**/*-repository.ts', 'src/db/**', 'src/services.ts', 'src/server.ts'],
    rules: { 'no-restricted-syntax': ['error', CONFIG_ONLY, ...ROLE_COMPARED, ROLE_SWITCHED] },
  },
  {
    files: ['src/features/**/*.ts', 'src/jobs/**/*.ts', 'src/lib/actor.ts'],
    ignores: ['**/*-routes.ts', 'src/features/orgs/org-context.ts'],
    rules: { 'no-restricted-imports': ['error', REQUEST_FREE] },
  },
  { files: ['src/config.ts', 'scripts/**', 'tests/**', 'vitest.config.ts'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['public/js/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['scripts/**/*.mjs', 'eslint.config.js'], languageOptions: { globals: globals.node } },
);
