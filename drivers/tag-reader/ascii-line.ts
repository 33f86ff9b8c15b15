import { emptyStats, type DecoderStats, type TagDecoder } from './decoder.js';

/**
 * Generic line-based readers (USB keyboard-wedge boxes on a serial port, many 13.56 MHz and
 * barcode-style modules): one tag per text line, CR and/or LF terminated. A regex picks the id out
 * of the line: its first capture group, or the whole match. Lines that do not match are counted as
 * noise; overlong lines (no terminator in sight) are dropped so memory stays bounded.
 */
export const DEFAULT_LINE_PATTERN = '([0-9A-Fa-f]{8,32})';
const MAX_LINE = 256;

export class AsciiLineDecoder implements TagDecoder {
  private readonly re: RegExp;
  private partial = '';
  private overlong = false;
  private readonly counters = emptyStats();

  constructor(pattern: string = DEFAULT_LINE_PATTERN) {
    this.re = new RegExp(pattern);
  }

  push(chunk: Uint8Array): string[] {
    const text = this.partial + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const lines = text.split(/\r\n|\r|\n/);
    this.partial = lines.pop() ?? '';
    const out: string[] = [];
    for (const line of lines) {
      if (this.overlong) {
        // The rest of a line already dropped as overlong.
        this.overlong = false;
        this.counters.noiseBytes += line.length + 1;
        continue;
      }
      this.line(line, out);
    }
    if (this.partial.length > MAX_LINE) {
      this.counters.noiseBytes += this.partial.length;
      this.partial = '';
      this.overlong = true;
    }
    return out;
  }

  stats(): DecoderStats {
    return { ...this.counters };
  }

  private line(raw: string, out: string[]): void {
    const line = raw.trim();
    if (line === '') return;
    const m = this.re.exec(line);
    const id = m?.[1] ?? m?.[0];
    if (id === undefined || id === '') {
      this.counters.noiseBytes += raw.length + 1;
      return;
    }
    this.counters.tags += 1;
    out.push(id.toUpperCase());
  }
}
