/** A part of the gateway with an ordered start and stop (the daemon's start order: src/daemon.ts). */
export interface Component {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  /**
   * Convenience parts (console, remote management, the uplink's set-up, demo reporting): if one
   * fails to start, the gateway runs on without it and raises a fault. Detection, the alarm desk
   * and local outputs never depend on them.
   */
  optional?: boolean;
}
