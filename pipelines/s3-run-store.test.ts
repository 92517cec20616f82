// The S3 run store against a real S3-API server (s3rver, test/s3-helpers.ts): a key is there once
// its manifest is published, a reader gets exactly the committed bytes or an error, never a cut
// object, keys inside a committed folder are read through it, and a store that cannot be used says
// which one and why, never with the credentials. A file larger than a part goes up in parts and an
// upload that fails half-way is aborted; scratch folders of dead processes are removed, never a live one's.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, request } from 'node:http';
import { join, relative, sep } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { CLI } from '../test/queued-helpers.ts';
import { useS3 } from '../test/s3-helpers.ts';
import { tempDir } from '../test/temp-dir.ts';
import { freePort } from '../test/test-tools.ts';
import { prepareFlow, type FlowConfig } from './jobs.ts';
import { openRunStore, requireStore } from './run-store.ts';
import { S3RunStore, parseS3Url } from './s3-run-store.ts';
import { uploadPlan } from './s3-parts.ts';
import { removeDeadScratch } from './scratch-folders.ts';

const MiB = 1024 * 1024;

/**
 * An HTTP proxy in front of the S3 server that notes each request (`METHOD /path?query`) and drops
 * the connection of those `cut` picks, as a store that stopped answering them would.
 */
async function s3Proxy(port: number, cut: (line: string) => boolean): Promise<{ endpoint: string; seen: string[]; close(): void }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    seen.push(line);
    if (cut(line)) return void req.socket.destroy();
    const up = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: at } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${at}`, seen, close: () => server.close() };
}

/** Runs `f` with the store's endpoint set to `endpoint` (a store object takes it on its first request). */
async function withEndpoint<T>(endpoint: string, f: () => Promise<T>): Promise<T> {
  const saved = process.env.AWS_ENDPOINT_URL_S3;
  process.env.AWS_ENDPOINT_URL_S3 = endpoint;
  try {
    return await f();
  } finally {
    process.env.AWS_ENDPOINT_URL_S3 = saved;
  }
}

let runs = 0;
const newRun = (): string => `s3://rafcast-test/store-test/run-${++runs}`;

describe('S3RunStore', () => {
  const s3 = useS3();
  const raw = (): S3Client => new S3Client({ endpoint: s3.env.AWS_ENDPOINT_URL_S3!, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

  it('publishes a folder key with its manifest, and reads its files and subfolders back byte for byte', async () => {
    const location = newRun();
    const writer = openRunStore(location);
    expect(writer).toBeInstanceOf(S3RunStore);
    expect(await writer.has('shards')).toBe(false);
    await expect(writer.read('shards')).rejects.toThrow(`${location}/shards is missing`);
    const dir = await writer.writable('shards');
    await expect(writer.commit('shards')).rejects.toThrow(/nothing was written/);
    mkdirSync(join(dir, 'shard-000'), { recursive: true });
    mkdirSync(join(dir, 'shard-001'), { recursive: true });
    writeFileSync(join(dir, 'shard-000', 'claims.parquet'), 'zero');
    writeFileSync(join(dir, 'shard-001', 'claims.parquet'), 'one!');
    await writer.commit('shards');
    await writer.release();
    // The writer's scratch folder is gone with release.
    expect(existsSync(dir)).toBe(false);

    const reader = openRunStore(location);
    expect(await reader.has('shards')).toBe(true);
    // A file and a folder inside the committed key are there through its manifest.
    expect(await reader.has('shards/shard-001/claims.parquet')).toBe(true);
    expect(await reader.has('shards/shard-001')).toBe(true);
    expect(await reader.has('shards/shard-002')).toBe(false);
    expect(await reader.has('shards/shard-001/history')).toBe(false);
    const shard = await reader.read('shards/shard-001');
    expect(readFileSync(join(shard, 'claims.parquet'), 'utf8')).toBe('one!');
    // Only that shard's files were downloaded.
    expect(existsSync(join(shard, '..', 'shard-000'))).toBe(false);
    // Downloads are owner-only.
    expect(statSync(join(shard, 'claims.parquet')).mode & 0o777).toBe(0o600);

    // A key committed inside another (a shard's history) is read by its own key.
    const h = await reader.writable('shards/shard-001/history');
    mkdirSync(h);
    writeFileSync(join(h, 'raf_history.parquet'), 'history');
    await reader.commit('shards/shard-001/history');
    expect(await reader.has('shards/shard-001/history/raf_history.parquet')).toBe(true);

    // Text keys: flow.json.
    await reader.writeText('flow.json', '{"a":1}\n');
    expect(await reader.readText('flow.json')).toBe('{"a":1}\n');
    expect(await reader.readText('shards/shard-000/claims.parquet')).toBe('zero');
    expect(await (reader as S3RunStore).committedKeys()).toEqual(['flow.json', 'shards', 'shards/shard-001/history']);
    await reader.release();
  });

  it('does not see objects without a manifest, and refuses an object cut or replaced after its commit', async () => {
    const location = newRun();
    const { bucket, prefix } = parseS3Url(location);
    const client = raw();
    // A writer that died after uploading its objects and before publishing the manifest.
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/history/raf_history.parquet`, Body: 'half' }));
    const store = openRunStore(location);
    expect(await store.has('history')).toBe(false);
    expect(await store.has('history/raf_history.parquet')).toBe(false);
    await expect(store.read('history')).rejects.toThrow(/is missing/);

    const out = await store.writable('history');
    mkdirSync(out);
    writeFileSync(join(out, 'raf_history.parquet'), 'the whole file');
    await store.commit('history');
    await store.release();
    // The object cut short behind the manifest's back (a store that lost part of a write):
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/history/raf_history.parquet`, Body: 'the whole' }));
    const reader = openRunStore(location);
    // 'the whole file' is 14 bytes; the object now has 9.
    await expect(reader.read('history')).rejects.toMatchObject({ code: 'E_IO', unrecoverable: false, message: expect.stringMatching(/9 bytes .* not the 14 bytes .* committed/) });
    await reader.release();
    client.destroy();
  });

  it('sends a file up in one PUT up to the part size, in parts above it, grown to fit 10,000 parts', () => {
    // 64 MiB is the part size: a file of exactly 64 MiB is one PUT, one byte more is two parts.
    expect(uploadPlan(64 * MiB)).toEqual({ partSize: 64 * MiB, parts: 1 });
    expect(uploadPlan(64 * MiB + 1)).toEqual({ partSize: 64 * MiB, parts: 2 });
    // A 5 GB history file (5,000,000,000 bytes): 5,000,000,000 / 67,108,864 = 74.5, so 75 parts; one
    // of 6 GiB (over a PUT's 5 GiB): 6,144 MiB / 64 MiB = 96 parts.
    expect(uploadPlan(5_000_000_000)).toEqual({ partSize: 64 * MiB, parts: 75 });
    expect(uploadPlan(6 * 1024 * MiB)).toEqual({ partSize: 64 * MiB, parts: 96 });
    // 1 TiB = 1,048,576 MiB would take 16,384 parts of 64 MiB, over S3's 10,000: the part grows to
    // 1,048,576 / 10,000 = 104.86, so 105 MiB, and 1,048,576 / 105 = 9,986.4, so 9,987 parts.
    expect(uploadPlan(1024 * 1024 * MiB)).toEqual({ partSize: 105 * MiB, parts: 9987 });
    // S3's limits: parts of 5 MiB at least; no object over 5 TiB.
    expect(uploadPlan(12 * MiB, 5 * MiB)).toEqual({ partSize: 5 * MiB, parts: 3 });
    expect(() => uploadPlan(12 * MiB, 5 * MiB - 1)).toThrow(/from 5 MiB to 5 GiB/);
    expect(() => uploadPlan(5 * 1024 * 1024 * MiB + 1)).toThrow(/larger than the largest object S3 stores \(5 TiB\)/);
  });

  it('uploads a file larger than a part in parts and reads it back byte for byte; a failed part aborts the upload and leaves no object', async () => {
    const location = newRun();
    const { bucket, prefix } = parseS3Url(location);
    // 11 MiB and 3 bytes in parts of 5 MiB: 5 + 5 + 1 MiB and 3 bytes, three parts.
    const bytes = randomBytes(11 * MiB + 3);
    let cutPart2 = false;
    const proxy = await s3Proxy(s3.port, (line) => cutPart2 && /^PUT .*[?&]partNumber=2(&|$)/.test(line));
    try {
      const writer = new S3RunStore(location, { partSize: 5 * MiB });
      await withEndpoint(proxy.endpoint, async () => {
        const dir = await writer.writable('history');
        mkdirSync(dir);
        writeFileSync(join(dir, 'raf_history.parquet'), bytes);
        writeFileSync(join(dir, 'small.json'), '{}');
        await writer.commit('history');
      });
      await writer.release();
      const parts = proxy.seen.filter((l) => /^PUT .*partNumber=/.test(l)).map((l) => /partNumber=(\d+)/.exec(l)![1]).sort();
      expect(parts).toEqual(['1', '2', '3']);
      // The small file went in one PUT: one multipart upload was started (POST ?uploads), the big file's.
      expect(proxy.seen.filter((l) => /^POST .*\?uploads/.test(l))).toHaveLength(1);
      const reader = openRunStore(location);
      const got = await reader.read('history');
      expect(readFileSync(join(got, 'raf_history.parquet')).equals(bytes)).toBe(true);
      expect(readFileSync(join(got, 'small.json'), 'utf8')).toBe('{}');
      await reader.release();

      // Part 2 of the next upload never gets through (the store stops answering it): tried three
      // times, then the upload is aborted; nothing under the key, no part left on the store.
      cutPart2 = true;
      proxy.seen.length = 0;
      const failing = new S3RunStore(location, { partSize: 5 * MiB });
      await withEndpoint(proxy.endpoint, async () => {
        const file = await failing.writable('claims.parquet');
        writeFileSync(file, bytes);
        await expect(failing.commit('claims.parquet')).rejects.toMatchObject({ code: 'E_IO', unrecoverable: false, message: expect.stringMatching(/^cannot reach the run store/) });
      });
      await failing.release();
      expect(proxy.seen.filter((l) => /^PUT .*partNumber=2(&|$)/.test(l))).toHaveLength(3);
      expect(proxy.seen.filter((l) => /^DELETE .*uploadId=/.test(l))).toHaveLength(1);
      expect(proxy.seen.some((l) => /^POST .*uploadId=/.test(l))).toBe(false);
      // s3rver keeps an upload's parts in BUCKET/._S3rver_uploads/<id> until it is completed or aborted.
      expect(readdirSync(join(s3.dir, bucket, '._S3rver_uploads'))).toEqual([]);
      const listed = await raw().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/claims.parquet` }));
      expect(listed.Contents ?? []).toEqual([]);
      expect(await openRunStore(location).has('claims.parquet')).toBe(false);
    } finally {
      proxy.close();
    }
  }, 60_000);

  it('removes the scratch folders of dead processes, never one of a live process', async () => {
    const saved = process.env.RAFCAST_SCRATCH;
    // A process that has ended: its id no longer runs (a worker killed with kill -9).
    const deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    // A live process (another worker sharing the scratch root).
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      // A store's folder is named after this machine and pid namespace, this process and its start time.
      process.env.RAFCAST_SCRATCH = tempDir('scratch-first');
      const first = openRunStore(newRun());
      const firstName = relative(process.env.RAFCAST_SCRATCH, await first.writable('x')).split(sep)[0]!;
      await first.release();
      const m = new RegExp(`^rafcast-s3-([0-9a-f]{8})-${process.pid}-[1-9][0-9]*-[A-Za-z0-9]{6}$`).exec(firstName);
      expect(m).not.toBeNull();
      const here = m![1]!;

      const root = tempDir('scratch-root');
      const dead = `rafcast-s3-${here}-${deadPid}-0-aaaaaa`;
      // Its start time unknown ('0'): the live id alone keeps the folder.
      const alive = `rafcast-s3-${here}-${live.pid}-0-bbbbbb`;
      // This process's id with a start time not its own (1 tick after boot): an earlier process that had the id.
      const reused = `rafcast-s3-${here}-${process.pid}-1-cccccc`;
      // The dead id on another machine or container sharing the root: not this process's to judge.
      const elsewhere = `rafcast-s3-${here === 'ffffffff' ? '00000000' : 'ffffffff'}-${deadPid}-0-dddddd`;
      // Folders not named by a store (an older rafcast's scratch, a local copy of a run) are left alone.
      const others = ['rafcast-s3-eEeEeE', 'rafcast-run-rafcast-test-0123456789ab'];
      for (const d of [dead, alive, reused, elsewhere, ...others]) mkdirSync(join(root, d, 'shards'), { recursive: true });
      writeFileSync(join(root, dead, 'shards', 'claims.parquet'), 'left by a killed worker');
      process.env.RAFCAST_SCRATCH = root;
      // The first store to use the root removes the dead processes' folders.
      const store = openRunStore(newRun());
      const mine = relative(root, await store.writable('x')).split(sep)[0]!;
      expect(readdirSync(root).sort()).toEqual([alive, elsewhere, ...others, mine].sort());
      // A second look removes nothing: the live process's folder and this one's stay.
      expect(await removeDeadScratch(root)).toEqual([]);
      live.kill('SIGKILL');
      await new Promise((resolve) => live.once('exit', resolve));
      expect(await removeDeadScratch(root)).toEqual([alive]);
      await store.release();
      expect(readdirSync(root).sort()).toEqual([elsewhere, ...others].sort());
    } finally {
      live.kill('SIGKILL');
      if (saved === undefined) delete process.env.RAFCAST_SCRATCH;
      else process.env.RAFCAST_SCRATCH = saved;
    }
  });

  it('removes a key with the keys committed inside it, and nothing else', async () => {
    const store = openRunStore(newRun());
    for (const k of ['shards/shard-000/history', 'shards/shard-000/features/features_2024.parquet', 'shards-extra', 'history']) {
      const p = await store.writable(k);
      writeFileSync(p, k);
      await store.commit(k);
    }
    await store.remove('shards/shard-000');
    expect(await store.has('shards/shard-000/history')).toBe(false);
    expect(await store.has('shards/shard-000/features/features_2024.parquet')).toBe(false);
    // A key whose name only begins like the removed one stays.
    expect(await store.has('shards-extra')).toBe(true);
    expect(await store.has('history')).toBe(true);
    expect(await (store as S3RunStore).committedKeys()).toEqual(['history', 'shards-extra']);
    await store.remove('not-there');
    // A prefix with objects is not empty (a rerun or resume into it), a new one is.
    expect(await (store as S3RunStore).isEmpty()).toBe(false);
    expect(await (openRunStore(newRun()) as S3RunStore).isEmpty()).toBe(true);
    await store.release();
  });

  it('refuses to start a run in a prefix that holds objects but no run, unless forced', async () => {
    const { bucket, prefix } = parseS3Url('s3://rafcast-test/someone-else');
    await raw().send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/their-file.csv`, Body: 'x' }));
    // Refused before the data is looked at: the configuration needs no plan.
    const c = { out: 's3://rafcast-test/someone-else', models: ['logistic'] } as unknown as FlowConfig;
    await expect(prepareFlow(c)).rejects.toThrow('s3://rafcast-test/someone-else holds objects but no run (no flow.json): give an empty prefix for the run, or --force to write among them');
  });

  it('says which store cannot be used and why, never with the credentials', async () => {
    await requireStore('s3://rafcast-test/ok');
    await expect(requireStore('s3://no-such-bucket/run')).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringMatching(/bucket no-such-bucket of the run store s3:\/\/no-such-bucket\/run does not exist/) });
    const saved = [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY];
    process.env.AWS_ACCESS_KEY_ID = 'A-WRONG-KEY-ID';
    process.env.AWS_SECRET_ACCESS_KEY = 'a-wrong-secret-value';
    try {
      const e = (await requireStore('s3://rafcast-test/run').catch((x: unknown) => x)) as Error & { code: string };
      expect(e.code).toBe('E_CONFIG');
      expect(e.message).toMatch(/the run store s3:\/\/rafcast-test\/run refused this machine's credentials .*check AWS_ACCESS_KEY_ID/);
      expect(e.message).not.toContain('a-wrong-secret-value');
      expect(e.message).not.toContain('A-WRONG-KEY-ID');
      // Not only the bucket check: every request says the same.
      await expect(openRunStore('s3://rafcast-test/run').has('flow.json')).rejects.toThrow(/refused this machine's credentials \(InvalidAccessKeyId\)/);
    } finally {
      [process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY] = saved;
    }
    const endpoint = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${await freePort()}`;
    try {
      await expect(requireStore('s3://rafcast-test/run')).rejects.toMatchObject({ code: 'E_IO', message: expect.stringMatching(/^cannot reach the run store s3:\/\/rafcast-test\/run: connection refused/) });
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = endpoint;
    }
    expect(() => openRunStore('gs://bucket/run')).toThrow(/a run store must be a folder or s3:\/\/BUCKET\/PREFIX/);
    expect(() => openRunStore('s3://Bad_Bucket/run')).toThrow(/not a valid bucket name/);
    await expect(openRunStore('s3://rafcast-test/run').writable('../elsewhere')).rejects.toThrow(/inside the run/);
  }, 60_000);

  it('rafcast run --store exits 2 with the store and the reason when the bucket is missing or the credentials are refused', () => {
    const run = (bucket: string, env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [CLI, 'run', '--data', 'no-data-needed-yet', '--as-of', '2024', '--store', `s3://${bucket}/run`], { env: { ...process.env, ...env }, encoding: 'utf8' });
    const missing = run('no-such-bucket', {});
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/error E_CONFIG: the bucket no-such-bucket of the run store s3:\/\/no-such-bucket\/run does not exist/);
    const refused = run('rafcast-test', { AWS_ACCESS_KEY_ID: 'A-WRONG-KEY-ID', AWS_SECRET_ACCESS_KEY: 'a-wrong-secret-value' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/error E_CONFIG: the run store s3:\/\/rafcast-test\/run refused this machine's credentials/);
    expect(refused.stderr).not.toMatch(/A-WRONG-KEY-ID|a-wrong-secret-value|\n\s+at /);
  }, 60_000);
});
