import type { ComponentLogger as Logger } from '../log/component-logger.js';

/**
 * In-process notifications between the gateway's parts, typed by topic. Delivery is synchronous
 * and in subscription order; a listener that throws is logged and skipped, never the emitter's
 * problem: the console, metrics and live feeds observe the alarm path, they cannot break it.
 */
export class EventBus<Topics extends object> {
  private readonly listeners = new Map<keyof Topics, Set<(payload: never) => void>>();

  constructor(private readonly logger: Logger) {}

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Topics>(topic: K, listener: (payload: Topics[K]) => void): () => void {
    let set = this.listeners.get(topic);
    if (set === undefined) this.listeners.set(topic, (set = new Set()));
    const l = listener as (payload: never) => void;
    set.add(l);
    return () => set.delete(l);
  }

  emit<K extends keyof Topics>(topic: K, payload: Topics[K]): void {
    const set = this.listeners.get(topic);
    if (set === undefined) return;
    for (const l of set) {
      try {
        (l as (p: Topics[K]) => void)(payload);
      } catch (err) {
        this.logger.error({ err, topic: String(topic) }, 'event bus listener failed');
      }
    }
  }

  /** Number of listeners on a topic (tests, leak checks). */
  count(topic: keyof Topics): number {
    return this.listeners.get(topic)?.size ?? 0;
  }
}
