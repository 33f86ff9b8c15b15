import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import t from 'tap';
import { demoCopy } from '../helpers/demo-config.js';
import { waitFor } from '../helpers/net.js';
import { sibling } from '../helpers/repo.js';
import { nodeArgsFor } from '../helpers/node-entry.js';

/**
 * `hearth run` (the demo config, every port moved to a free one) as a child process: which
 * failures end it and how. An unhandled rejection is logged and counted and the gateway runs on;
 * an uncaught exception stops it in order and exits 1; a port in use at start exits 69 at once
 * with the fix; SIGTERM during start stops it, and a second signal exits at once.
 */

const CHILD = sibling(import.meta.url, './run-child.ts');

interface Child {
  output(): string;
  send(m: string): void;
  signal(s: NodeJS.Signals): void;
  running(): boolean;
  exited: Promise<number | null>;
}

async function runDemo(t: { teardown(fn: () => unknown): void }, env: Record<string, string> = {}, edit?: Parameters<typeof demoCopy>[0]): Promise<{ child: Child; brokerPort: number }> {
  const copy = await demoCopy((c) => {
    c.api = { ...c.api, enabled: false };
    c.log = { level: 'info', format: 'json' };
    edit?.(c);
  });
  t.teardown(() => rmSync(copy.dir, { recursive: true, force: true }));
  const proc = spawn(process.execPath, [...nodeArgsFor(CHILD), '--config', copy.file], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  });
  return {
    brokerPort: copy.brokerPort,
    child: {
      output: () => out,
      send: (m) => proc.send(m),
      signal: (s) => proc.kill(s),
      running: () => proc.exitCode === null && proc.signalCode === null,
      exited,
    },
  };
}

/** Loading the TypeScript sources takes a while on a busy 2-core machine. */
const START_MS = 90_000;
const RUNNING = /"msg":"hearth \S+ running"/;

/** Waits for `re` in the output; fails with the output if the child exits first or it takes too long. */
async function seen(child: Child, re: RegExp | string, ms: number): Promise<void> {
  const found = () => (typeof re === 'string' ? child.output().includes(re) : re.test(child.output()));
  try {
    await waitFor(() => {
      if (found()) return true;
      if (!child.running()) throw new Error('the child exited');
      return false;
    }, ms);
  } catch (err) {
    throw new Error(`${String(re)}: ${(err as Error).message}\n--- output ---\n${child.output()}`);
  }
}

async function within<T>(p: Promise<T>, ms: number, what: string, output: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms\n--- output ---\n${output()}`)), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

t.test('an unhandled rejection is logged with its stack and counted; the gateway runs on', async (t) => {
  const { child } = await runDemo(t);
  await seen(child, RUNNING, START_MS);
  child.send('reject');
  await seen(child, 'unhandled promise rejection', 10_000);
  const line = child.output().split('\n').find((l) => l.includes('unhandled promise rejection'))!;
  t.match(line, /test: a promise nobody caught/, 'the reason');
  t.match(line, /run-child\.ts/, 'with its stack');
  t.match(line, /"count":1/, 'counted');
  await new Promise((r) => setTimeout(r, 2000));
  t.ok(child.running(), 'still running 2 s later');
  t.notMatch(child.output(), /"msg":"stopping"/);
  child.signal('SIGTERM');
  t.equal(await within(child.exited, 20_000, 'exit after SIGTERM', child.output), 0);
});

t.test('an uncaught exception stops in order (outputs safe) and exits 1', async (t) => {
  const { child } = await runDemo(t);
  await seen(child, RUNNING, START_MS);
  child.send('throw');
  t.equal(await within(child.exited, 20_000, 'exit after the exception', child.output), 1);
  const out = child.output();
  const fatal = out.split('\n').find((l) => l.includes('"msg":"uncaught exception'));
  t.match(fatal, /test: an exception nobody caught/, 'logged fatal with the exception');
  t.ok(out.indexOf('"msg":"stopping"') < out.indexOf('"msg":"stopped"'), 'the normal stop ran');
});

t.test('the embedded broker port taken: exit 69 at once, naming the port and the key to change', async (t) => {
  const blocker = createServer();
  const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
  t.teardown(() => new Promise((r) => blocker.close(r)));
  const { child } = await runDemo(t, {}, (c) => {
    c.demo.brokerPort = port;
  });
  const code = await within(child.exited, START_MS, 'exit after the failed start', child.output);
  t.equal(code, 69, 'EX_UNAVAILABLE');
  t.match(child.output(), new RegExp(`hearth: port ${port} is in use \\(another MQTT broker\\?\\): stop it, or set demo\\.brokerPort in \\S+hearth\\.yaml`));
  const fatalAt = Date.parse(/"level":"fatal","time":"([^"]+)"/.exec(child.output())![1]!);
  t.ok(Date.now() - fatalAt < 10_000, `exited ${Date.now() - fatalAt} ms after the failure (bound 10 s)`);
});

t.test('SIGTERM during start: start finishes, then the normal stop, exit 0', async (t) => {
  const { child } = await runDemo(t, { HEARTH_TEST_HOLD_START_MS: '2000' });
  await seen(child, 'test: start held', START_MS);
  child.signal('SIGTERM');
  t.equal(await within(child.exited, 30_000, 'exit after SIGTERM during start', child.output), 0);
  t.match(child.output(), /"msg":"stopped"/);
});

t.test('a second signal exits at once, even while the start still hangs', async (t) => {
  const { child } = await runDemo(t, { HEARTH_TEST_HOLD_START_MS: '120000' });
  await seen(child, 'test: start held', START_MS);
  child.signal('SIGINT');
  await seen(child, '"msg":"stopping"', 10_000);
  child.signal('SIGINT');
  const code = await within(child.exited, 5000, 'exit after the second signal', child.output);
  t.not(code, 0, 'not a clean stop');
  t.match(child.output(), /signal while stopping: exiting now/);
});
