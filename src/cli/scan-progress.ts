import type { ScanProgress } from '../bus/modbus/scan.js';

/**
 * Progress of a scan on stderr, wherever it runs. On a terminal one line rewritten in place; in a
 * pipe, over ssh into a log, or under a phone's terminal app that is no TTY, a line when a baud rate
 * starts and every `every` addresses, so a minute-long scan never looks hung.
 */
export function scanProgressReporter(opts: {
  out: NodeJS.WriteStream;
  from: number;
  to: number;
  timeoutMs: number;
  every?: number;
}): { progress(p: ScanProgress): void; rateStarts(rate: number | undefined): void; end(): void } {
  const { out, from, to, timeoutMs } = opts;
  const tty = out.isTTY === true;
  const every = opts.every ?? 25;
  const perRate = to - from + 1;
  let inRate = 0;
  let wroteInPlace = false;
  const at = (rate: number | undefined) => (rate !== undefined ? ` at ${rate} baud` : '');
  return {
    rateStarts(rate) {
      inRate = 0;
      if (wroteInPlace) out.write('\n');
      wroteInPlace = false;
      const most = Math.ceil((perRate * timeoutMs) / 1000);
      out.write(`scanning units ${from}-${to}${at(rate)} (${perRate} addresses, at most ${most} s)\n`);
    },
    progress(p) {
      inRate += 1;
      if (tty) {
        out.write(`\r  ${inRate}/${perRate}${at(p.baudRate)}, found ${p.found}   `);
        wroteInPlace = true;
      } else if (inRate % every === 0 && inRate < perRate) {
        out.write(`  ${inRate}/${perRate}${at(p.baudRate)}, found ${p.found}\n`);
      }
    },
    end() {
      if (wroteInPlace) out.write('\n');
      wroteInPlace = false;
    },
  };
}
