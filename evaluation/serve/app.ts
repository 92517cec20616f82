// The web application of `rafcast serve` over one run folder (run-data.ts): the pages (plain ES
// modules and CSS from public/, no bundler, nothing fetched from elsewhere) and the JSON API that
// finance and the care managers use. Fastify 5 carries the HTTP; its helmet plugin the security
// headers (a CSP allowing this origin's scripts and styles only, no inline script), its cookie
// plugin the session cookie (HttpOnly, Secure, SameSite=Strict; the sessions are kept in the run's
// statuses file, sessions.ts, so a restart logs no one out) and its rate-limit plugin the login
// limit. With users, every API call but login needs a session (401 otherwise). The log line of a
// request names its route pattern (/api/members/:id), never the URL: no member id in the logs.
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { RafcastError } from '../../data/errors.ts';
import { AuthError, httpStatusOf, NotFoundError, RequestError, StatusConflictError } from './errors.ts';
import { checkXlsxRows, listCsv, listXlsxInWorker } from './list-export.ts';
import { parseListQuery } from './list-query.ts';
import type { RunData } from './run-data.ts';
import { OUTREACH_STATUSES, parseStatusChange } from './status-store.ts';
import { decoyHash, verifyPassword, type UsersFile } from './users.ts';

export const SESSION_COOKIE = 'rafcast_session';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Logins allowed per client address and minute, right or wrong. */
export const LOGIN_LIMIT = { max: 5, timeWindow: '1 minute' } as const;

export interface AppOptions {
  data: RunData;
  /** The users who may log in; null: no login (listening on 127.0.0.1 only, one local user). */
  users: UsersFile | null;
  /** Who a change is by when there is no login (the local account's name). */
  localUser: string;
  /** HTTPS with this certificate and key (PEM): HSTS is sent and insecure requests upgraded. */
  tls?: { cert: Buffer; key: Buffer };
  /** Logins allowed per client address and time window (default LOGIN_LIMIT). */
  loginLimit?: { max: number; timeWindow: string };
  /** One line per request, for the command to print: method, route pattern, status, milliseconds. */
  log?: (line: string) => void;
}

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The pages and their scripts and styles, read once: the only files served, by exact name. */
function publicFiles(): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(PUBLIC)) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.set(name, { body: readFileSync(join(PUBLIC, name)), type });
  }
  return files;
}

/** The host of an Origin header, or null when it is none ("null", malformed). */
function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    user: string | undefined;
  }
}

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const common = { logger: false, bodyLimit: 64 * 1024, trustProxy: false } as const;
  // Fastify types an HTTPS instance apart; the routes below are the same for both.
  const app = (o.tls !== undefined ? Fastify({ ...common, https: o.tls }) : Fastify(common)) as unknown as FastifyInstance;
  const tls = o.tls !== undefined;
  const sessions = o.data.sessions;
  const auth = o.users !== null;
  app.decorateRequest('user', undefined);
  // Only JSON bodies: a cross-site form (text/plain, urlencoded) cannot post to the API.
  app.removeContentTypeParser('text/plain');

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        ...(tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: tls ? { maxAge: 31_536_000 } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });

  app.addHook('onResponse', async (req, reply) => {
    o.log?.(`${req.method} ${req.routeOptions.url ?? '(no route)'} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`);
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    void reply.header('cache-control', 'no-store');
    // A browser names the page's origin on every cross-origin write: only this server's own pages may write.
    const origin = req.headers.origin;
    if (req.method !== 'GET' && origin !== undefined && hostOf(origin) !== req.headers.host) {
      throw new AuthError('a request from another site is refused', 403);
    }
    if (!auth) {
      req.user = o.localUser;
      return;
    }
    // A session of a user since removed from the users file is no one's.
    const user = sessions.user(req.cookies[SESSION_COOKIE]);
    req.user = user !== undefined && o.users!.users.some((u) => u.name === user) ? user : undefined;
    if (req.user === undefined && req.routeOptions.url !== '/api/login' && req.routeOptions.url !== '/api/session') throw new AuthError('log in first');
  });

  app.setErrorHandler((e: unknown, _req, reply) => {
    const fastifyStatus = (e as { statusCode?: unknown }).statusCode;
    const status = e instanceof RafcastError ? httpStatusOf(e) : typeof fastifyStatus === 'number' && fastifyStatus < 500 ? fastifyStatus : 500;
    const code = e instanceof RafcastError ? e.code : status === 500 ? 'E_SERVER' : 'E_REQUEST';
    const message = status === 500 ? 'the server failed to answer; its log has the route' : (e as Error).message;
    const body: Record<string, unknown> = { error: code, message };
    if (e instanceof StatusConflictError) body.storedVersion = e.storedVersion;
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: 'E_NOT_FOUND', message: 'no such page' }));

  // The pages.
  const files = publicFiles();
  for (const [name, f] of files) {
    const send = (_req: FastifyRequest, reply: FastifyReply) => reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
    app.get(`/${name}`, send);
    if (name === 'index.html') app.get('/', send);
  }

  // Session.
  app.get('/api/session', async (req) => ({ auth, user: req.user ?? null, statuses: OUTREACH_STATUSES }));
  app.post('/api/login', { config: { rateLimit: o.loginLimit ?? LOGIN_LIMIT } }, async (req, reply) => {
    if (!auth) return reply.status(204).send();
    const b = (req.body ?? {}) as { name?: unknown; password?: unknown };
    if (typeof b.name !== 'string' || typeof b.password !== 'string') throw new RequestError('give name and password');
    const user = o.users!.users.find((u) => u.name === b.name);
    const ok = await verifyPassword(b.password, user?.hash ?? (await decoyHash()));
    if (user === undefined || !ok) throw new AuthError('wrong name or password');
    await sessions.end(req.cookies[SESSION_COOKIE]);
    void reply.setCookie(SESSION_COOKIE, await sessions.create(user.name), { path: '/', httpOnly: true, secure: true, sameSite: 'strict' });
    return reply.status(204).send();
  });
  app.post('/api/logout', async (req, reply) => {
    await sessions.end(req.cookies[SESSION_COOKIE]);
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'strict' });
    return reply.status(204).send();
  });

  // Finance.
  app.get('/api/headline', async () => o.data.headline());
  app.get('/api/choices', async () => ({ ...(await o.data.choices()), statuses: OUTREACH_STATUSES, hasPractices: o.data.hasPractices, hasSuspectDollars: o.data.hasSuspectDollars }));
  app.get('/api/candidates', async (req) => o.data.page(parseListQuery(req.query as Record<string, unknown>)));
  // The export: the page's query without its page, every filtered row (list-export.ts).
  app.get('/api/candidates.csv', async (req, reply) => {
    const csv = listCsv(await o.data.filteredRows(parseListQuery(req.query as Record<string, unknown>)));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="candidates-filtered.csv"').send(csv);
  });
  app.get('/api/candidates.xlsx', async (req, reply) => {
    const q = parseListQuery(req.query as Record<string, unknown>);
    checkXlsxRows((await o.data.page({ ...q, page: 1, pageSize: 1 })).totals.members);
    const xlsx = await listXlsxInWorker(await o.data.filteredRows(q));
    return reply.type(XLSX_TYPE).header('content-disposition', 'attachment; filename="candidates-filtered.xlsx"').send(xlsx);
  });

  // Care managers.
  app.get('/api/worklists', async (req) => {
    const by = (req.query as Record<string, unknown>).by ?? 'provider';
    if (by !== 'provider' && by !== 'practice') throw new RequestError('by must be provider or practice');
    return o.data.groups(by);
  });
  app.get('/api/members/:id', async (req) => o.data.member((req.params as { id: string }).id));
  app.put('/api/members/:id/status', async (req) => {
    const id = (req.params as { id: string }).id;
    const change = parseStatusChange(req.body);
    if (!(await o.data.isListed(id))) throw new NotFoundError('this member is not on the list: it');
    return o.data.statuses.set(id, change, req.user!);
  });

  return app;
}
