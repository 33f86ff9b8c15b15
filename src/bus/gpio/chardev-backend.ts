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
import { DEFAULT_RESTART, SupervisedTool, type RestartPolicy, type SupervisedToolOptions } from './tool-supervisor.js';
import { GpioError, lineText, type GpioBackend, type InputLine, type InputOptions, type Level, type LineRef, type OutputLine, type OutputOptions } from './types.js';

/**
 * GPIO over the character device (/dev/gpiochipN) through libgpiod's tools: one `gpiomon` per
 * input (the kernel reports edges, nothing polls) and one `gpioset` per output that holds the
 * level until it is replaced. For Pi 5 images and distributions without sysfs GPIO. A tool that
 * dies is reported through the line's health and restarted with backoff (tool-supervisor.ts).
 */

export interface ChardevOptions extends ToolEnv {
  /** Label of the chip carrying the BCM lines; default: the Pi pin controller. */
  chipLabel?: string;
  logger?: Logger;
  /** How a dead gpiomon/gpioset is restarted; tests shorten it. */
  restart?: Partial<RestartPolicy>;
}

export class ChardevGpioBackend implements GpioBackend {
  readonly kind = 'chardev';
  private readonly tools = new Set<SupervisedTool>();
  private readonly log: Logger;
  private readonly policy: RestartPolicy;

  private constructor(
    readonly version: ToolsVersion,
    readonly chip: string | undefined,
    private readonly opts: ChardevOptions,
  ) {
    this.log = opts.logger ?? silentLogger();
    this.policy = { ...DEFAULT_RESTART, ...opts.restart };
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

  async input(line: LineRef, opts: InputOptions, onEdge: (level: Level) => void): Promise<InputLine> {
    const where = await this.resolve(line);
    // gpioget cannot read a line gpiomon holds: the level is read before each (re)start of the
    // monitor. An edge in the few milliseconds between the two is the one thing that can be missed.
    const get = async (): Promise<Level> => {
      const text = (await runTool('gpioget', getArgs(this.version, where, opts.bias), this.opts)).trim();
      return text === '1' || /=active/.test(text) ? 1 : 0;
    };
    let level = await get();
    const args = monitorArgs(this.version, where, opts.bias);
    const monitor = this.supervise({
      tool: 'gpiomon',
      line,
      onLine: (text) => {
        const next = parseEdge(this.version, text);
        if (next === undefined) return;
        level = next;
        onEdge(next);
      },
      respawnArgs: async () => {
        // What happened while nothing watched: a changed level is reported as the edge it was.
        const now = await get();
        if (now !== level) {
          level = now;
          onEdge(now);
        }
        return args;
      },
      ...(opts.onHealth ? { onHealth: opts.onHealth } : {}),
    });
    monitor.start(args);
    return { read: async () => level, close: () => this.release(monitor) };
  }

  async output(line: LineRef, initial: Level, opts: OutputOptions = {}): Promise<OutputLine> {
    const where = await this.resolve(line);
    /** The level the line must have: a respawned gpioset holds it. */
    let wanted = initial;
    /** The level the running gpioset was started with. */
    let held = initial;
    const holder = this.supervise({
      tool: 'gpioset',
      line,
      respawnArgs: async () => {
        held = wanted;
        return setArgs(this.version, where, wanted);
      },
      ...(opts.onHealth ? { onHealth: opts.onHealth } : {}),
    });
    holder.start(setArgs(this.version, where, initial));
    let chain: Promise<void> = Promise.resolve();
    const write = (level: Level): Promise<void> => {
      // gpioset holds a level until it exits: replace the holder, one change at a time.
      const run = chain.then(async () => {
        wanted = level;
        if (holder.state === 'closed') throw new GpioError('GPIO_UNAVAILABLE', `${lineText(line)} is released`);
        if (holder.state !== 'up') {
          throw new GpioError('GPIO_TOOL_FAILED', `${lineText(line)}: gpioset is not running; it is being restarted and will hold level ${level}`);
        }
        if (held === level) return;
        held = level;
        await holder.replace(setArgs(this.version, where, level));
      });
      chain = run.catch(() => {});
      return run;
    };
    return { write, close: async () => { await chain; await this.release(holder); } };
  }

  async close(): Promise<void> {
    await Promise.all([...this.tools].map((t) => this.release(t)));
  }

  private supervise(o: Omit<SupervisedToolOptions, 'env' | 'logger' | 'policy'>): SupervisedTool {
    const tool = new SupervisedTool({ ...o, env: this.opts.env ?? process.env, logger: this.log, policy: this.policy });
    this.tools.add(tool);
    return tool;
  }

  private async release(tool: SupervisedTool): Promise<void> {
    this.tools.delete(tool);
    await tool.close();
  }
}
