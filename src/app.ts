// createApp(deps): the Express application, with no side effects (no listening, no connecting). Middleware
// order matters and is the security baseline: request id -> headers -> static -> health -> body limits ->
// session -> CSRF -> current user -> setup gate -> routes -> 404 -> error page.
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { registerAuthRoutes } from './features/auth/auth-routes.js';
import { registerHealthRoutes } from './features/health/health-routes.js';
import { registerHomeRoutes } from './features/home/home-routes.js';
import { registerSetupRoutes } from './features/setup/setup-routes.js';
import { loadOrgContext } from './features/orgs/org-context.js';
import { registerOrgRoutes } from './features/orgs/org-routes.js';
import { registerReadinessRoutes } from './features/orgs/readiness-routes.js';
import { AUDIT_ACTIONS, ROW_CHANGE_ACTIONS } from './features/audit/audit-events.js';
import { registerAuditRoutes } from './features/audit/audit-routes.js';
import { registerBackupRoutes } from './features/backups/backup-routes.js';
import { registerImportRoutes } from './features/imports/import-routes.js';
import { registerJobRoutes } from './jobs/job-routes.js';
import { registerPermissionRoutes } from './features/permissions/permission-routes.js';
import { registerChangePolicyRoutes } from './features/requests/change-policy-routes.js';
import { registerFormatRoutes } from './features/formats/format-routes.js';
import { registerCalendarRoutes } from './features/requests/calendar-routes.js';
import { registerTableRoutes } from './features/tables/table-routes.js';
import { registerViewRoutes } from './features/views/view-routes.js';
import { registerPlaybookRoutes } from './features/playbooks/playbook-routes.js';
import { registerUserRoutes } from './features/users/user-routes.js';
import { registerRequestRoutes, waitingRequestsCount } from './features/requests/request-routes.js';
import { registerRequestEntryRoutes, requestChoice } from './features/requests/request-entry-routes.js';
import type { AppConfig } from './config.js';
import type { Services } from './services.js';
import { csrfProtection } from './lib/csrf.js';
import { backupUploadParser } from './lib/backup-upload.js';
import { importUploadParser } from './lib/import-upload.js';
import { accessGuards, loadCurrentUser } from './lib/current-user.js';
import { errorHandler, notFoundHandler } from './lib/error-handler.js';
import { ForbiddenError } from './lib/errors.js';
import { takeFlashes } from './lib/flash.js';
import { projectRoot } from './lib/paths.js';
import { requestLogging } from './lib/request-logging.js';
import { requestShape } from './lib/request-shape.js';
import { RouteTable, type RouteInfo } from './lib/route.js';
import { sessionCookieName, sessionMiddleware } from './lib/session.js';

export interface AppHandle {
  app: Express;
  /** Every route the app registered, with its declared access (tests walk this). */
  routes: RouteInfo[];
}

export const BODY_LIMIT = '100kb';
export const FORM_FIELD_LIMIT = 500;

function securityHeaders(config: AppConfig): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'form-action': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
        // Only behind an HTTPS proxy: on plain-HTTP loopback it would upgrade form posts to a dead https URL.
        ...(config.secureCookies ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
  });
}

export function createApp(config: AppConfig, services: Services): AppHandle {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', config.trustProxy);
  app.set('views', path.join(projectRoot, 'views'));
  app.set('view engine', 'ejs');
  app.set('view cache', config.env !== 'development'); // compiled templates are reused (Express only does this when NODE_ENV=production)
  app.set('session cookie name', sessionCookieName(config.secureCookies));
  app.locals.appVersion = config.version;
  // The audit views name actions from the lists the code records with (audit-events.ts), not their own copies.
  app.locals.auditActions = AUDIT_ACTIONS;
  app.locals.rowChangeActions = ROW_CHANGE_ACTIONS;

  app.use(requestLogging(services.logger));
  app.use(securityHeaders(config));
  app.use(express.static(path.join(projectRoot, 'public'), { index: false, maxAge: '1h', fallthrough: true }));
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store'); // pages may show table data: never cache them
    next();
  });

  // Health checks answer before sessions exist, so polling them creates no session rows.
  const bare = new RouteTable(accessGuards);
  registerHealthRoutes(bare, { databaseAnswers: services.databaseAnswers, version: config.version });
  app.use(bare.router);

  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: FORM_FIELD_LIMIT }));
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(
    sessionMiddleware({
      secret: services.secrets.sessionSecret,
      store: services.sessionStore,
      idleMs: config.sessionIdleMs,
      maxMs: config.sessionMaxMs,
      secureCookies: config.secureCookies,
      clock: services.clock,
    }),
  );
  app.use(
    backupUploadParser({
      incomingDir: path.join(config.dataDir, 'incoming'),
      gate: services.uploadGate,
      mayUpload: services.backups.mayUpload,
    }),
  );
  app.use(importUploadParser({ incomingDir: path.join(config.dataDir, 'incoming'), gate: services.uploadGate }));
  app.use(csrfProtection());
  app.use(
    loadCurrentUser({
      users: services.users,
      idleMs: config.sessionIdleMs,
      maxMs: config.sessionMaxMs,
      clock: services.clock,
    }),
  );
  app.use(loadOrgContext(services.orgs, services.permissions));
  app.use(waitingRequestsCount(services.requests)); // the top bar's "Requests (N)", beside `may` and the org
  app.use('/tables/:tableId', requestChoice(services)); // what the row, delete and bulk forms offer
  app.use(requestChoice(services)); // ... and the restore page
  app.use(requestShape());
  app.use((req, res, next) => {
    Object.defineProperty(res.locals, 'flashes', { get: () => takeFlashes(req), enumerable: true, configurable: true });
    res.locals.currentPath = req.path;
    next();
  });
  // A user with a temporary password (new account, or reset by an admin) chooses their own first.
  app.use((req, res, next) => {
    if (!req.user?.mustChangePassword || ['/account', '/account/password', '/logout'].includes(req.path)) return next();
    if (req.method === 'GET') return res.redirect(303, '/account');
    next(new ForbiddenError('Choose your own password first (Your account).'));
  });
  // Until the first admin exists every page leads to the setup wizard.
  app.use(async (req, res, next) => {
    if (req.path === '/setup' || (await services.setup.isAdminCreated())) return next();
    if (req.method === 'GET') return res.redirect(303, '/setup');
    next(new ForbiddenError('Finish the first-run setup first.'));
  });

  const routes = new RouteTable(accessGuards);
  registerSetupRoutes(routes, services);
  registerAuthRoutes(routes, services);
  registerOrgRoutes(routes, services);
  registerReadinessRoutes(routes, services);
  registerUserRoutes(routes, { users: services.userAdmin, clock: services.clock });
  registerPermissionRoutes(routes, {
    permissions: services.permissions,
    users: services.userAdmin,
    orgs: services.orgs,
    tables: services.tables,
    readiness: services.readiness,
    formats: services.formats,
  });
  registerChangePolicyRoutes(routes, services);
  registerFormatRoutes(routes, services);
  registerCalendarRoutes(routes, services);
  registerTableRoutes(routes, services);
  registerViewRoutes(routes, services);
  registerRequestEntryRoutes(routes, services);
  registerImportRoutes(routes, services);
  registerRequestRoutes(routes, services);
  registerBackupRoutes(routes, services);
  registerPlaybookRoutes(routes, { playbooks: services.playbooks, clock: services.clock });
  registerJobRoutes(routes, services);
  registerAuditRoutes(routes, {
    auditQuery: services.auditQuery,
    auditExport: services.auditExport,
    undo: services.undo,
    filterChoices: services.auditFilterChoices,
    verifyAuditChain: services.verifyAuditChain,
  });
  registerHomeRoutes(routes);
  app.use(routes.router);

  app.use(notFoundHandler());
  app.use(errorHandler(services.logger));
  return { app, routes: [...bare.routes, ...routes.routes] };
}
