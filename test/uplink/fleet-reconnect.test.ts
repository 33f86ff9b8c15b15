import t from 'tap';
import { MAX_CONNECTS_PER_WINDOW, MAX_CONNECTS_PER_WINDOW_FIRE, ReconnectSchedule } from '../../src/uplink/reconnect.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A schedule whose attempts are recorded, never made; `random` pins the draw. */
function schedule(opts: { random: () => number; eventsWaiting?: () => boolean; fireAlarmWaiting?: () => boolean; minMs?: number; maxMs?: number }) {
  const s = new ReconnectSchedule({
    minMs: opts.minMs ?? 1000,
    maxMs: opts.maxMs ?? 60_000,
    urgentMaxMs: 3000,
    random: opts.random,
    eventsWaiting: opts.eventsWaiting ?? (() => false),
    ...(opts.fireAlarmWaiting ? { fireAlarmWaiting: opts.fireAlarmWaiting } : {}),
    attempt: () => undefined,
    logger: quiet,
  });
  t.teardown(() => s.cancel());
  return s;
}

t.test('after a lost connection an idle gateway draws its first attempt from the whole window, not the first 1-2 s', async (t) => {
  for (const [r, low, high] of [[0, 1000, 1000], [0.5, 30_000, 31_000], [1, 60_000, 60_000]] as const) {
    const s = schedule({ random: () => r });
    s.reset(); // connected
    s.schedule(); // lost
    const next = s.nextAttemptInMs()!;
    t.ok(next >= low - 50 && next <= high, `random ${r}: first attempt in ${next} ms`);
  }
  // A failed attempt (never connected) keeps the exponential backoff from the start.
  const fresh = schedule({ random: () => 1 });
  fresh.schedule();
  t.ok(fresh.nextAttemptInMs()! <= 2000, `never connected: ${fresh.nextAttemptInMs()} ms`);
});

t.test('a fire alarm or event waiting: the urgent cap still applies after a lost connection', async (t) => {
  const s = schedule({ random: () => 1, eventsWaiting: () => true });
  s.reset();
  s.schedule();
  t.ok(s.nextAttemptInMs()! <= 2000, `urgent: ${s.nextAttemptInMs()} ms`);
});

t.test(`at most ${MAX_CONNECTS_PER_WINDOW} connections per reconnectMaxMs while no fire alarm waits (other events do not lift it): a flapping link waits`, async (t) => {
  const s = schedule({ random: () => 0, eventsWaiting: () => true });
  for (let i = 0; i < MAX_CONNECTS_PER_WINDOW - 1; i++) {
    s.reset();
    s.schedule();
    t.ok(s.nextAttemptInMs()! <= 1000, `connection ${i + 1} dropped: next attempt in ${s.nextAttemptInMs()} ms`);
    s.cancel();
  }
  s.reset(); // the third connection in a moment
  s.schedule();
  const held = s.nextAttemptInMs()!;
  t.ok(held > 55_000 && held <= 60_000, `the fourth waits for the first to be a minute old: ${held} ms`);
  s.hurry(1);
  t.ok(s.nextAttemptInMs()! > 55_000, 'an event committed meanwhile does not break the limit');
});

t.test(`a waiting fire alarm lifts the limit to ${MAX_CONNECTS_PER_WINDOW_FIRE} a window (a broker restarting again and again), never further`, async (t) => {
  let fire = false;
  const s = schedule({ random: () => 0, eventsWaiting: () => true, fireAlarmWaiting: () => fire });
  for (let i = 0; i < MAX_CONNECTS_PER_WINDOW; i++) {
    s.reset();
    s.schedule();
    s.cancel();
  }
  s.reset();
  s.schedule();
  t.ok(s.nextAttemptInMs()! > 55_000, `no fire alarm: held (${s.nextAttemptInMs()} ms)`);
  fire = true;
  s.hurry(0);
  t.ok(s.nextAttemptInMs()! <= 3000, `a fire alarm committed: the urgent wait again (${s.nextAttemptInMs()} ms)`);
  s.cancel();
  for (let i = MAX_CONNECTS_PER_WINDOW + 1; i < MAX_CONNECTS_PER_WINDOW_FIRE - 1; i++) {
    s.reset();
    s.schedule();
    t.ok(s.nextAttemptInMs()! <= 3000, `connection ${i + 1} dropped with the fire alarm waiting: ${s.nextAttemptInMs()} ms`);
    s.cancel();
  }
  s.reset(); // the tenth in a minute
  s.schedule();
  t.ok(s.nextAttemptInMs()! > 55_000, `the eleventh waits, fire alarm or not: ${s.nextAttemptInMs()} ms (EMQX bans at 15 a minute)`);
});
