import { spawn } from 'node:child_process';

/**
 * Starts `node childJs outboxPath`, kills it with SIGKILL after `killAfterMs`, and returns the
 * event ids the child reported committed (written to its stdout only after appendEvent returned).
 */
export async function runAndKill(childJs: string, path: string, killAfterMs: number, fromReady = true): Promise<string[]> {
  const child = spawn(process.execPath, [childJs, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  };
  // Either counted from the child's "ready" (ingest under way) or from the spawn (may hit start-up).
  if (!fromReady) arm();
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) arm();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const { code, signal } = await exited;
  clearTimeout(timer);
  // Let the pipe deliver what the child wrote before it died.
  await new Promise<void>((resolve) => (child.stdout.readableEnded ? resolve() : child.stdout.once('close', () => resolve())));
  if (signal !== 'SIGKILL') throw new Error(`child ended by itself (code ${code}): ${err.slice(-2000)}`);
  // Only complete lines: a line cut by the kill was not fully reported.
  return [...out.matchAll(/^committed (\S+)\n/gm)].map((m) => m[1]!);
}
