import t from 'tap';
import { CommandGate } from '../../src/remote/command-gate.js';

t.test('admits a burst, then the sustained rate; the rest is refused and counted, refusals answered only within budget', async (t) => {
  let now = 0;
  const gate = new CommandGate({ ratePerMinute: 60, now: () => now });
  let ran = 0;
  const results = [];
  for (let i = 0; i < 300; i++) results.push(gate.admit(async () => void ran++));
  await gate.drained();
  t.equal(ran, 6, 'the burst (a tenth of the rate per minute, at least 5) … plus nothing more in the same instant');
  t.equal(gate.counters.admitted, 6);
  t.equal(gate.counters.rateLimited, 294);
  const answered = results.filter((r) => !r.admitted && r.answer).length;
  t.ok(answered <= 10, `only ${answered} refusals answered`);
  t.equal(gate.counters.unanswered, 294 - answered);
  now += 10_000;
  for (let i = 0; i < 50; i++) gate.admit(async () => void ran++);
  await gate.drained();
  t.equal(ran, 6 + 6, '10 s later: 10 tokens earned, capped at the burst of 6');
});

t.test('a queue full of slow commands refuses more at once', async (t) => {
  const gate = new CommandGate({ ratePerMinute: 6000, queueMax: 3 });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const verdicts = [0, 1, 2, 3, 4].map(() => gate.admit(() => held));
  t.same(verdicts.map((v) => v.admitted), [true, true, true, false, false]);
  t.match(verdicts[3], { reason: 'queue_full' });
  t.equal(gate.pending, 3);
  release();
  await gate.drained();
  t.equal(gate.pending, 0);
  t.equal(gate.admit(async () => undefined).admitted, true, 'room again');
});
