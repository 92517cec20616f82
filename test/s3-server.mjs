// An S3-API server for the tests (s3rver, objects in a folder): `node test/s3-server.mjs PORT DIR
// BUCKET...` prints "ready" once it answers. A child process, so that a test can kill it without
// warning (SIGKILL) and start it again on the same folder, as a store restarting.
import S3rver from 's3rver';

const [port, directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({ port: Number(port), address: '127.0.0.1', directory, silent: true, configureBuckets: buckets.map((name) => ({ name })) });
await server.run();
process.stdout.write('ready\n');
