// The run store: keys stay inside the run, a key is there once written and committed, and a
// location is a directory or an S3 bucket (s3-run-store.test.ts), any other URL refused.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir.ts';
import { openRunStore } from './run-store.ts';
import { S3RunStore } from './s3-run-store.ts';

describe('DirectoryRunStore', () => {
  it('hands out local paths for keys, and knows a key once it is written', async () => {
    const root = tempDir('store');
    const store = openRunStore(root);
    expect(await store.has('scores/mlp.parquet')).toBe(false);
    await expect(store.read('scores/mlp.parquet')).rejects.toThrow(/scores\/mlp.parquet is missing/);
    const path = await store.writable('scores/mlp.parquet');
    expect(path).toBe(join(root, 'scores', 'mlp.parquet'));
    expect(statSync(join(root, 'scores')).mode & 0o777).toBe(0o700);
    await expect(store.commit('scores/mlp.parquet')).rejects.toThrow(/nothing was written/);
    writeFileSync(path, 'x');
    await store.commit('scores/mlp.parquet');
    expect(await store.has('scores/mlp.parquet')).toBe(true);
    expect(await store.read('scores/mlp.parquet')).toBe(path);
    await store.writeText('flow.json', '{}\n');
    expect(statSync(join(root, 'flow.json')).mode & 0o777).toBe(0o600);
    expect(await store.readText('flow.json')).toBe('{}\n');
  });

  it('refuses keys outside the run and stores it cannot open', async () => {
    const store = openRunStore(tempDir('store'));
    await expect(store.writable('../elsewhere.parquet')).rejects.toThrow(/inside the run/);
    await expect(store.has('/etc/passwd')).rejects.toThrow(/inside the run/);
    expect(openRunStore('s3://bucket/run')).toBeInstanceOf(S3RunStore);
    expect(() => openRunStore('ftp://host/run')).toThrow(/a run store must be a folder or s3:\/\/BUCKET\/PREFIX, found ftp:\/\/host\/run/);
  });
});
