// `rafcast serve` refuses to let other machines connect without users and TLS, and says what a
// folder without a candidate list lacks: exit code 2 with the reason, no server started.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeServeRun } from '../../test/serve-run.ts';
import { tempDir } from '../../test/temp-dir.ts';
import { addUser } from '../../evaluation/serve/users.ts';
import { main } from '../rafcast.ts';

async function run(args: string[]): Promise<{ code: number | undefined; err: string }> {
  let err = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    await main(['node', 'rafcast', 'serve', ...args]);
  } finally {
    spy.mockRestore();
  }
  const code = process.exitCode === undefined ? undefined : Number(process.exitCode);
  process.exitCode = undefined;
  return { code, err };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('rafcast serve', () => {
  it('refuses another address than 127.0.0.1 without a user, then without TLS', async () => {
    const dir = await makeServeRun();
    const noUser = await run(['--run', dir, '--host', '0.0.0.0', '--port', '1']);
    expect(noUser.code).toBe(2);
    expect(noUser.err).toContain('error E_CONFIG: --host 0.0.0.0 lets other machines connect: add a user first');
    mkdirSync(join(dir, 'serve'));
    await addUser(join(dir, 'serve', 'users.json'), 'alice', 'correct horse battery');
    const noTls = await run(['--run', dir, '--host', '0.0.0.0', '--port', '1']);
    expect(noTls.code).toBe(2);
    expect(noTls.err).toContain('needs --tls-cert and --tls-key');
  });

  it('names the file a folder without a candidate list lacks', async () => {
    const empty = tempDir('serve-empty');
    const r = await run(['--run', empty, '--port', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(empty, 'candidates', 'candidates.parquet')} is missing`);
  });
});
