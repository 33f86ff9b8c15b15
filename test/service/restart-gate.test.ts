import t from 'tap';
import { silentLogger } from '../../src/log/logger.js';
import { RestartGate } from '../../src/service/restart-gate.js';
import { waitFor } from '../helpers/net.js';

/** A remote restart waits while a fire alarm is active and goes ahead once none is. */

t.test('no fire alarm: the restart goes ahead at once', async (t) => {
  const restarts: string[] = [];
  const gate = new RestartGate({ activeFireAlarms: () => 0, restart: (why) => restarts.push(why), logger: silentLogger() });
  gate.request('remote command c1');
  t.same(restarts, ['remote command c1']);
  t.equal(gate.waiting, false);
});

t.test('a fire alarm defers the restart until it ends; a second request does not restart twice', async (t) => {
  let fire = 2;
  const order: string[] = [];
  const gate = new RestartGate({ activeFireAlarms: () => fire, restart: (why) => order.push(`restart: ${why}`), logger: silentLogger(), checkMs: 20 });
  t.teardown(() => gate.cancel());
  gate.request('remote config v7');
  gate.request('remote command c2');
  t.equal(gate.waiting, true);
  await new Promise((r) => setTimeout(r, 120));
  t.same(order, [], 'not while a fire alarm is active');
  fire = 1;
  await new Promise((r) => setTimeout(r, 60));
  t.same(order, [], 'not while one of them is still active');
  order.push('alarms restored');
  fire = 0;
  await waitFor(() => order.length === 2, 5000);
  await new Promise((r) => setTimeout(r, 60));
  t.same(order, ['alarms restored', 'restart: remote config v7'], 'once, after the alarms ended');
  t.equal(gate.waiting, false);
});

t.test('a failing alarm count defers (a restart can wait); cancel drops a waiting restart', async (t) => {
  let restarted = 0;
  const gate = new RestartGate({
    activeFireAlarms: () => {
      throw new Error('rules not available');
    },
    restart: () => restarted++,
    logger: silentLogger(),
    checkMs: 10,
  });
  gate.request('x');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(restarted, 0);
  gate.cancel();
  t.equal(gate.waiting, false);
});
