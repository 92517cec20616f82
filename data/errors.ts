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
  | 'E_RUN_FAILED';

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
