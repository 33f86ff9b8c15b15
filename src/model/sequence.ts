/** Hands out gateway-wide sequence numbers. Persistence across restarts is the store's job. */
export interface SequenceSource {
  next(): number;
}

/** In-memory sequence for tests and tools; the outbox provides a persistent one. */
export class CounterSequence implements SequenceSource {
  constructor(private last = 0) {}
  next(): number {
    return ++this.last;
  }
}
