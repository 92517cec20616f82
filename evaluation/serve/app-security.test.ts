// rafcast serve's security (app.ts, sessions.ts, users.ts) through fastify's inject on the hand-made
// run of test/serve-run.ts: 401 without a session, the cookie's flags, sessions kept across a
// restart and refused once ended, the login limit, no file outside the pages, the headers, a
// write from another site refused, and no member id in the log.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { makeServeRun, memberId } from '../../test/serve-run.ts';
import { close, json, serve } from '../../test/serve-app.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { LOGIN_LIMIT, SESSION_COOKIE } from './app.ts';
import { SESSION_HOURS } from './sessions.ts';
import { addUser } from './users.ts';

describe('security', () => {
  async function withUsers() {
    const run = await makeServeRun();
    const file = join(tempDir('users'), 'users.json');
    await addUser(file, 'alice', 'correct horse battery');
    return { run, file };
  }

  it('answers 401 to every API call without a session, and serves after a login with a HttpOnly, Secure, SameSite=Strict cookie', async () => {
    const { run, file } = await withUsers();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('correct horse');
    const { app, logs } = await serve(run, file);
    for (const url of ['/api/candidates', '/api/candidates.csv', '/api/headline', '/api/worklists', `/api/members/${memberId(1)}`]) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(401);
      expect(r.body, url).not.toContain(memberId(1));
    }
    expect((await app.inject({ method: 'PUT', url: `/api/members/${memberId(1)}/status`, payload: { status: 'contacted', note: '', date: '', version: 0 } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/candidates', cookies: { [SESSION_COOKIE]: 'made-up' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/login', payload: { name: 'alice', password: 'wrong password!' } })).statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/api/login', payload: { name: 'alice', password: 'correct horse battery' } });
    expect(login.statusCode).toBe(204);
    const c = login.cookies.find((k) => k.name === SESSION_COOKIE)!;
    expect(c).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect((await app.inject({ method: 'GET', url: '/api/candidates', cookies: { [SESSION_COOKIE]: c.value } })).statusCode).toBe(200);
    const put = await app.inject({ method: 'PUT', url: `/api/members/${memberId(1)}/status`, payload: { status: 'contacted', note: '', date: '', version: 0 }, cookies: { [SESSION_COOKIE]: c.value } });
    expect(put.json().updatedBy).toBe('alice');
    // Logged out: the token is no longer a session.
    await app.inject({ method: 'POST', url: '/api/logout', cookies: { [SESSION_COOKIE]: c.value } });
    expect((await app.inject({ method: 'GET', url: '/api/candidates', cookies: { [SESSION_COOKIE]: c.value } })).statusCode).toBe(401);
    expect(logs.join('\n')).not.toMatch(/M0000|alice|correct horse/);
  });

  it('keeps a session across a server restart on the same run folder; refuses it once ended, logged out or its user removed', async () => {
    const { run, file } = await withUsers();
    await addUser(file, 'bob', 'another good password');
    const first = await serve(run, file);
    const login = async (app: FastifyInstance, name: string, password: string) => {
      const r = await app.inject({ method: 'POST', url: '/api/login', payload: { name, password } });
      expect(r.statusCode).toBe(204);
      return r.cookies.find((k) => k.name === SESSION_COOKIE)!.value;
    };
    const alice = await login(first.app, 'alice', 'correct horse battery');
    const bob = await login(first.app, 'bob', 'another good password');
    const gone = await login(first.app, 'alice', 'correct horse battery');
    await first.app.inject({ method: 'POST', url: '/api/logout', cookies: { [SESSION_COOKIE]: gone } });
    await close(first.app);

    const get = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/api/candidates?page_size=1', cookies: { [SESSION_COOKIE]: token } });
    const second = await serve(run, file);
    expect((await get(second.app, alice)).statusCode).toBe(200);
    expect((await second.app.inject({ method: 'GET', url: '/api/session', cookies: { [SESSION_COOKIE]: alice } })).json().user).toBe('alice');
    const put = await second.app.inject({ method: 'PUT', url: `/api/members/${memberId(4)}/status`, payload: { status: 'contacted', note: '', date: '', version: 0 }, cookies: { [SESSION_COOKIE]: alice } });
    expect(put.json().updatedBy).toBe('alice');
    expect((await get(second.app, gone)).statusCode).toBe(401);
    await close(second.app);

    // Bob removed from the users file: his stored session is no longer anyone's.
    const users = JSON.parse(readFileSync(file, 'utf8')) as { users: { name: string }[] };
    writeFileSync(file, JSON.stringify({ ...users, users: users.users.filter((u) => u.name !== 'bob') }), { mode: 0o600 });
    const third = await serve(run, file);
    expect((await get(third.app, bob)).statusCode).toBe(401);
    expect((await get(third.app, alice)).statusCode).toBe(200);
    await close(third.app);

    // SESSION_HOURS later, a restart: alice's session has ended.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + SESSION_HOURS * 3600_000);
      const fourth = await serve(run, file);
      expect((await get(fourth.app, alice)).statusCode).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it(`limits logins to ${LOGIN_LIMIT.max} a minute from one address`, async () => {
    const { run, file } = await withUsers();
    const { app } = await serve(run, file);
    const codes: number[] = [];
    for (let k = 0; k <= LOGIN_LIMIT.max; k++) codes.push((await app.inject({ method: 'POST', url: '/api/login', payload: { name: 'alice', password: `guess number ${k}` } })).statusCode);
    expect(codes).toEqual([...Array(LOGIN_LIMIT.max).fill(401), 429]);
  });

  it('serves only its own pages: no path reaches a file outside them, in the run folder or beyond', async () => {
    const run = await makeServeRun();
    const { app } = await serve(run);
    const secret = readFileSync(join(run, 'candidates', 'outreach.csv'), 'utf8').split('\n')[1]!;
    for (const url of [
      '/../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2f..%2fpackage.json',
      '/candidates/outreach.csv',
      '/run-summary.json',
      '/serve/status.duckdb',
      '/app.ts',
      '/public/index.html',
      `/api/members/..%2Fcandidates%2Foutreach.csv`,
      '/etc/passwd',
    ]) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.body, url).not.toContain('"name": "rafcast"');
      expect(r.body, url).not.toContain(secret.slice(0, 20));
    }
    expect((await app.inject({ method: 'GET', url: '/finance.js' })).statusCode).toBe(200);
  });

  it('sends a CSP with no inline script and nothing from elsewhere, and refuses a write from another site', async () => {
    const { app } = await serve(await makeServeRun());
    const r = await app.inject({ method: 'GET', url: '/' });
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    // The pages themselves: no inline script or style, nothing from another origin.
    expect(r.body).not.toMatch(/<script>|<script [^>]*>[^<]|style=|https?:\/\//);
    expect((await app.inject({ method: 'GET', url: '/api/candidates' })).headers['cache-control']).toBe('no-store');
    const cross = await app.inject({ method: 'PUT', url: `/api/members/${memberId(1)}/status`, headers: { origin: 'http://evil.example' }, payload: { status: 'declined', note: '', date: '', version: 0 } });
    expect(cross.statusCode).toBe(403);
    const opaque = await app.inject({ method: 'PUT', url: `/api/members/${memberId(1)}/status`, headers: { origin: 'null' }, payload: { status: 'declined', note: '', date: '', version: 0 } });
    expect(opaque.statusCode).toBe(403);
    // A form's text/plain body is not taken.
    const form = await app.inject({ method: 'PUT', url: `/api/members/${memberId(1)}/status`, headers: { 'content-type': 'text/plain' }, payload: '{"status":"declined","note":"","date":"","version":0}' });
    expect(form.statusCode).toBe(415);
  });

  it('logs the route pattern, never a member id', async () => {
    const { app, logs } = await serve(await makeServeRun());
    await json(app, `/api/members/${memberId(2)}`);
    await app.inject({ method: 'PUT', url: `/api/members/${memberId(2)}/status`, payload: { status: 'contacted', note: 'M00000002 called', date: '', version: 0 } });
    await app.inject({ method: 'GET', url: `/api/candidates?provider=1111111111` });
    expect(logs[0]).toMatch(/^GET \/api\/members\/:id 200 [0-9.]+ ms$/);
    expect(logs[1]).toMatch(/^PUT \/api\/members\/:id\/status 200 /);
    expect(logs.join('\n')).not.toMatch(/M0000|1111111111/);
  });
});
