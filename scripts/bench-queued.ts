// What the queued bench steps share (queued, queued-e2e, redis-load, scaling): a Redis of their
// own on a free port, with nothing saved to disk, stopped when they end; the machine's busy CPU time.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts redis-server ($REDIS_SERVER, else the one on the PATH) and resolves once it accepts connections. */
export async function startBenchRedis(): Promise<{ url: string; process: ChildProcess; stop: () => void }> {
  const port = await freePort();
  const p = spawn(process.env.REDIS_SERVER ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    p.on('error', reject);
    p.on('exit', (code) => reject(new Error(`redis-server ended at start (exit ${code})`)));
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) resolve();
    });
  });
  p.stdout!.resume();
  return { url: `redis://127.0.0.1:${port}`, process: p, stop: () => void p.kill('SIGKILL') };
}

/** CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq) since boot, from /proc/stat. */
export const busyCpuSeconds = (): number => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]!) / 100;
};

/** Stops a process the bench started: SIGTERM, then SIGKILL after 30 s; resolves when it has exited. */
export const stopped = (p: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const hard = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    p.kill('SIGTERM');
  });
