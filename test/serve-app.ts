// The app of `rafcast serve` over a run folder for fastify's inject in the API tests
// (evaluation/serve/app*.test.ts): each opened app is closed after its test.
import type { FastifyInstance } from 'fastify';
import { afterEach, expect } from 'vitest';
import { buildApp } from '../evaluation/serve/app.ts';
import { RunData } from '../evaluation/serve/run-data.ts';
import { readUsers } from '../evaluation/serve/users.ts';

const opened: { app: FastifyInstance; data: RunData }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.app.close();
    o.data.close();
  }
});

export async function serve(run: string, usersFile?: string) {
  const data = await RunData.open({ run });
  const logs: string[] = [];
  const users = usersFile === undefined ? null : await readUsers(usersFile);
  const app = await buildApp({ data, users, localUser: 'tester (local)', log: (l) => logs.push(l) });
  opened.push({ app, data });
  return { app, data, logs };
}

export async function close(app: FastifyInstance): Promise<void> {
  const k = opened.findIndex((o) => o.app === app);
  const [o] = opened.splice(k, 1);
  await o!.app.close();
  o!.data.close();
}

export const json = async (app: FastifyInstance, url: string) => {
  const r = await app.inject({ method: 'GET', url });
  expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
  return r.json();
};

