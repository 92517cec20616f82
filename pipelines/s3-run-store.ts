// A run kept in an S3 bucket (issue 20): `s3://BUCKET/PREFIX`, through the AWS SDK for JavaScript
// v3, so that workers on machines that share nothing but Redis and the bucket run one flow. A key's
// files are uploaded first and its manifest (`PREFIX/.manifests/<key>.json`: each file's path, size
// and MD5) is published last, in one PUT: a key is there when its manifest is, and a reader only
// ever downloads the files a manifest lists, checked against their size and MD5. A writer killed
// half-way leaves no manifest (its objects are never read); a store that lost or cut an object fails
// the download with an error a retry can fix, never a result made from part of a file. A file larger
// than a part (64 MiB) goes up as a multipart upload, streamed from the file part by part, aborted on
// any failure. Reads go to a private scratch folder (under RAFCAST_SCRATCH, else the system's
// temporary folder), one per store object, removed by `release()`; its name carries the owner's
// process id and start time, so that the folders of processes killed with `kill -9` are removed by
// the next store that makes one there.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative, isAbsolute, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, IoError, RafcastError, ioReason } from '../data/errors.ts';
import { makeScratchFolder } from './scratch-folders.ts';
import { PARTS_AT_ONCE, PART_SIZE, PART_TRIES, hashParts, uploadPlan } from './s3-parts.ts';

/** True for a run store given as a URL (s3://...) rather than a folder. */
export const isStoreUrl = (location: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(location);

/** A file of a committed key: its path under the key ('' for a key that is one file), size and MD5 (hex). */
interface ManifestFile {
  path: string;
  size: number;
  md5: string;
}
/** What `commit` publishes last: the key, and every file it holds. */
interface Manifest {
  key: string;
  files: ManifestFile[];
}

/** The bucket and prefix (no leading or trailing '/', maybe empty) of an s3:// URL. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/?#]+)\/?([^?#]*)$/.exec(url);
  if (m === null) throw new ConfigError(`a run store must be a folder or s3://BUCKET/PREFIX, found ${url}`);
  const bucket = m[1]!;
  // S3's bucket naming rules: 3-63 lower-case letters, digits, '.', '-'.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError(`${url}: ${bucket} is not a valid bucket name (3 to 63 lower-case letters, digits, '.' and '-')`);
  const prefix = m[2]!.replace(/\/+$/, '');
  if (prefix.split('/').some((p) => p === '' || p === '.' || p === '..') && prefix !== '') throw new ConfigError(`${url}: the prefix must be plain folder names separated by '/'`);
  return { bucket, prefix };
}

/** The S3 endpoint this process uses (an S3-compatible store), if any: --s3-endpoint sets it. */
export const s3Endpoint = (): string | undefined => process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;

/** Error names S3 gives for credentials it does not take. */
const AUTH_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'Forbidden']);

/** Files under a folder, as paths relative to it ('/'-separated), sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
  }
  return out.sort();
}

async function md5Of(file: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}



export class S3RunStore {
  readonly bucket: string;
  readonly prefix: string;
  private client: Promise<S3Client> | undefined;
  private scratch: Promise<string> | undefined;
  /** Files downloaded into the scratch folder by this store object (a job reads some keys twice). */
  private readonly downloaded = new Set<string>();

  /** The part size of uploads (`uploadPlan`); tests give a smaller one to send a few MiB in parts. */
  private readonly partSize: number;

  constructor(
    readonly location: string,
    options: { partSize?: number } = {},
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseS3Url(location));
    this.partSize = options.partSize ?? PART_SIZE;
    uploadPlan(0, this.partSize);
  }

  private objectKey(key: string, path = ''): string {
    const k = [this.prefix, key, path].filter((p) => p !== '').join('/');
    return k;
  }
  private manifestKey(key: string): string {
    return this.objectKey(`.manifests/${key}.json`);
  }

  /** A key as given, checked to stay inside the run ('a/b', never '/a', '../a' or 'a/../..'). */
  private checked(key: string): string {
    const k = normalize(key).split(sep).join('/').replace(/\/+$/, '');
    if (isAbsolute(k) || k === '..' || k.startsWith('../') || k === '.' || k === '' || k.startsWith('.manifests')) throw new Error(`a run store key must stay inside the run: ${key}`);
    return k;
  }

  private s3(): Promise<S3Client> {
    this.client ??= (async () => {
      // The SDK warns once per process that its releases after January 2027 need Node 22; rafcast
      // runs on Node 20 with the version it pins, and the warning would repeat in every worker's child.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const { S3Client } = await import('@aws-sdk/client-s3');
      const endpoint = s3Endpoint();
      return new S3Client({
        region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
        // An S3-compatible store at its own address is reached with the bucket in the path.
        ...(endpoint !== undefined ? { endpoint, forcePathStyle: process.env.RAFCAST_S3_PATH_STYLE !== '0' } : process.env.RAFCAST_S3_PATH_STYLE === '1' ? { forcePathStyle: true } : {}),
        // Checksums only where S3 requires them: S3-compatible stores do not all take the SDK's
        // trailing checksums. Every object's MD5 is sent (Content-MD5) and checked on download instead.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: { connectionTimeout: 5000 },
        // Library code does not print: without a logger of its own, the SDK warns on the console
        // when a request with a streamed body fails (the error itself is thrown, and handled here).
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      });
    })();
    return this.client;
  }

  /** Runs one S3 request; its failure as an error that names the store, never the credentials. */
  private async send<T>(what: string, f: (c: S3Client) => Promise<T>): Promise<T> {
    const c = await this.s3();
    try {
      return await f(c);
    } catch (e) {
      throw this.failure(e, what);
    }
  }

  private failure(e: unknown, what: string): Error {
    if (e instanceof RafcastError) return e;
    const err = e as { name?: string; code?: string; cause?: { code?: string }; $metadata?: { httpStatusCode?: number } };
    const name = err.name ?? 'Error';
    if (name === 'NoSuchBucket') return new ConfigError(`the bucket ${this.bucket} of the run store ${this.location} does not exist: create it, or give another --store`);
    if (AUTH_ERRORS.has(name) || err.$metadata?.httpStatusCode === 403) {
      return new ConfigError(`the run store ${this.location} refused this machine's credentials (${name}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the AWS profile), and that they may read and write the bucket`);
    }
    if (name === 'CredentialsProviderError') return new ConfigError(`no credentials for the run store ${this.location}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile`);
    const code = err.code ?? err.cause?.code;
    if (code !== undefined && /^E[A-Z_]+$/.test(code)) {
      return new IoError('cannot reach the run store', this.location, `${ioReason(code)}${s3Endpoint() !== undefined ? ` (endpoint ${s3Endpoint()})` : ''}`, false);
    }
    if (name === 'TimeoutError') return new IoError('cannot reach the run store', this.location, 'timed out', false);
    // Anything else (a 5xx, a store restarting): a retry may help.
    return new RafcastError('E_IO', `the run store ${this.location}: ${what} failed (${name}${err.$metadata?.httpStatusCode !== undefined ? `, HTTP ${err.$metadata.httpStatusCode}` : ''})`, false);
  }

  /** Checks that the bucket is there and these credentials reach it (the commands call it first). */
  async check(): Promise<void> {
    const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
    await this.send('checking the bucket', async (c) => {
      try {
        await c.send(new HeadBucketCommand({ Bucket: this.bucket }));
      } catch (e) {
        // HEAD has no body: S3 says only the status (404: no bucket, 403: refused).
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) throw Object.assign(new Error('no bucket'), { name: 'NoSuchBucket' });
        throw e;
      }
    });
  }

  /** The manifest of a key, or undefined when none is published. */
  private async manifest(key: string): Promise<Manifest | undefined> {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    return this.send(`reading the manifest of ${key}`, async (c) => {
      try {
        const r = await c.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.manifestKey(key) }));
        return JSON.parse(await r.Body!.transformToString()) as Manifest;
      } catch (e) {
        if ((e as { name?: string }).name === 'NoSuchKey') return undefined;
        throw e;
      }
    });
  }

  /**
   * The committed files that make up a key: the key's own manifest, or the manifest of the key it
   * lies in (a shard's folder in `shards`, a file in `history`), its files under the key. Keys
   * committed inside a key are not part of it: each is read by its own key.
   */
  private async filesOf(key: string): Promise<{ owner: string; files: ManifestFile[] } | undefined> {
    const parts = key.split('/');
    for (let n = parts.length; n >= 1; n--) {
      const owner = parts.slice(0, n).join('/');
      const m = await this.manifest(owner);
      if (m === undefined) continue;
      if (owner === key) return { owner, files: m.files };
      const under = parts.slice(n).join('/');
      const files = m.files.filter((f) => f.path === under || f.path.startsWith(`${under}/`));
      return files.length > 0 ? { owner, files } : undefined;
    }
    return undefined;
  }

  async has(key: string): Promise<boolean> {
    return (await this.filesOf(this.checked(key))) !== undefined;
  }

  /**
   * This store object's private scratch folder (owner-only), made on first use and named after this
   * process (id and start time); the first one a process makes under a root first removes the
   * folders there of processes that died without removing theirs.
   */
  private scratchDir(): Promise<string> {
    this.scratch ??= (async () => {
      return makeScratchFolder(process.env.RAFCAST_SCRATCH ?? tmpdir());
    })();
    return this.scratch;
  }

  /** Downloads one object to `file`, checked against the manifest's size and MD5 before it takes the name. */
  private async download(objectKey: string, f: ManifestFile, file: string): Promise<void> {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.download-${process.pid}`;
    const h = createHash('md5');
    let size = 0;
    await this.send(`downloading ${objectKey}`, async (c) => {
      const r = await c.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      const count = new Transform({
        transform(chunk: Buffer, _enc, done) {
          h.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(r.Body as NodeJS.ReadableStream, count, createWriteStream(tmp, { mode: 0o600 }));
    }).catch(async (e: unknown) => {
      await rm(tmp, { force: true });
      throw e;
    });
    const md5 = h.digest('hex');
    if (size !== f.size || md5 !== f.md5) {
      await rm(tmp, { force: true });
      throw new RafcastError('E_IO', `the run store ${this.location} gave ${objectKey} with ${size} bytes (MD5 ${md5}), not the ${f.size} bytes (MD5 ${f.md5}) committed: the object was cut or replaced; the job is retried`, false);
    }
    await rename(tmp, file);
  }

  async read(key: string): Promise<string> {
    const k = this.checked(key);
    const found = await this.filesOf(k);
    if (found === undefined) throw new ConfigError(`${this.location}/${k} is missing: the stage that writes it has not finished`);
    const root = await this.scratchDir();
    for (const f of found.files) {
      const local = join(root, found.owner, f.path);
      if (this.downloaded.has(local)) continue;
      await this.download(this.objectKey(found.owner, f.path), f, local);
      this.downloaded.add(local);
    }
    return join(root, k);
  }

  async writable(key: string): Promise<string> {
    const p = join(await this.scratchDir(), this.checked(key));
    // What a read left there is not part of what this job writes.
    await rm(p, { recursive: true, force: true });
    await mkdir(dirname(p), { recursive: true, mode: 0o700 });
    return p;
  }

  /**
   * Uploads one file with its MD5 (a store that receives other bytes refuses them): in one PUT, or
   * in parts when it is larger than one (`uploadPlan`), each part with its own MD5.
   */
  private async upload(objectKey: string, file: string): Promise<ManifestFile> {
    const written = (await stat(file)).size;
    const plan = uploadPlan(written, this.partSize);
    const { size, md5, parts } = await hashParts(file, plan.partSize);
    if (size !== written) throw new Error(`${file} changed while it was being uploaded`);
    if (plan.parts > 1) {
      await this.uploadParts(objectKey, file, size, plan.partSize, parts);
    } else {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      await this.send(`uploading ${objectKey}`, (c) =>
        c.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: createReadStream(file), ContentLength: size, ContentMD5: Buffer.from(md5, 'hex').toString('base64') })),
      );
    }
    return { path: '', size, md5 };
  }

  /**
   * A multipart upload: each part streamed from its range of the file (never the file in memory),
   * a few at once, each tried up to PART_TRIES times; the object appears only when the upload is
   * completed. On any failure the parts in flight are let finish and the upload is aborted, so the
   * store keeps no part of it (S3 may keep a part that lands after the abort). A process killed
   * during the upload cannot abort it: the bucket's lifecycle rule removes such uploads (README).
   */
  private async uploadParts(objectKey: string, file: string, size: number, partSize: number, md5s: Buffer[]): Promise<void> {
    const { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } = await import('@aws-sdk/client-s3');
    const target = { Bucket: this.bucket, Key: objectKey };
    const { UploadId } = await this.send(`starting the upload of ${objectKey}`, (c) => c.send(new CreateMultipartUploadCommand(target)));
    const etags: string[] = [];
    let next = 0;
    let failed = false;
    const sendPart = async (i: number): Promise<string> => {
      const start = i * partSize;
      const length = Math.min(partSize, size - start);
      for (let tries = 1; ; tries++) {
        try {
          const r = await this.send(`uploading part ${i + 1} of ${md5s.length} of ${objectKey}`, (c) =>
            c.send(new UploadPartCommand({ ...target, UploadId, PartNumber: i + 1, Body: createReadStream(file, { start, end: start + length - 1 }), ContentLength: length, ContentMD5: md5s[i]!.toString('base64') })),
          );
          return r.ETag!;
        } catch (e) {
          if (tries === PART_TRIES || (e as RafcastError).unrecoverable) throw e;
          await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (tries - 1)));
        }
      }
    };
    const sender = async (): Promise<void> => {
      while (!failed && next < md5s.length) {
        const i = next++;
        try {
          etags[i] = await sendPart(i);
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    };
    try {
      const ends = await Promise.allSettled(Array.from({ length: Math.min(PARTS_AT_ONCE, md5s.length) }, sender));
      const failure = ends.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failure !== undefined) throw failure.reason;
      await this.send(`completing the upload of ${objectKey}`, (c) =>
        c.send(new CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } })),
      );
    } catch (e) {
      // The first failure is the one to report; an abort that fails too leaves the upload to the lifecycle rule.
      await this.send(`aborting the upload of ${objectKey}`, (c) => c.send(new AbortMultipartUploadCommand({ ...target, UploadId }))).catch(() => undefined);
      throw e;
    }
  }

  private async putManifest(m: Manifest): Promise<void> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const body = `${JSON.stringify(m)}\n`;
    const md5 = createHash('md5').update(body).digest('base64');
    await this.send(`publishing ${m.key}`, (c) => c.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.manifestKey(m.key), Body: body, ContentType: 'application/json', ContentMD5: md5 })));
  }

  private async deleteObjects(keys: string[]): Promise<void> {
    const { DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      await this.send('removing objects', (c) => c.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } })));
    }
  }

  /** Object keys under a prefix (once `max` are found, no further page is asked for). */
  private async list(prefix: string, max = Infinity): Promise<string[]> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const keys: string[] = [];
    let token: string | undefined;
    do {
      // No MaxKeys: s3rver answers a page cut short by it with an internal error; a page of S3's default 1000 costs one request all the same.
      const r = await this.send(`listing ${prefix}`, (c) => c.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })));
      for (const o of r.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
      token = r.IsTruncated === true && keys.length < max ? r.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  /**
   * Stores what was written to `writable(key)`: the key's manifest withdrawn (a reader sees the
   * key as absent, not half-replaced), every file uploaded, then the new manifest published.
   */
  async commit(key: string): Promise<void> {
    const k = this.checked(key);
    const p = join(await this.scratchDir(), k);
    if (!existsSync(p)) throw new Error(`nothing was written to ${this.location}/${k}`);
    await this.deleteObjects([this.manifestKey(k)]);
    const isDir = (await stat(p)).isDirectory();
    const paths = isDir ? await filesUnder(p) : [''];
    const files: ManifestFile[] = [];
    // A few uploads at a time: a folder of shards is many small files.
    for (let i = 0; i < paths.length; i += 4) {
      files.push(...(await Promise.all(paths.slice(i, i + 4).map(async (rel) => ({ ...(await this.upload(this.objectKey(k, rel), rel === '' ? p : join(p, rel))), path: rel })))));
    }
    await this.putManifest({ key: k, files });
  }

  async readText(key: string): Promise<string> {
    const k = this.checked(key);
    const found = await this.filesOf(k);
    const f = found?.files.find((x) => [found.owner, x.path].filter((s) => s !== '').join('/') === k);
    if (found === undefined || f === undefined) throw new ConfigError(`${this.location}/${k} is missing: the stage that writes it has not finished`);
    const local = join(await this.scratchDir(), k);
    await this.download(this.objectKey(found.owner, f.path), f, local);
    return (await import('node:fs/promises')).readFile(local, 'utf8');
  }

  async writeText(key: string, text: string): Promise<void> {
    const k = this.checked(key);
    await this.deleteObjects([this.manifestKey(k)]);
    const body = Buffer.from(text, 'utf8');
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const md5 = createHash('md5').update(body).digest();
    await this.send(`writing ${k}`, (c) => c.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(k), Body: body, ContentMD5: md5.toString('base64') })));
    await this.putManifest({ key: k, files: [{ path: '', size: body.length, md5: md5.toString('hex') }] });
  }

  /** Removes a key and every key committed inside it: the manifests first, then the objects. */
  async remove(key: string): Promise<void> {
    const k = this.checked(key);
    const manifests = [this.manifestKey(k), ...(await this.list(this.objectKey(`.manifests/${k}/`)))];
    await this.deleteObjects(manifests);
    await this.deleteObjects([this.objectKey(k), ...(await this.list(`${this.objectKey(k)}/`))]);
  }

  /** True when the prefix holds no object at all (a new run). */
  async isEmpty(): Promise<boolean> {
    return (await this.list(this.prefix === '' ? '' : `${this.prefix}/`, 1)).length === 0;
  }

  /** Every key committed in the run (its manifests), in order. */
  async committedKeys(): Promise<string[]> {
    const root = this.objectKey('.manifests/');
    return (await this.list(root)).filter((o) => o.endsWith('.json')).map((o) => o.slice(root.length, -'.json'.length)).sort();
  }

  /**
   * Downloads every committed key of the run into `dir` (owner-only), the layout of a run folder;
   * a file already there with the committed size and MD5 is kept (a second copy only fetches what
   * changed). Commands that read a run as a folder (evaluate, report, serve) read this copy.
   */
  async copyTo(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const key of await this.committedKeys()) {
      const m = await this.manifest(key);
      for (const f of m?.files ?? []) {
        const local = join(dir, key, f.path);
        if (existsSync(local) && (await stat(local)).size === f.size && (await md5Of(local)) === f.md5) continue;
        await this.download(this.objectKey(key, f.path), f, local);
      }
    }
  }

  /** Removes this store object's scratch folder (its downloads and what it wrote). */
  async release(): Promise<void> {
    const dir = this.scratch;
    this.scratch = undefined;
    this.downloaded.clear();
    if (dir !== undefined) await rm(await dir, { recursive: true, force: true });
    const c = this.client;
    this.client = undefined;
    if (c !== undefined) (await c).destroy();
  }
}
