/**
 * A byte link to the field: a serial port or a TCP socket. The transaction handler (master.ts)
 * talks to this interface only; the reconnecting implementation is in reconnecting-link.ts and
 * the ways of opening a channel are in serial-channel.ts and tcp-channel.ts.
 */
export interface ByteLink {
  readonly connected: boolean;
  /** Successful re-establishments after a loss (the first connection does not count). */
  readonly reconnects: number;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Throws LinkDownError when there is no channel. */
  write(data: Buffer): void;
  attach(handlers: LinkHandlers): void;
}

export interface LinkHandlers {
  data(chunk: Buffer): void;
  /** The channel went away; the link is already trying to get it back. */
  down(err?: Error): void;
  up(): void;
}

/** One open port or socket. */
export interface Channel {
  write(data: Buffer): void;
  /** Resolves once the port/socket is released. */
  close(): Promise<void>;
}

export interface ChannelEvents {
  data(chunk: Buffer): void;
  closed(err?: Error): void;
}

/** Opens one channel; rejects if it cannot. Must not call `closed` before resolving. */
export type Connector = (events: ChannelEvents) => Promise<Channel>;

export interface ReconnectPolicy {
  minMs: number;
  maxMs: number;
}
