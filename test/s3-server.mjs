// An S3-API server for the tests (s3rver, objects in a folder): `node test/s3-server.mjs PORT DIR
// BUCKET...` prints "ready" once it answers. A child process, so that a test can kill it without
// warning (SIGKILL) and start it again on the same folder, as a store restarting.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import S3rver from 's3rver';

const [port, directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ port: Number(port), address: '127.0.0.1', directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });

// s3rver 3.7.1 has multipart uploads but not AbortMultipartUpload (DELETE /BUCKET/KEY?uploadId=ID):
// its router answers it MethodNotAllowed once the request's signature is checked. Here that answer
// becomes S3's: the upload's parts (s3rver keeps them in BUCKET/._S3rver_uploads/ID) are dropped,
// 204; NoSuchUpload (404) for an upload it does not hold. Put just before s3rver's router, so a
// request with bad credentials is still refused by it.
server.middleware.splice(server.middleware.length - 1, 0, async (ctx, next) => {
  try {
    await next();
  } catch (e) {
    const uploadId = ctx.query.uploadId;
    if (ctx.method !== 'DELETE' || e?.code !== 'MethodNotAllowed' || typeof uploadId !== 'string' || !/^[0-9a-f]+$/.test(uploadId)) throw e;
    const bucket = ctx.path.split('/')[1];
    const dir = join(server.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    try {
      await rm(dir, { recursive: true });
    } catch {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
      return;
    }
    ctx.status = 204;
  }
});
await server.run();
process.stdout.write('ready\n');
