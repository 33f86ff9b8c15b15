/** A rules engine on a manual clock, with predictable ids and a sink that keeps what it gets. */
import { ManualClock } from '../../src/clock/clock.js';
import type { OfflinePolicy } from '../../src/config/types.js';
import type { GatewayEvent } from '../../src/model/event.js';
import type { PointSpec, ThresholdSpec } from '../../src/model/point.js';
import type { PointValue, Quality, Reading } from '../../src/model/reading.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';

export interface Harness {
  clock: ManualClock;
  engine: RulesEngine;
  events: GatewayEvent[];
  /** Feeds one good (or given-quality) reading of `point` as a successful poll, at the clock's time. */
  feed(point: string, value: PointValue, quality?: Quality): GatewayEvent[];
  /** Advances the clock, then feeds. */
  feedAfter(ms: number, point: string, value: PointValue, quality?: Quality): GatewayEvent[];
}

export const DEVICE = 'rcd-1';

export function harness(
  points: PointSpec[],
  opts: { thresholds?: Record<string, ThresholdSpec>; offline?: OfflinePolicy } = {},
): Harness {
  const clock = new ManualClock();
  const seq = new CounterSequence();
  const events: GatewayEvent[] = [];
  let n = 0;
  const engine = new RulesEngine({
    gatewayId: 'gw-1',
    clock,
    seq,
    newId: () => `ev-${++n}`,
    sink: { event: (e) => events.push(e) },
  });
  engine.addDevice({
    id: DEVICE,
    location: { building: 'B1', floor: '3', room: 'meter room' },
    points,
    thresholds: opts.thresholds ?? {},
    offline: opts.offline ?? { afterPolls: 3, afterMs: 30_000 },
  });
  const units = new Map(points.map((p) => [p.name, p.unit]));
  const feed = (point: string, value: PointValue, quality: Quality = 'good'): GatewayEvent[] => {
    const before = events.length;
    const reading: Reading = {
      gatewayId: 'gw-1',
      deviceId: DEVICE,
      point,
      value,
      quality,
      ts: clock.now(),
      synced: clock.synced(),
      mono: clock.mono(),
      seq: seq.next(),
    };
    const unit = units.get(point);
    if (unit !== undefined) reading.unit = unit;
    engine.pollSucceeded(DEVICE, [reading]);
    return events.slice(before);
  };
  return {
    clock,
    engine,
    events,
    feed,
    feedAfter: (ms, point, value, quality) => {
      clock.advance(ms);
      return feed(point, value, quality);
    },
  };
}
