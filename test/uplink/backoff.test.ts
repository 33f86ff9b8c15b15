import t from 'tap';
import { ReconnectBackoff } from '../../src/retry/backoff.js';

/** A seeded generator (mulberry32): deterministic but spread over [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('delays stay within [min, min * 2^(n+1)] capped at max', async (t) => {
  const b = new ReconnectBackoff(100, 5000, seeded(42));
  for (let n = 0; n < 20; n++) {
    const ceiling = Math.min(5000, 100 * 2 ** (n + 1));
    const d = b.next();
    t.ok(d >= 100 && d <= ceiling, `attempt ${n}: ${d} in [100, ${ceiling}]`);
  }
  t.equal(b.attempts(), 20);
});

t.test('the extremes of the random source hit the bounds exactly', async (t) => {
  const low = new ReconnectBackoff(100, 1000, () => 0);
  t.same([low.next(), low.next(), low.next()], [100, 100, 100], 'random 0 → always the minimum');
  const high = new ReconnectBackoff(100, 1000, () => 1);
  t.same([1, 2, 3, 4, 5].map(() => high.next()), [200, 400, 800, 1000, 1000], 'random 1 → the ceiling, doubling, capped');
  high.reset();
  t.equal(high.next(), 200, 'reset starts over');
  t.equal(high.attempts(), 1);
});

t.test('full jitter spreads a fleet: the same attempt gives different delays', async (t) => {
  const delays = new Set<number>();
  for (let gw = 0; gw < 50; gw++) {
    const b = new ReconnectBackoff(1000, 60_000, seeded(gw + 1));
    b.next();
    b.next();
    delays.add(b.next()); // third attempt: window [1000, 8000]
  }
  t.ok(delays.size > 40, `50 gateways, ${delays.size} distinct delays`);
  t.ok(Math.min(...delays) >= 1000 && Math.max(...delays) <= 8000);
});

t.test('rejects nonsense bounds', async (t) => {
  t.throws(() => new ReconnectBackoff(0, 100));
  t.throws(() => new ReconnectBackoff(200, 100));
});

t.test('a cap (alarms waiting) lowers the ceiling but never below the minimum; jitter counts no attempt', async (t) => {
  const b = new ReconnectBackoff(1000, 60_000, () => 1);
  t.same([1, 2, 3, 4].map(() => b.next(3000)), [2000, 3000, 3000, 3000], 'capped at 3 s');
  t.equal(b.next(), 32_000, 'uncapped, the exponent kept growing meanwhile');
  t.equal(b.next(500), 1000, 'a cap below the minimum gives the minimum');
  const attempts = b.attempts();
  t.equal(b.jitter(3000), 3000);
  t.equal(new ReconnectBackoff(1000, 60_000, () => 0).jitter(3000), 1000);
  t.equal(new ReconnectBackoff(1000, 2000, () => 1).jitter(3000), 2000, 'never above the maximum');
  t.equal(b.attempts(), attempts, 'jitter() is not an attempt');
});
