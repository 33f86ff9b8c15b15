import type { GatewayEvent } from './model/event.js';
import type { Reading } from './model/reading.js';
import type { Logger } from './log/logger.js';

/** Where the pipeline's typed objects go durably: the outbox. */
export interface DurableStore {
  appendReading(r: Reading): void;
  appendEvent(e: GatewayEvent): void;
}

export type PipelineRecord = { type: 'reading'; reading: Reading } | { type: 'event'; event: GatewayEvent };
export type PipelineListener = (record: PipelineRecord) => void;

/**
 * The end of the local pipeline: every reading and event goes into the outbox before anything is
 * sent. Events are also logged, alarms loudly, so an installer watching the journal sees them
 * whether or not the platform is reachable. A storage failure is not swallowed here: it reaches
 * the device runtime's onError, and the daemon exits (systemd restarts it).
 */
export class PipelineSink {
  private readonly listeners = new Set<PipelineListener>();

  constructor(
    private readonly store: DurableStore,
    private readonly logger: Logger,
  ) {}

  /**
   * Observers of what was stored (the API's live feed, metrics, recent events). Called after the
   * outbox accepted the record; a listener that throws is logged and never affects the pipeline.
   */
  listen(listener: PipelineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reading(r: Reading): void {
    this.store.appendReading(r);
    this.notify({ type: 'reading', reading: r });
  }

  event(e: GatewayEvent): void {
    this.store.appendEvent(e);
    this.notify({ type: 'event', event: e });
    const where = [e.location.building, e.location.floor && `floor ${e.location.floor}`, e.location.room].filter(Boolean).join(' / ');
    const fields = { event: e.kind, severity: e.severity, device: e.deviceId, point: e.point, where, id: e.id };
    if (e.kind === 'alarm') this.logger.warn(fields, `ALARM ${e.message}`);
    else if (e.kind === 'restore' || e.kind === 'online') this.logger.info(fields, `restored: ${e.message}`);
    else if (e.severity === 'info') this.logger.info(fields, e.message); // e.g. a registered tag passing a reader
    else this.logger.warn(fields, e.message);
  }

  private notify(record: PipelineRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (err) {
        this.logger.error({ err }, 'pipeline listener failed');
      }
    }
  }
}
