import { execFile } from 'node:child_process';
import { GpioError, lineText, type Bias, type LineRef } from './types.js';

/**
 * libgpiod's command-line tools (Debian package `gpiod`) as the character-device backend's way to
 * the kernel, so no native binding is needed. Their syntax changed between v1 (Debian bookworm,
 * 1.6.x) and v2 (Debian trixie, 2.x): the version is detected once and every command line is built
 * here, in one place, per version.
 */

export type ToolsVersion = 1 | 2;

export interface ToolEnv {
  /** Environment for the tools (tests put fake tools first on PATH). */
  env?: NodeJS.ProcessEnv;
}

/** A line resolved to a chip and an offset (v1), or left as a name for the tools to resolve (v2). */
export interface ResolvedLine {
  chip?: string;
  offset?: number;
  name?: string;
}

export function runTool(tool: string, args: string[], opts: ToolEnv = {}, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { env: opts.env ?? process.env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? `${tool} not found: install the gpiod package (apt install gpiod)` : `${tool} ${args.join(' ')}: ${String(stderr).trim() || err.message}`;
        reject(new GpioError(code === 'ENOENT' ? 'GPIO_UNAVAILABLE' : 'GPIO_TOOL_FAILED', why, { cause: err }));
      } else resolve(String(stdout));
    });
  });
}

/** `gpioset (libgpiod) v1.6.3` → 1; `gpioset (libgpiod) v2.1` → 2. */
export function parseToolsVersion(text: string): ToolsVersion {
  const m = /v(\d+)\.\d+/.exec(text);
  if (!m) throw new GpioError('GPIO_TOOL_FAILED', `cannot read the libgpiod version from "${text.trim()}"`);
  return Number(m[1]) >= 2 ? 2 : 1;
}

export async function detectToolsVersion(opts: ToolEnv = {}): Promise<ToolsVersion> {
  return parseToolsVersion(await runTool('gpioset', ['--version'], opts));
}

export interface ChipInfo {
  chip: string;
  label: string;
  lines: number;
}

/** `gpiodetect` output (same in v1 and v2): `gpiochip0 [pinctrl-bcm2711] (58 lines)`. */
export function parseGpiodetect(text: string): ChipInfo[] {
  const chips: ChipInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+\[([^\]]*)\]\s+\((\d+) lines?\)/.exec(line.trim());
    if (m) chips.push({ chip: m[1]!, label: m[2]!, lines: Number(m[3]) });
  }
  return chips;
}

const HEADER_LABELS = [/^pinctrl-bcm2835$/, /^pinctrl-bcm2711$/, /^pinctrl-bcm2712$/, /^pinctrl-rp1$/];

/** The chip with the BCM-numbered header lines, as for sysfs: by label, else the only chip. */
export function pickHeaderChip(chips: readonly ChipInfo[], label?: string): ChipInfo {
  const found = label !== undefined ? chips.find((c) => c.label === label) : HEADER_LABELS.map((re) => chips.find((c) => re.test(c.label))).find(Boolean);
  const chip = found ?? (label === undefined && chips.length === 1 ? chips[0] : undefined);
  if (!chip) {
    const seen = chips.map((c) => `${c.chip} "${c.label}"`).join(', ') || 'none';
    throw new GpioError('GPIO_NO_BASE', `cannot tell which GPIO chip carries the BCM lines (chips: ${seen}): set gpio.chip to its label`);
  }
  return chip;
}

function biasArgs(version: ToolsVersion, bias: Bias): string[] {
  if (bias === 'as-is') return [];
  return version === 1 ? [`--bias=${bias}`] : ['-b', bias];
}

/** Where a line is, as the tools' arguments: `chip offset` (v1), `-c chip offset` or `NAME` (v2). */
function lineArgs(version: ToolsVersion, line: ResolvedLine): string[] {
  if (line.chip !== undefined && line.offset !== undefined) return version === 1 ? [line.chip, String(line.offset)] : ['-c', line.chip, String(line.offset)];
  if (line.name !== undefined && version === 2) return [line.name];
  throw new GpioError('GPIO_LINE_UNKNOWN', `line ${line.name ?? '?'} was not resolved to a chip and offset`);
}

export function getArgs(version: ToolsVersion, line: ResolvedLine, bias: Bias): string[] {
  return version === 1 ? [...biasArgs(1, bias), ...lineArgs(1, line)] : ['--numeric', ...biasArgs(2, bias), ...lineArgs(2, line)];
}

/** Monitor both edges; one output line per event: `<offset-or-name> <edge>`. */
export function monitorArgs(version: ToolsVersion, line: ResolvedLine, bias: Bias): string[] {
  // v1 block-buffers stdout into a pipe unless told to flush per line (-b); v2 flushes per event.
  return version === 1 ? ['-b', ...biasArgs(1, bias), '-F', '%o %e', ...lineArgs(1, line)] : ['-e', 'both', ...biasArgs(2, bias), '-F', '%o %e', ...lineArgs(2, line)];
}

/** Drive a line and hold it until the process is signalled. */
export function setArgs(version: ToolsVersion, line: ResolvedLine, level: 0 | 1): string[] {
  const where = lineArgs(version, line);
  const last = where.pop()!;
  return version === 1 ? ['--mode=signal', ...where, `${last}=${level}`] : [...where, `${last}=${level}`];
}

/** Edge field of a monitor line → level after the edge. v1: 1 rising, 0 falling; v2: 1 rising, 2 falling. */
export function parseEdge(version: ToolsVersion, text: string): 0 | 1 | undefined {
  const field = text.trim().split(/\s+/).pop();
  if (field === '1' || field === 'RISING' || field === 'rising') return 1;
  if ((version === 1 && field === '0') || (version === 2 && field === '2') || field === 'FALLING' || field === 'falling') return 0;
  return undefined;
}

/** v1 has no name lookup in gpioset/gpiomon: `gpiofind NAME` → `gpiochip0 17`. */
export async function resolveName(version: ToolsVersion, line: LineRef & { name: string }, opts: ToolEnv): Promise<ResolvedLine> {
  if (version === 2) return { name: line.name };
  const out = await runTool('gpiofind', [line.name], opts).catch((err: unknown) => {
    throw new GpioError('GPIO_LINE_UNKNOWN', `${lineText(line)} not found on any GPIO chip`, { cause: err });
  });
  const [chip, offset] = out.trim().split(/\s+/);
  if (!chip || offset === undefined) throw new GpioError('GPIO_LINE_UNKNOWN', `${lineText(line)} not found on any GPIO chip`);
  return { chip, offset: Number(offset), name: line.name };
}
