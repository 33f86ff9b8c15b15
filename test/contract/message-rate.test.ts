import t from 'tap';
import { MessageRate } from '../../src/uplink/message-rate.js';

t.test('at most perSec messages in any 1000 ms window; events keep a tenth in reserve', async (t) => {
  let now = 0;
  const rate = new MessageRate(50, () => now);
  t.equal(rate.reserve, 5);
  const sent: number[] = [];
  // Telemetry sends while more than the reserve is free; an event every 100 ms may take the reserve.
  for (now = 0; now < 5000; now += 1) {
    if (now % 100 === 0 && rate.free() >= 1) {
      rate.note();
      sent.push(now);
    }
    while (rate.free() > rate.reserve) {
      rate.note();
      sent.push(now);
    }
  }
  let worst = 0;
  for (const start of sent) worst = Math.max(worst, sent.filter((x) => x >= start && x < start + 1000).length);
  t.equal(worst, 50, 'never more than 50 in a second');
  t.ok(sent.length >= 5 * 45, `kept busy (${sent.length} in 5 s)`);
});

t.test('msUntil says when room frees up, also after messages that had to go over the cap', async (t) => {
  let now = 0;
  const rate = new MessageRate(2, () => now);
  rate.note();
  now = 300;
  rate.note();
  t.equal(rate.msUntil(1), 700);
  rate.note(); // a status that went anyway
  t.equal(rate.free(), -1);
  t.equal(rate.msUntil(1), 1000);
  now = 1000;
  t.equal(rate.free(), 0);
  now = 1300;
  t.equal(rate.free(), 2, 'both sent at 300 ms have left the window');
  t.throws(() => new MessageRate(0));
});
