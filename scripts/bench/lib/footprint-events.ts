import { eventsIn, isEventTopic } from '../../../test/helpers/platform-events.js';
import type { CountingSlave } from './footprint-slave.js';

/** One alarm or restore of a bench unit as the subscriber received it. */
interface Arrival {
  /** performance.now() at the subscriber. */
  at: number;
  /** The event's own time (wall clock, ms): which change of the unit's alarm bit it stands for. */
  ts: number;
}

/** How far an event's time may be from the serve of the change it reports (the alarm bit changes every 20 s). */
const MATCH_MS = 3000;

export interface EventFigures {
  /** serve→publish of every alarm bit change served in the window that was delivered. */
  latencies: number[];
  /** Changes of the alarm bit served in the loss window. */
  changes: number;
  /** Of those, changes no event ever reported. */
  lost: number;
}

/**
 * The footprint bench's events side: the gateway's fire alarms and restores of the bench units'
 * alarm bit (footprint-slave.ts), received in whatever native layout (compact by default), and
 * matched to the read that first served each change. A change is matched to the event of the same
 * unit and kind whose own time is closest to the serve (within MATCH_MS), so events delivered late
 * (after an outage) are still matched to the right change.
 */
export class EventArrivals {
  private readonly byUnitKind = new Map<string, Arrival[]>();
  private readonly seen = new Set<string>();

  /**
   * Notes the events in a message and returns the ids of all of them (for the receipt a receiving
   * centre sends); undefined if the topic is not an event topic.
   */
  note(topic: string, payload: Buffer, at: number): string[] | undefined {
    if (!isEventTopic(topic)) return undefined;
    const events = eventsIn(topic, payload);
    for (const e of events) {
      if (e.pt !== 'alarm' || typeof e.dev !== 'string' || this.seen.has(String(e.id))) continue;
      this.seen.add(String(e.id));
      const key = `${e.dev.slice(1)}:${String(e.kind)}`;
      const list = this.byUnitKind.get(key) ?? [];
      list.push({ at, ts: Number(e.ts) });
      this.byUnitKind.set(key, list);
    }
    return events.map((e) => String(e.id));
  }

  clear(): void {
    this.byUnitKind.clear();
    this.seen.clear();
  }

  /** Any event at all (a contender that raises none, the bare loop, has no event figures). */
  any(): boolean {
    return this.byUnitKind.size > 0;
  }

  /**
   * Latency of the changes served in [from, to]; losses among those served in [from, lostTo]
   * (performance.now() of the bench process).
   */
  figures(slave: CountingSlave, units: number, w: { from: number; to: number; lostTo: number }): EventFigures {
    const out: EventFigures = { latencies: [], changes: 0, lost: 0 };
    for (let unit = 1; unit <= units; unit++) {
      const times = slave.served(unit);
      const bits = slave.alarms(unit);
      for (let seq = 2; seq < times.length; seq++) {
        const at = times[seq]!;
        if (at < w.from || at > w.lostTo) continue;
        const now = bits[seq]!;
        if (now === bits[seq - 1]) continue;
        out.changes++;
        const got = this.closest(`${unit}:${now ? 'alarm' : 'restore'}`, performance.timeOrigin + at);
        if (got === undefined) out.lost++;
        else if (at <= w.to) out.latencies.push(got.at - at);
      }
    }
    return out;
  }

  private closest(key: string, wall: number): Arrival | undefined {
    let best: Arrival | undefined;
    for (const a of this.byUnitKind.get(key) ?? []) {
      const d = Math.abs(a.ts - wall);
      if (d <= MATCH_MS && (best === undefined || d < Math.abs(best.ts - wall))) best = a;
    }
    return best;
  }
}
