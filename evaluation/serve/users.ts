// The users file of `rafcast serve` (serve/users.json in the run folder unless named): one entry
// per user, the password kept only as a scrypt hash (node:crypto; RFC 7914) with its own random
// salt and its cost parameters, so a stolen file does not give the passwords. Written owner-only
// (0600) and atomically.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../../data/atomic-file.ts';
import { ConfigError, asIoError, fsErrorCode } from '../../data/errors.ts';

/** scrypt's cost: N = 2^15, r = 8, p = 1 (OWASP's minimum for scrypt is N = 2^17 with r = 8, p = 1 or an equal cost; 2^15 keeps a login near 100 ms on one core). */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
export const PASSWORD_MIN_LENGTH = 12;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export interface UsersFile {
  users: { name: string; hash: string }[];
}

function scryptAsync(password: string, salt: Buffer, o: ScryptOptions & { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, { ...o, maxmem: 256 * o.N * o.r }, (e, key) => (e ? reject(e) : resolve(key))));
}

/** "scrypt$N$r$p$salt$key", salt and key in base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` gives `stored`'s key; a malformed hash is a no. Compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || salt === undefined || key === undefined) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every((x) => Number.isSafeInteger(x) && x > 0) || cost.N > 2 ** 20) return false;
  const expected = Buffer.from(key, 'base64url');
  const got = await scryptAsync(password, Buffer.from(salt, 'base64url'), cost);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

/** A hash of a random password: a login for an unknown name costs what a known one does. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(16).toString('hex')));

/** The users file, or an empty one when it does not exist. */
export async function readUsers(path: string): Promise<UsersFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (fsErrorCode(e) === 'ENOENT') return { users: [] };
    throw asIoError(e, 'cannot read the users file', path);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`the users file ${path} is not JSON (rafcast users add writes it)`);
  }
  const users = (parsed as { users?: unknown }).users;
  if (!Array.isArray(users) || !users.every((u) => typeof u?.name === 'string' && typeof u?.hash === 'string')) {
    throw new ConfigError(`the users file ${path} must hold {"users": [{"name", "hash"}, ...]} (rafcast users add writes it)`);
  }
  return { users: users.map((u: { name: string; hash: string }) => ({ name: u.name, hash: u.hash })) };
}

/** Adds a user with this password to the file (made when missing); an existing name or a short password is refused. */
export async function addUser(path: string, name: string, password: string): Promise<void> {
  if (!NAME.test(name)) throw new ConfigError(`a user name is 1 to 64 letters, digits, dots, dashes or underscores, found "${name}"`);
  if (password.length < PASSWORD_MIN_LENGTH) throw new ConfigError(`the password must have at least ${PASSWORD_MIN_LENGTH} characters`);
  const file = await readUsers(path);
  if (file.users.some((u) => u.name === name)) throw new ConfigError(`the users file ${path} already has a user ${name}`);
  file.users.push({ name, hash: await hashPassword(password) });
  await writeFileAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
}
