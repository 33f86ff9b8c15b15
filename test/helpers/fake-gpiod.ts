import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from './repo.js';

/**
 * The fake libgpiod tools (test/gpio/fixtures/fake-gpiod): shell scripts with the real tools'
 * names and command lines that keep their state in a folder, so the character-device backend runs
 * for real on a machine without GPIO. One folder per test.
 */
export const FAKE_GPIOD_BIN = repoPath('test/gpio/fixtures/fake-gpiod');

export interface FakeGpiod {
  dir: string;
  /** Environment for the backend (`ChardevGpioBackend.open({ env })`). */
  env: NodeJS.ProcessEnv;
  /** A file the tools wrote (level-<offset>, <tool>.pid, calls.log, ...), trimmed; undefined if absent. */
  file(name: string): string | undefined;
  /** Every tool invocation, one line each. */
  calls(): string[];
  /** Level last set on a line by gpioset. */
  level(offset: number): string | undefined;
  /** Pid from a `<name>.pid` file. */
  pid(name: string): number | undefined;
  /** Every pid a tool recorded. */
  pids(): number[];
  /** Feeds one line to the running gpiomon, e.g. `17 2` (v2 falling edge). */
  event(line: string): void;
}

export function fakeGpiod(t: { teardown(fn: () => void): void }, version: string, path = `${FAKE_GPIOD_BIN}:${process.env.PATH}`): FakeGpiod {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-gpiod-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').trim() : undefined);
  return {
    dir,
    env: { ...process.env, PATH: path, FAKE_GPIOD_DIR: dir, FAKE_GPIOD_VERSION: version },
    file,
    calls: () => (file('calls.log') ?? '').split('\n').filter(Boolean),
    level: (offset) => file(`level-${offset}`),
    pid: (name) => (file(name) !== undefined ? Number(file(name)) : undefined),
    pids: () => (file('pids') ?? '').split('\n').filter(Boolean).map(Number),
    event: (line) => appendFileSync(join(dir, 'events'), `${line}\n`),
  };
}

/** Whether a process is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
