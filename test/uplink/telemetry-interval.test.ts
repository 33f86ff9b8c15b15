import t from 'tap';
import { PRIORITY_EVENT, PRIORITY_TELEMETRY, type Batch, type BatchLimits, type OutboxStats, type Priority, type UplinkSource } from '../../src/outbox/types.js';
import { withTelemetryInterval } from '../../src/uplink/telemetry-interval.js';
import { waitFor } from '../helpers/net.js';

/**
 * The telemetry interval in front of the outbox (src/uplink/telemetry-interval.ts): readings wait
 * for the interval, events never do, and while readings are held their commits do not wake the
 * drain (the wake at the interval's end does).
 */

const LIMITS: BatchLimits = { maxReadings: 100, maxBytes: 100_000 };

/** An outbox stand-in: `readings` waiting, one event when `event` is set; commits announced by hand. */
function fakeOutbox() {
  const listeners = new Set<(p: Priority) => void>();
  const state = { readings: 0, event: false, nextId: 1 };
  const source: UplinkSource = {
    nextBatch(limits) {
      if (state.event) {
        state.event = false;
        return { kind: 'event', priority: PRIORITY_EVENT, ids: [state.nextId++], event: {} as never } satisfies Batch;
      }
      if ((limits.maxPriority ?? PRIORITY_TELEMETRY) < PRIORITY_TELEMETRY || state.readings === 0) return undefined;
      const n = state.readings;
      state.readings = 0;
      return { kind: 'telemetry', priority: PRIORITY_TELEMETRY, ids: Array.from({ length: n }, () => state.nextId++), readings: [] };
    },
    delivered: () => undefined,
    release: () => undefined,
    stats: () => ({}) as OutboxStats,
    onCommitted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const commit = (p: Priority): void => {
    for (const l of listeners) l(p);
  };
  return { source, state, commit };
}

t.test('readings committed while the interval holds do not wake the drain; the interval end does; events always do', async (t) => {
  const outbox = fakeOutbox();
  const paced = withTelemetryInterval(outbox.source, 300);
  const wakes: Priority[] = [];
  const off = paced.onCommitted((p) => wakes.push(p));
  t.teardown(off);

  outbox.state.readings = 1;
  outbox.commit(PRIORITY_TELEMETRY);
  t.same(wakes, [PRIORITY_TELEMETRY], 'nothing sent yet: the first reading wakes the drain');
  t.equal(paced.nextBatch(LIMITS)?.kind, 'telemetry', 'and leaves at once');

  // Within the interval: the first commit wakes the drain, which finds the readings held (and the
  // wake at the interval's end armed); the commits after it are not passed on.
  outbox.state.readings++;
  outbox.commit(PRIORITY_TELEMETRY);
  t.same(wakes, [PRIORITY_TELEMETRY, PRIORITY_TELEMETRY], 'the first reading of the hold wakes the drain');
  t.equal(paced.nextBatch(LIMITS), undefined, 'which finds it held');
  for (let i = 0; i < 4; i++) {
    outbox.state.readings++;
    outbox.commit(PRIORITY_TELEMETRY);
  }
  t.equal(wakes.length, 2, 'four more readings during the hold: no wake');

  outbox.state.event = true;
  outbox.commit(PRIORITY_EVENT);
  t.same(wakes.slice(2), [PRIORITY_EVENT], 'an event wakes the drain at once');
  t.equal(paced.nextBatch(LIMITS)?.kind, 'event', 'and is not held');

  await waitFor(() => wakes.length === 4, 5_000);
  t.equal(wakes[3], PRIORITY_TELEMETRY, 'the interval ended: one wake for the held readings');
  const batch = paced.nextBatch(LIMITS);
  t.equal(batch?.kind === 'telemetry' ? batch.ids.length : 0, 5, 'all five leave together');
});
