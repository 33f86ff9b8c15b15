import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HearthError } from '../../errors.js';
import { writeFileAtomic } from '../../storage/atomic-file.js';
import { setAside } from '../../storage/set-aside.js';
import { tokenHash } from '../sessions.js';
import { isRole, type Role } from './roles.js';

/**
 * The people who may use the API, one token each, in `<stateDir>/api-users.json` (mode 0600,
 * written atomically, handed to the state folder's owner when root writes it). Only the SHA-256 of
 * each token is stored: the file tells who has which role, never how to log in as them. The token
 * itself is shown once, when it is made (`hearth user add`, `hearth user rotate`, or the API).
 *
 * Both the CLI and the running daemon change this file; every change re-reads it first, so one
 * does not undo the other's (changes are rare and made by people).
 */
export const USERS_FILE = 'api-users.json';
export const USERS_FAULT = `state:${USERS_FILE}`;

export interface ApiUser {
  name: string;
  role: Role;
  /** SHA-256 (hex) of the user's token. */
  tokenHash: string;
  createdAt: number;
  rotatedAt?: number;
}

/** A user as listed: everything but the hash. */
export type ApiUserInfo = Omit<ApiUser, 'tokenHash'>;

/** Letters, digits, dot, dash, underscore; what a person's or a device's name needs, nothing a shell or a log line trips on. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
/** The built-in administrator (the `api-token` file): not a user of this file, and no user may take the name. */
export const BUILT_IN_ADMIN = 'admin';

export function usersPath(stateDir: string): string {
  return join(stateDir, USERS_FILE);
}

/** The users; [] when there is no file. Throws USERS_GARBAGE for a file that is not a users file, or the file system's error. */
export function readUsers(stateDir: string): ApiUser[] {
  let text: string;
  try {
    text = readFileSync(usersPath(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const users = parseUsers(text);
  if (users === undefined) throw new HearthError('USERS_GARBAGE', `${usersPath(stateDir)} is not a users file (JSON with a users list)`);
  return users;
}

function parseUsers(text: string): ApiUser[] | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const list = (raw as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) return undefined;
  const users: ApiUser[] = [];
  for (const u of list as Record<string, unknown>[]) {
    if (typeof u !== 'object' || u === null) return undefined;
    if (typeof u.name !== 'string' || !USER_NAME.test(u.name) || !isRole(u.role)) return undefined;
    if (typeof u.tokenHash !== 'string' || !/^[0-9a-f]{64}$/.test(u.tokenHash) || typeof u.createdAt !== 'number') return undefined;
    users.push({ name: u.name, role: u.role, tokenHash: u.tokenHash, createdAt: u.createdAt, ...(typeof u.rotatedAt === 'number' ? { rotatedAt: u.rotatedAt } : {}) });
  }
  return users;
}

function writeUsers(stateDir: string, users: ApiUser[]): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(usersPath(stateDir), `${JSON.stringify({ version: 1, users }, null, 2)}\n`, 0o600);
}

/** Users for a change: an unusable file is moved aside first (the change starts a new one). */
function usersForChange(stateDir: string): ApiUser[] {
  try {
    return readUsers(stateDir);
  } catch (err) {
    if (!(err instanceof HearthError)) throw err;
    setAside(usersPath(stateDir));
    return [];
  }
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function publicInfo(u: ApiUser): ApiUserInfo {
  return { name: u.name, role: u.role, createdAt: u.createdAt, ...(u.rotatedAt !== undefined ? { rotatedAt: u.rotatedAt } : {}) };
}

/** Adds a user; returns the new token (shown once). USER_BAD_NAME, USER_EXISTS. */
export function addUser(stateDir: string, name: string, role: Role, now = Date.now()): { user: ApiUserInfo; token: string } {
  if (!USER_NAME.test(name)) throw new HearthError('USER_BAD_NAME', `'${name}' is not a user name (1-32 letters, digits, '.', '-', '_', starting with a letter or digit)`);
  if (name === BUILT_IN_ADMIN) throw new HearthError('USER_EXISTS', `'${BUILT_IN_ADMIN}' is the built-in administrator (the api-token file): choose another name`);
  const users = usersForChange(stateDir);
  if (users.some((u) => u.name === name)) throw new HearthError('USER_EXISTS', `user '${name}' exists: rotate its token or revoke it first`);
  const token = newToken();
  const user: ApiUser = { name, role, tokenHash: tokenHash(token), createdAt: now };
  writeUsers(stateDir, [...users, user]);
  return { user: publicInfo(user), token };
}

/** Gives a user a new token (the old one stops working); returns it. USER_UNKNOWN. */
export function rotateUser(stateDir: string, name: string, now = Date.now()): { user: ApiUserInfo; token: string } {
  const users = usersForChange(stateDir);
  const user = users.find((u) => u.name === name);
  if (user === undefined) throw new HearthError('USER_UNKNOWN', `no user '${name}'`);
  const token = newToken();
  user.tokenHash = tokenHash(token);
  user.rotatedAt = now;
  writeUsers(stateDir, users);
  return { user: publicInfo(user), token };
}

/** Removes a user; their token stops working. USER_UNKNOWN. */
export function revokeUser(stateDir: string, name: string): ApiUserInfo {
  const users = usersForChange(stateDir);
  const user = users.find((u) => u.name === name);
  if (user === undefined) throw new HearthError('USER_UNKNOWN', `no user '${name}'`);
  writeUsers(stateDir, users.filter((u) => u !== user));
  return publicInfo(user);
}
