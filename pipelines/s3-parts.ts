// How the S3 run store (pipelines/s3-run-store.ts) cuts a file into an upload: one PUT or a
// multipart upload, S3's limits on both, and the MD5s of the file and of each part, read once.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { RafcastError } from '../data/errors.ts';

const MiB = 1024 * 1024;
/**
 * S3's limits on what one upload may be (the S3 user guide, "Amazon S3 multipart upload limits"):
 * a PUT or a part of at most 5 GiB, parts of at least 5 MiB except the last, at most 10,000 parts,
 * an object of at most 5 TiB.
 */
const S3_LIMITS = { maxPart: 5 * 1024 * MiB, minPart: 5 * MiB, maxParts: 10_000, maxObject: 5 * 1024 * 1024 * MiB };
/** The part size rafcast uploads with: files up to it go in one PUT, larger ones in parts of it. */
export const PART_SIZE = 64 * MiB;
/** Parts of one file in flight at once (commit sends four files at once: sixteen streams at most). */
export const PARTS_AT_ONCE = 4;
/** Tries of one part before the upload is aborted (the SDK does not retry a request whose body is a stream). */
export const PART_TRIES = 3;

/**
 * How a file of `size` bytes goes up: one PUT (`parts` 1) when it fits in a part, else parts of
 * `partSize` bytes, the last one smaller, the part size grown (in whole MiB) when 10,000 parts of
 * it would not hold the file. The one rule for the threshold and the part size.
 */
export function uploadPlan(size: number, partSize = PART_SIZE): { partSize: number; parts: number } {
  if (!Number.isInteger(partSize) || partSize < S3_LIMITS.minPart || partSize > S3_LIMITS.maxPart) {
    throw new Error(`an S3 part size must be a whole number of bytes from 5 MiB to 5 GiB, found ${partSize}`);
  }
  if (size > S3_LIMITS.maxObject) throw new RafcastError('E_IO', `a file of ${size} bytes is larger than the largest object S3 stores (5 TiB)`);
  if (size <= partSize) return { partSize, parts: 1 };
  const grown = Math.max(partSize, Math.ceil(size / S3_LIMITS.maxParts / MiB) * MiB);
  return { partSize: grown, parts: Math.ceil(size / grown) };
}

/** A file's MD5 and its parts' MD5s (parts of `partSize` bytes), in one read of the file. */
export async function hashParts(file: string, partSize: number): Promise<{ size: number; md5: string; parts: Buffer[] }> {
  const whole = createHash('md5');
  const parts: Buffer[] = [];
  let part = createHash('md5');
  let inPart = 0;
  let size = 0;
  for await (const data of createReadStream(file)) {
    let chunk = data as Buffer;
    whole.update(chunk);
    size += chunk.length;
    while (chunk.length > 0) {
      const n = Math.min(chunk.length, partSize - inPart);
      part.update(chunk.subarray(0, n));
      inPart += n;
      chunk = chunk.subarray(n);
      if (inPart === partSize) {
        parts.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (inPart > 0 || parts.length === 0) parts.push(part.digest());
  return { size, md5: whole.digest('hex'), parts };
}
