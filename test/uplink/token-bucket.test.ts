import t from 'tap';
import { TokenBucket } from '../../src/uplink/token-bucket.js';

t.test('starts full, spends, refills at the rate, never above the burst', async (t) => {
  let now = 0;
  const b = new TokenBucket(100, 50, () => now);
  t.equal(b.available(), 50, 'starts with a full burst');
  b.take(50);
  t.equal(b.available(), 0);
  now += 100; // 0.1 s at 100/s
  t.equal(b.available(), 10);
  now += 10_000;
  t.equal(b.available(), 50, 'capped at the burst after a long idle time');
});

t.test('a whole batch may overdraw it; the wait is until one token is back', async (t) => {
  let now = 0;
  const b = new TokenBucket(1000, 100, () => now);
  b.take(300); // a batch larger than what is saved up
  t.equal(b.available(), -200);
  t.equal(b.msUntilOne(), 201, '(1 - -200) tokens at 1 per ms');
  now += 150;
  t.equal(b.available(), -50);
  now += 51;
  t.equal(b.msUntilOne(), 0);
});

t.test('over a long run the average rate is the configured rate', async (t) => {
  let now = 0;
  const b = new TokenBucket(200, 20, () => now);
  let sent = 0;
  // A drain that takes batches of 20 whenever a token is available, stepping 1 ms.
  for (now = 0; now <= 60_000; now++) {
    if (b.msUntilOne() === 0) {
      b.take(20);
      sent += 20;
    }
  }
  t.ok(Math.abs(sent - 20 - 200 * 60) <= 40, `${sent} readings in 60 s at 200/s (plus the initial burst)`);
});

t.test('rejects nonsense limits', async (t) => {
  t.throws(() => new TokenBucket(0, 10), RangeError);
  t.throws(() => new TokenBucket(10, 0.5), RangeError);
  t.throws(() => new TokenBucket(Number.NaN, 10), RangeError);
});
