// Error classes with stable codes (house style: BullMQ src/classes/errors/). Messages never carry
// member identifiers: a row is named by its number only.

export type ErrorCode =
  | 'E_INPUT'
  | 'E_INPUT_HEADER'
  | 'E_CONFIG'
  | 'E_REFERENCE'
  | 'E_UNKNOWN_MODEL'
  | 'E_UNKNOWN_PAYMENT_YEAR'
  | 'E_TOO_MANY_REJECTED'
  | 'E_SCHEMA_MISMATCH'
  | 'E_RUN_FAILED'
  | 'E_IO'
  | 'E_CONFLICT'
  | 'E_AUTH';

export class RafcastError extends Error {
  readonly code: ErrorCode;
  /** True when retrying cannot help (bad data, bad configuration): queues must not retry. */
  readonly unrecoverable: boolean;

  constructor(code: ErrorCode, message: string, unrecoverable = true) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.unrecoverable = unrecoverable;
  }
}

export interface InputLocation {
  file?: string;
  /** 1-based data row number (header excluded). */
  row?: number;
  field?: string;
}

/** A bad value in an input file: says which file, which row, which field and what was expected. */
export class InputError extends RafcastError {
  readonly file: string | undefined;
  readonly row: number | undefined;
  readonly field: string | undefined;
  readonly reason: string;

  constructor(reason: string, where: InputLocation = {}, code: ErrorCode = 'E_INPUT') {
    const place = [
      where.file !== undefined ? `file ${where.file}` : undefined,
      where.row !== undefined ? `row ${where.row}` : undefined,
      where.field !== undefined ? `field ${where.field}` : undefined,
    ]
      .filter((s) => s !== undefined)
      .join(', ');
    super(code, place ? `${place}: ${reason}` : reason);
    this.file = where.file;
    this.row = where.row;
    this.field = where.field;
    this.reason = reason;
  }
}

/** A bad option or combination of options given by the caller. */
export class ConfigError extends RafcastError {
  constructor(message: string, code: ErrorCode = 'E_CONFIG') {
    super(code, message);
  }
}

/** A reference table that is missing, altered or malformed. */
export class ReferenceDataError extends RafcastError {
  constructor(message: string) {
    super('E_REFERENCE', message);
  }
}

/** Plain words for the file-system error codes a user can act on. */
const IO_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  // Network: a Redis that cannot be reached (pipelines/queue-connection.ts).
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be looked up',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'connection reset',
};

/** A system error code (EACCES, ECONNREFUSED, ...) in plain words; the code itself, lower-cased, when not listed. */
export const ioReason = (code: string): string => IO_REASONS[code] ?? code.toLowerCase();

/**
 * What DuckDB's "IO Error: ..." message says (the file it could not open or write, and why), or
 * undefined for any other error; light (no DuckDB import), for the command line's top handler too.
 */
export function duckDbIoMessage(e: unknown): string | undefined {
  const m = e instanceof Error ? /^IO Error: ([\s\S]*)$/.exec(e.message) : null;
  return m ? m[1]!.trim() : undefined;
}

/**
 * A file-system operation that failed: `E_IO: <what> <path>: <why>` (for example "cannot write
 * the quarantine file /data/claims.rejected.csv: permission denied"). Bad places are the
 * caller's to fix, so queues must not retry, except when the device is full.
 */
export class IoError extends RafcastError {
  readonly path: string;
  readonly why: string;

  constructor(what: string, path: string, why: string, unrecoverable = true) {
    super('E_IO', `${what} ${path}: ${why}`, unrecoverable);
    this.path = path;
    this.why = why;
  }
}

/** The Node file-system error's code (EACCES, ...), or undefined for any other error. */
export function fsErrorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** An IoError for a Node file-system error (its path, its code in plain words); any other error unchanged. */
export function asIoError(e: unknown, what: string, path?: string): unknown {
  const code = fsErrorCode(e);
  if (code === undefined || e instanceof RafcastError) return e;
  const where = path ?? (e as { path?: string }).path ?? '';
  return new IoError(what, where, ioReason(code), code !== 'ENOSPC');
}
