import { GpioError, lineText, type GpioBackend, type InputLine, type Level, type LineRef, type OutputLine } from './types.js';

/**
 * A GPIO simulator behind the same interface as the real backends, plus controls for tests and
 * the demo: `set()` changes an input's level and reports the edge at once (like the kernel does),
 * `level()` and `history()` show what outputs were driven to. Unused lines float at `idle`.
 */
export class SimGpioBackend implements GpioBackend {
  readonly kind = 'sim';
  private readonly levels = new Map<string, Level>();
  private readonly watchers = new Map<string, (level: Level) => void>();
  private readonly outputs = new Map<string, { level: Level; at: number }[]>();
  private readonly claimed = new Set<string>();

  constructor(private readonly idle: Level = 1) {}

  async input(line: LineRef, opts: { bias: string }, onEdge: (level: Level) => void): Promise<InputLine> {
    const key = this.claim(line);
    if (!this.levels.has(key)) this.levels.set(key, opts.bias === 'pull-down' ? 0 : this.idle);
    this.watchers.set(key, onEdge);
    return {
      read: async () => this.levels.get(key)!,
      close: async () => this.release(key),
    };
  }

  async output(line: LineRef, initial: Level): Promise<OutputLine> {
    const key = this.claim(line);
    this.drive(key, initial);
    return {
      write: async (level) => {
        if (!this.claimed.has(key)) throw new GpioError('GPIO_UNAVAILABLE', `${lineText(line)} is released`);
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
    if (before !== level) this.watchers.get(key)?.(level);
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
    if (this.claimed.has(key)) throw new GpioError('GPIO_BUSY', `${lineText(line)} is already in use`);
    this.claimed.add(key);
    return key;
  }

  private release(key: string): void {
    this.claimed.delete(key);
    this.watchers.delete(key);
  }
}

function keyOf(line: LineRef): string {
  return 'bcm' in line ? `bcm:${line.bcm}` : `name:${line.name}`;
}
