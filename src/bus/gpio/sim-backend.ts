import { GpioError, lineText, type GpioBackend, type GpioErrorCode, type InputLine, type InputOptions, type Level, type LineHealth, type LineRef, type OutputLine, type OutputOptions } from './types.js';

/**
 * A GPIO simulator behind the same interface as the real backends, plus controls for tests and
 * the demo: `set()` changes an input's level and reports the edge at once (like the kernel does),
 * `level()` and `history()` show what outputs were driven to. Unused lines float at `idle`.
 *
 * Failures, as the real backends report them: `failLine()` is a dead gpiomon/gpioset (health
 * `ok: false`, no edges, writes rejected, new requests refused) until `recoverLine()`, which
 * reports an input's level change as an edge and the line healthy again. `failWrites()` makes an
 * output's writes reject without a health report, like a sysfs write error.
 */
interface Failure {
  code: GpioErrorCode;
  message: string;
  /** An input's level when it failed, to report a change on recovery. */
  level?: Level;
}

export class SimGpioBackend implements GpioBackend {
  readonly kind = 'sim';
  private readonly levels = new Map<string, Level>();
  private readonly watchers = new Map<string, (level: Level) => void>();
  private readonly health = new Map<string, (health: LineHealth) => void>();
  private readonly outputs = new Map<string, { level: Level; at: number }[]>();
  private readonly claimed = new Set<string>();
  private readonly failed = new Map<string, Failure>();
  private readonly failingWrites = new Map<string, Failure>();

  constructor(private readonly idle: Level = 1) {}

  async input(line: LineRef, opts: InputOptions, onEdge: (level: Level) => void): Promise<InputLine> {
    const key = this.claim(line);
    if (!this.levels.has(key)) this.levels.set(key, opts.bias === 'pull-down' ? 0 : this.idle);
    this.watchers.set(key, onEdge);
    if (opts.onHealth) this.health.set(key, opts.onHealth);
    return {
      read: async () => {
        const f = this.failed.get(key);
        if (f) throw new GpioError(f.code, f.message);
        return this.levels.get(key)!;
      },
      close: async () => this.release(key),
    };
  }

  async output(line: LineRef, initial: Level, opts: OutputOptions = {}): Promise<OutputLine> {
    const key = this.claim(line);
    this.drive(key, initial);
    if (opts.onHealth) this.health.set(key, opts.onHealth);
    return {
      write: async (level) => {
        if (!this.claimed.has(key)) throw new GpioError('GPIO_UNAVAILABLE', `${lineText(line)} is released`);
        const f = this.failed.get(key) ?? this.failingWrites.get(key);
        if (f) throw new GpioError(f.code, f.message);
        this.drive(key, level);
      },
      // A released output keeps its last level, as real hardware does.
      close: async () => this.release(key),
    };
  }

  async close(): Promise<void> {
    for (const key of [...this.claimed]) this.release(key);
  }

  /** Test/demo control: the physical level of an input changes (an edge if it differs). */
  set(line: LineRef, level: Level): void {
    const key = keyOf(line);
    const before = this.levels.get(key);
    this.levels.set(key, level);
    // A failed line reports nothing: nobody is watching it.
    if (before !== level && !this.failed.has(key)) this.watchers.get(key)?.(level);
  }

  /** Test control: the line stops working (a dead gpiomon/gpioset); requests of it are refused. */
  failLine(line: LineRef, code: GpioErrorCode = 'GPIO_TOOL_FAILED', message = `${lineText(line)} failed (simulated)`): void {
    const key = keyOf(line);
    if (this.failed.has(key)) return;
    const f: Failure = { code, message };
    const level = this.levels.get(key);
    if (level !== undefined) f.level = level;
    this.failed.set(key, f);
    this.health.get(key)?.({ ok: false, code, message });
  }

  /** Test control: the line works again; an input whose level changed meanwhile reports the edge. */
  recoverLine(line: LineRef): void {
    const key = keyOf(line);
    const f = this.failed.get(key);
    if (f === undefined) return;
    this.failed.delete(key);
    const level = this.levels.get(key);
    if (level !== undefined && f.level !== undefined && level !== f.level) this.watchers.get(key)?.(level);
    this.health.get(key)?.({ ok: true });
  }

  /** Test control: an output's writes reject (no health report), until `recoverWrites()`. */
  failWrites(line: LineRef, message = `${lineText(line)}: write failed: EIO (simulated)`): void {
    this.failingWrites.set(keyOf(line), { code: 'GPIO_IO_FAILED', message });
  }

  recoverWrites(line: LineRef): void {
    this.failingWrites.delete(keyOf(line));
  }

  /** Level an output was last driven to (or an input's level). */
  level(line: LineRef): Level | undefined {
    return this.levels.get(keyOf(line));
  }

  history(line: LineRef): readonly { level: Level; at: number }[] {
    return this.outputs.get(keyOf(line)) ?? [];
  }

  isClaimed(line: LineRef): boolean {
    return this.claimed.has(keyOf(line));
  }

  private drive(key: string, level: Level): void {
    this.levels.set(key, level);
    const h = this.outputs.get(key) ?? [];
    h.push({ level, at: performance.now() });
    if (h.length > 1000) h.shift();
    this.outputs.set(key, h);
  }

  private claim(line: LineRef): string {
    const key = keyOf(line);
    const f = this.failed.get(key);
    if (f) throw new GpioError(f.code, f.message);
    if (this.claimed.has(key)) throw new GpioError('GPIO_BUSY', `${lineText(line)} is already in use`);
    this.claimed.add(key);
    return key;
  }

  private release(key: string): void {
    this.claimed.delete(key);
    this.watchers.delete(key);
    this.health.delete(key);
  }
}

function keyOf(line: LineRef): string {
  return 'bcm' in line ? `bcm:${line.bcm}` : `name:${line.name}`;
}
