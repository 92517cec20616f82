// The S3 run store against a real S3-API server (s3rver, test/s3-helpers.ts): a key is there once
// its manifest is published, a reader gets exactly the committed bytes or an error, never a cut
// object, keys inside a committed folder are read through it, and a store that cannot be used says
// which one and why, never with the credentials.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { CLI } from '../test/queued-helpers.ts';
import { useS3 } from '../test/s3-helpers.ts';
import { freePort } from '../test/test-tools.ts';
import { prepareFlow, type FlowConfig } from './jobs.ts';
import { openRunStore, requireStore } from './run-store.ts';
import { S3RunStore, parseS3Url } from './s3-run-store.ts';

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
