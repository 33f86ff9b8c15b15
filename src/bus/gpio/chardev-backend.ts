import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../log/logger.js';
import { silentLogger } from '../../log/logger.js';
import {
  detectToolsVersion,
  getArgs,
  monitorArgs,
  parseEdge,
  parseGpiodetect,
  pickHeaderChip,
  resolveName,
  runTool,
  setArgs,
  type ResolvedLine,
  type ToolEnv,
  type ToolsVersion,
} from './gpiod-tools.js';
import { GpioError, lineText, type Bias, type GpioBackend, type InputLine, type Level, type LineRef, type OutputLine } from './types.js';

/**
 * GPIO over the character device (/dev/gpiochipN) through libgpiod's tools: one `gpiomon` per
 * input (the kernel reports edges, nothing polls) and one `gpioset` per output that holds the
 * level until it is replaced. For Pi 5 images and distributions without sysfs GPIO.
 */

export interface ChardevOptions extends ToolEnv {
  /** Label of the chip carrying the BCM lines; default: the Pi pin controller. */
  chipLabel?: string;
  logger?: Logger;
}

export class ChardevGpioBackend implements GpioBackend {
  readonly kind = 'chardev';
  private readonly children = new Set<ChildProcess>();
  private readonly log: Logger;

  private constructor(
    readonly version: ToolsVersion,
    readonly chip: string | undefined,
    private readonly opts: ChardevOptions,
  ) {
    this.log = opts.logger ?? silentLogger();
  }

  static async open(opts: ChardevOptions = {}): Promise<ChardevGpioBackend> {
    const version = await detectToolsVersion(opts);
    const chips = parseGpiodetect(await runTool('gpiodetect', [], opts));
    // With no header chip, lines can still be used by name; BCM numbers then fail clearly.
    let chip: string | undefined;
    try {
      chip = pickHeaderChip(chips, opts.chipLabel).chip;
    } catch (err) {
      if (opts.chipLabel !== undefined) throw err;
    }
    return new ChardevGpioBackend(version, chip, opts);
  }

  async resolve(line: LineRef): Promise<ResolvedLine> {
    if ('name' in line) return resolveName(this.version, line, this.opts);
    if (this.chip === undefined) throw new GpioError('GPIO_NO_BASE', `${lineText(line)}: no Raspberry Pi pin controller found; name the line or set gpio.chip`);
    return { chip: this.chip, offset: line.bcm };
  }

  async input(line: LineRef, opts: { bias: Bias }, onEdge: (level: Level) => void): Promise<InputLine> {
    const where = await this.resolve(line);
    const first = (await runTool('gpioget', getArgs(this.version, where, opts.bias), this.opts)).trim();
    let level: Level = first === '1' || /=active/.test(first) ? 1 : 0;
    const child = this.spawn('gpiomon', monitorArgs(this.version, where, opts.bias), line);
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const next = parseEdge(this.version, text);
      if (next === undefined) return;
      level = next;
      onEdge(next);
    });
    return { read: async () => level, close: () => this.kill(child) };
  }

  async output(line: LineRef, initial: Level): Promise<OutputLine> {
    const where = await this.resolve(line);
    let holder = this.spawn('gpioset', setArgs(this.version, where, initial), line);
    let chain = Promise.resolve();
    const write = (level: Level): Promise<void> => {
      // gpioset holds a level until it exits: replace the holder, one change at a time.
      chain = chain.then(async () => {
        await this.kill(holder);
        holder = this.spawn('gpioset', setArgs(this.version, where, level), line);
      });
      return chain;
    };
    return { write, close: async () => { await chain; await this.kill(holder); } };
  }

  async close(): Promise<void> {
    await Promise.all([...this.children].map((c) => this.kill(c)));
  }

  private spawn(tool: string, args: string[], line: LineRef): ChildProcess {
    const child = spawn(tool, args, { env: this.opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-500)));
    child.on('error', (err) => this.log.error({ tool, line: lineText(line), err: err.message }, 'GPIO tool failed to start'));
    child.once('exit', (code, signal) => {
      const expected = !this.children.has(child);
      this.children.delete(child);
      if (!expected) this.log.error({ tool, line: lineText(line), code, signal, stderr: stderr.trim() }, 'GPIO tool exited unexpectedly');
    });
    return child;
  }

  private async kill(child: ChildProcess): Promise<void> {
    if (!this.children.delete(child)) return;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}
