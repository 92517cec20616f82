// `rafcast serve`: the web application over a run folder, for finance (the candidate list) and the
// care managers (worklists and outreach statuses) (evaluation/serve/app.ts).
import type { Command } from 'commander';
import { join } from 'node:path';
import { parseIntegerOption, parseMemoryLimit, runAction } from '../cli-support.ts';
import { S3_ENDPOINT_HELP, STORE_READ_HELP, parseS3Endpoint, parseStoreUrl, storeFolders } from '../cli-store.ts';

export interface ServeOptions {
  run?: string;
  store?: string;
  s3Endpoint?: string;
  port: number;
  host: string;
  users?: string;
  providers?: string;
  tlsCert?: string;
  tlsKey?: string;
  memoryLimit?: string;
}

/** The addresses that only this machine reaches. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve a run folder to a browser: the candidate list for finance, worklists and outreach statuses for care managers.')
    .option('--run <dir>', 'a run folder (rafcast run, or rafcast candidates --out): candidates/candidates.parquet and outreach.csv')
    .option('--store <url>', `${STORE_READ_HELP}; the statuses are kept in the local copy (<copy>/serve/), not in the bucket; --run is then optional`, parseStoreUrl)
    .option('--s3-endpoint <url>', S3_ENDPOINT_HELP, parseS3Endpoint)
    .option('--port <n>', 'TCP port', parseIntegerOption('--port', { min: 1, max: 65535 }), 8080)
    .option('--host <address>', 'address to listen on; any but 127.0.0.1, ::1 or localhost needs --users with a user, and --tls-cert and --tls-key', '127.0.0.1')
    .option('--users <file>', 'the users file (rafcast users add); when it has users, every page needs a login (default: <run>/serve/users.json)')
    .option('--providers <dir>', 'a rafcast providers output folder: its providers.csv gives each clinician\'s practice (default: <run>/providers when present)')
    .option('--tls-cert <file>', 'TLS certificate (PEM), to serve HTTPS')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--memory-limit <size>', 'DuckDB memory limit, e.g. 2GB', parseMemoryLimit)
    .addHelpText(
      'after',
      `
Pages: / (finance: headline figures and the candidate list, filtered by segment, decile,
provider, practice, status, expected and suspect dollars, sorted and paged by the server, with the
totals of the filtered rows and a CSV or Excel (up to 50,000 rows) export of exactly those rows) and /worklist.html (care managers: a
worklist per clinician or practice, each member's HCCs to recapture line by line, the reasons,
and the outreach status: not started, contacted, visit scheduled, visit done, documented,
declined, not reachable, with a note and a date).
The statuses and their history (who, when, from, to) are kept in <run>/serve/status.duckdb,
committed before the server answers (the login sessions too, so a restart logs no one out); a change made on an old version is refused (HTTP 409).
By default only this machine can connect (127.0.0.1) and no login is asked; with a users file
that has users, every API call needs a session (log in at /login.html; 5 tries a minute). The
log has one line per request: method, route pattern, status and time; never a member id.
Stop with Ctrl-C.

Examples:
  rafcast serve --run runs/default-2024
  rafcast users add alice --run runs/default-2024
  rafcast serve --run runs/default-2024 --host 0.0.0.0 --port 8443 --tls-cert cert.pem --tls-key key.pem
  rafcast serve --store s3://rafcast-runs/2024
  rafcast serve --store s3://runs/2024 --s3-endpoint http://minio.internal:9000 --port 8081`,
    )
    .action((o: ServeOptions) => runAction(() => serve(o), { onStop: () => 'the server stopped; every saved status is kept in the run folder' }));
}

async function serve(given: ServeOptions): Promise<void> {
  // A run in an S3 store is served from its local copy.
  const s = await storeFolders(given);
  if (s === undefined && given.run === undefined) throw new (await import('../../data/errors.ts')).ConfigError('give --run (a run folder) or --store (a run in an S3 bucket)');
  const run = s === undefined ? given.run! : given.run !== undefined ? s.inRun(given.run) : s.root;
  const o = { ...given, run, ...(s !== undefined && given.providers !== undefined ? { providers: s.inRun(given.providers) } : {}) };
  const [{ readFile }, { userInfo }, { ConfigError }, { RunData, SERVE_FOLDER }, { buildApp }, { readUsers }] = await Promise.all([
    import('node:fs/promises'),
    import('node:os'),
    import('../../data/errors.ts'),
    import('../../evaluation/serve/run-data.ts'),
    import('../../evaluation/serve/app.ts'),
    import('../../evaluation/serve/users.ts'),
  ]);
  const usersFile = o.users ?? join(o.run, SERVE_FOLDER, 'users.json');
  const users = await readUsers(usersFile);
  const local = LOOPBACK_HOSTS.includes(o.host);
  if (!local && users.users.length === 0) throw new ConfigError(`--host ${o.host} lets other machines connect: add a user first (rafcast users add NAME --run ${o.run}), or listen on 127.0.0.1`);
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw new ConfigError('--tls-cert and --tls-key go together');
  if (!local && o.tlsCert === undefined) throw new ConfigError(`--host ${o.host} needs --tls-cert and --tls-key: the session cookie is Secure, and passwords must not cross the network in clear`);
  const tls = o.tlsCert === undefined ? undefined : { cert: await readFile(o.tlsCert), key: await readFile(o.tlsKey!) };
  const data = await RunData.open({ run: o.run, ...(o.providers !== undefined ? { providers: o.providers } : {}), ...(o.memoryLimit !== undefined ? { memoryLimit: o.memoryLimit } : {}) });
  const app = await buildApp({
    data,
    users: users.users.length > 0 ? users : null,
    localUser: `${userInfo().username} (local)`,
    ...(tls !== undefined ? { tls } : {}),
    log: (line) => {
      process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    },
  });
  const address = await app.listen({ port: o.port, host: o.host });
  process.stdout.write(`rafcast serve: ${address}/ (finance) and ${address}/worklist.html (care managers); ${users.users.length > 0 ? `login required (${users.users.length} users)` : 'no login (this machine only)'}; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => app.server.once('close', () => resolve()));
  data.close();
}
