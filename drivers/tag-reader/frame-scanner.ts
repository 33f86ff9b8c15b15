import { emptyStats, joinPending, type DecoderStats, type TagDecoder } from './decoder.js';

/** What a framing finds at a start byte. `length` is the whole frame, start byte included. */
export type FrameAt =
  | { kind: 'incomplete' }
  | { kind: 'noise' }
  | { kind: 'checksum'; length: number }
  | { kind: 'other'; length: number }
  | { kind: 'tag'; id: string; length: number };

/**
 * The resynchronizing scan binary reader framings share: skip to the start byte, let the framing
 * judge the frame there, keep an incomplete tail for the next push. Something that only looks like
 * a start byte skips one byte, since a real frame may begin inside it; a frame with a bad checksum
 * is dropped whole.
 */
export class FrameScanner implements TagDecoder {
  private pending: Buffer | undefined;
  private readonly counters = emptyStats();

  constructor(
    private readonly startByte: number,
    private readonly frameAt: (buf: Buffer, at: number) => FrameAt,
  ) {}

  push(chunk: Uint8Array): string[] {
    const buf = joinPending(this.pending, chunk);
    const out: string[] = [];
    let i = 0;
    while (i < buf.length) {
      if (buf[i] !== this.startByte) {
        this.counters.noiseBytes += 1;
        i += 1;
        continue;
      }
      const frame = this.frameAt(buf, i);
      if (frame.kind === 'incomplete') break;
      if (frame.kind === 'noise') {
        this.counters.noiseBytes += 1;
        i += 1;
        continue;
      }
      if (frame.kind === 'checksum') this.counters.badChecksum += 1;
      else if (frame.kind === 'other') this.counters.other += 1;
      else {
        this.counters.tags += 1;
        out.push(frame.id);
      }
      i += frame.length;
    }
    this.pending = i < buf.length ? Buffer.from(buf.subarray(i)) : undefined;
    return out;
  }

  stats(): DecoderStats {
    return { ...this.counters };
  }
}
