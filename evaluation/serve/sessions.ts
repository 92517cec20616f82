// Logged-in sessions of `rafcast serve`, in memory: a random 256-bit token per login (the cookie's
// value), its user and when it ends. A restart logs everyone out; nothing else is lost.
import { randomBytes } from 'node:crypto';

/** A session lasts 8 hours from login (a working day), then the user logs in again. */
export const SESSION_HOURS = 8;

export class Sessions {
  private readonly byToken = new Map<string, { user: string; ends: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  create(user: string): string {
    const token = randomBytes(32).toString('base64url');
    this.byToken.set(token, { user, ends: this.now() + SESSION_HOURS * 3600_000 });
    return token;
  }

  /** The session's user, or undefined when the token is unknown or its session has ended. */
  user(token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    const s = this.byToken.get(token);
    if (s === undefined) return undefined;
    if (s.ends <= this.now()) {
      this.byToken.delete(token);
      return undefined;
    }
    return s.user;
  }

  end(token: string | undefined): void {
    if (token !== undefined) this.byToken.delete(token);
  }
}
