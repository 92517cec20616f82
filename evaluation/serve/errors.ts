// The errors of `rafcast serve`, each with a stable code (data/errors.ts) and the HTTP status the
// server answers with. Messages never carry a member id or a name: a member is "this member".
import { ConfigError, RafcastError } from '../../data/errors.ts';

/** A status change made against a version that is no longer the stored one: another user saved first. */
export class StatusConflictError extends RafcastError {
  readonly httpStatus = 409;
  /** The version the caller sent and the one stored now. */
  readonly sentVersion: number;
  readonly storedVersion: number;

  constructor(sentVersion: number, storedVersion: number) {
    super('E_CONFLICT', `the member's status was changed by someone else (version ${storedVersion}, this change was made on version ${sentVersion}): reload it and decide again`);
    this.sentVersion = sentVersion;
    this.storedVersion = storedVersion;
  }
}

/** A bad request parameter or body: which parameter and what was expected. */
export class RequestError extends ConfigError {
  readonly httpStatus = 400;
}

/** A member, provider or page that the run does not have. */
export class NotFoundError extends RafcastError {
  readonly httpStatus = 404;
  constructor(what: string) {
    super('E_INPUT', `${what} not found`);
  }
}

/** No session, a wrong password, or a users file that cannot be used. */
export class AuthError extends RafcastError {
  readonly httpStatus: number;
  constructor(message: string, httpStatus = 401) {
    super('E_AUTH', message);
    this.httpStatus = httpStatus;
  }
}

/** The HTTP status of an error thrown while answering: its own, else 500. */
export function httpStatusOf(e: unknown): number {
  const s = (e as { httpStatus?: unknown } | null)?.httpStatus;
  return typeof s === 'number' ? s : 500;
}
