import { START_BYTE } from './constants.js';
import { frameAt, type DecodedFrame, type FrameOptions } from './frame.js';

/** What a FrameReader has seen since it was made. */
export interface FrameReaderStats {
  /** Whole frames delivered. */
  frames: number;
  /** A start, a plausible length and an end marker, but the checksum did not match (§6.5.3). */
  checksumErrors: number;
  /** A start marker followed by a length field above 1024 (§6.5.3 "length exceeds the limit"). */
  lengthErrors: number;
  /** No end marker '##' where the length field puts it (§6.5.3). */
  endMarkerErrors: number;
  /** Bytes that were not part of a delivered frame (noise, broken frames), counted as skipped. */
  garbageBytes: number;
  /** Delivered frames whose send-time tag is not a time (their `time` is undefined). */
  badTimeTags: number;
}

const START_MARKER = Buffer.from([START_BYTE, START_BYTE]);

/**
 * Cuts a TCP byte stream into frames: several frames in one read, a frame across reads, noise
 * between them. It never throws; whatever cannot be a frame is skipped and counted. A candidate that
 * fails (bad length, end marker or checksum) is skipped one byte only, since a real frame may start
 * inside it. A whole valid frame that starts inside a candidate wins over it, whether the candidate
 * is complete or still waits for bytes: noise that happens to look like a frame start must neither
 * swallow a real frame nor hold it back until more bytes happen to come (the peer may be waiting for
 * the answer to exactly that frame). GB/T 26875.3 data never carries a whole frame inside a frame.
 * What is kept between pushes is always less than one longest frame (1054 bytes).
 */
export class FrameReader {
  private pending: Buffer | undefined;
  private readonly counts: FrameReaderStats = { frames: 0, checksumErrors: 0, lengthErrors: 0, endMarkerErrors: 0, garbageBytes: 0, badTimeTags: 0 };

  constructor(private readonly options: FrameOptions = {}) {}

  push(chunk: Uint8Array): DecodedFrame[] {
    const buf = this.pending === undefined ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length) : Buffer.concat([this.pending, chunk]);
    const out: DecodedFrame[] = [];
    let i = 0;
    while (i < buf.length) {
      const start = buf.indexOf(START_MARKER, i);
      if (start < 0) {
        // A last '@' may be the first half of a start marker.
        const keep = buf[buf.length - 1] === START_BYTE ? buf.length - 1 : buf.length;
        this.counts.garbageBytes += keep - i;
        i = keep;
        break;
      }
      this.counts.garbageBytes += start - i;
      i = start;
      const found = frameAt(buf, start, this.options);
      if (found.kind === 'frame' || found.kind === 'incomplete') {
        // A whole frame starting inside this one wins (see above); with none, a frame is delivered
        // and an incomplete one waits for more bytes.
        const inner = this.wholeFrameAfter(buf, start + 1, found.kind === 'frame' ? start + found.frame.length : buf.length);
        if (inner >= 0) {
          this.counts.garbageBytes += inner - start;
          i = inner;
        } else if (found.kind === 'frame') {
          this.deliver(found.frame, out);
          i = start + found.frame.length;
        } else break;
      } else {
        if (found.kind === 'length') this.counts.lengthErrors += 1;
        else if (found.kind === 'end') this.counts.endMarkerErrors += 1;
        else this.counts.checksumErrors += 1;
        this.counts.garbageBytes += 1;
        i = start + 1;
      }
    }
    // A copy: the caller may reuse its chunk's memory.
    this.pending = i < buf.length ? Buffer.from(buf.subarray(i)) : undefined;
    return out;
  }

  stats(): FrameReaderStats {
    return { ...this.counts };
  }

  /** Bytes held for the next push (the start of a frame not complete yet). */
  buffered(): number {
    return this.pending?.length ?? 0;
  }

  /** Forgets a partial frame: a new connection starts a new stream. */
  reset(): void {
    this.pending = undefined;
  }

  private deliver(frame: DecodedFrame, out: DecodedFrame[]): void {
    this.counts.frames += 1;
    if (frame.time === undefined) this.counts.badTimeTags += 1;
    out.push(frame);
  }

  /** Where the first whole valid frame starting in [from, before) starts, or -1. */
  private wholeFrameAfter(buf: Buffer, from: number, before: number): number {
    for (let at = buf.indexOf(START_MARKER, from); at >= 0 && at < before; at = buf.indexOf(START_MARKER, at + 1)) {
      if (frameAt(buf, at, this.options).kind === 'frame') return at;
    }
    return -1;
  }
}
