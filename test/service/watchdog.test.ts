import t from 'tap';
import { SystemClock } from '../../src/clock/clock.js';
import type { DeviceDriver, RawValue } from '../../src/model/driver.js';
import { DeviceRuntime } from '../../src/devices/runtime.js';
import { PollScheduler } from '../../src/devices/scheduler.js';
import type { PointSpec } from '../../src/model/point.js';
import { CounterSequence } from '../../src/model/sequence.js';
import { RulesEngine } from '../../src/rules/engine.js';
import { silentLogger } from '../../src/log/logger.js';
import { createNotifier } from '../../src/service/notifier.js';
import { SystemdService, watchdogIntervalMs } from '../../src/service/systemd-service.js';
import type { WatchdogDecision } from '../../src/service/watchdog.js';
import { waitFor } from '../helpers/net.js';
import { CollectingSink, deviceConfig } from '../devices/fakes.js';
import { NotifyReceiver } from './notify-receiver.js';

/**
 * The watchdog against a real AF_UNIX datagram socket (python3 binds it) and the real socat helper.
 * Periods are short (pets every 200 ms) but every assertion waits for a condition or compares the
 * message stream between marker assignments the test sends through the same notifier, so CPU load
 * only slows the test down.
 */

const points: PointSpec[] = [{ name: 'smoke_density', type: 'number', unit: 'dB/m' }];

/** A driver that answers at once until told to hang (a promise that never settles: a stuck poll). */
class SwitchableDriver implements DeviceDriver {
  readonly points = points;
  hang = false;
  read(): Promise<RawValue[]> {
    if (this.hang) return new Promise<RawValue[]>(() => undefined);
    return Promise.resolve([{ point: 'smoke_density', raw: 1 }]);
  }
}

function polling(driver: DeviceDriver) {
  const clock = new SystemClock('assume-synced');
  const sink = new CollectingSink();
  const seq = new CounterSequence();
  const rules = new RulesEngine({ gatewayId: 'gw-1', clock, seq, sink });
  const runtime = new DeviceRuntime({ gatewayId: 'gw-1', config: deviceConfig({ id: 'smoke-1', pollIntervalMs: 50 }), driver, clock, seq, rules, sink });
  return new PollScheduler([runtime], { clock, stopTimeoutMs: 50 });
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* the event loop is blocked */
  }
}

async function setup(t: { teardown(fn: () => Promise<void>): void }, opts: { stallAfterMs?: number } = {}) {
  const receiver = await NotifyReceiver.start();
  const driver = new SwitchableDriver();
  const scheduler = polling(driver);
  const decisions: WatchdogDecision[] = [];
  const service = new SystemdService({
    logger: silentLogger(),
    progress: () => scheduler.progress(),
    stallAfterMs: opts.stallAfterMs ?? 60_000,
    probeMs: 20,
    maxLagMs: 200, // a pet period (WatchdogSec 400 ms / 2); in production a third of WatchdogSec
    env: { NOTIFY_SOCKET: receiver.socketPath, WATCHDOG_USEC: '400000' },
    onDecision: (d) => decisions.push(d),
  });
  // A side channel through the same helper and socket, so ordering is preserved.
  const mark = (name: string) => (service as unknown as { notifier: { send(a: Record<string, string>): void } }).notifier.send({ X_MARK: name });
  t.teardown(async () => {
    await scheduler.stop();
    await service.close();
    await receiver.close();
  });
  return { receiver, driver, scheduler, service, decisions, mark };
}

t.test('WATCHDOG_USEC is honoured only for the process it names', async (t) => {
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }), 30_000);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) }), 30_000);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }), undefined, 'meant for another process');
  t.equal(watchdogIntervalMs({}), undefined);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'garbage' }), undefined);
});

t.test('without NOTIFY_SOCKET nothing is sent and nothing is spawned', async (t) => {
  const n = createNotifier(silentLogger(), {});
  t.equal(n.enabled, false);
  n.send({ READY: '1' });
  await n.close();
});

t.test('python3 stands in when socat is missing', async (t) => {
  const receiver = await NotifyReceiver.start();
  t.teardown(() => receiver.close());
  const n = createNotifier(silentLogger(), { NOTIFY_SOCKET: receiver.socketPath }, { socat: '/nonexistent/socat', python3: '/usr/bin/python3' });
  t.equal(n.enabled, true);
  n.send({ READY: '1', STATUS: 'multi\nline' });
  await receiver.waitFor('READY=1');
  t.ok(receiver.assignments().includes('STATUS=multi line'), 'a newline in a value cannot split the message');
  await n.close();
});

t.test('READY, healthy pings, STOPPING: in that order, and no ping after STOPPING', async (t) => {
  const { receiver, scheduler, service } = await setup(t);
  scheduler.start();
  service.ready('running: 1 device');
  await receiver.waitFor('READY=1');
  await waitFor(() => receiver.count('WATCHDOG=1') >= 3, 20_000);
  service.stopping('SIGTERM');
  await receiver.waitFor('STOPPING=1');
  const pingsAtStop = receiver.count('WATCHDOG=1');
  await new Promise((r) => setTimeout(r, 800)); // four pet periods
  t.equal(receiver.count('WATCHDOG=1'), pingsAtStop, 'no WATCHDOG=1 after STOPPING=1');
  const all = receiver.assignments();
  t.equal(all[0], 'READY=1', 'READY=1 first');
  t.ok(all.indexOf('STOPPING=1') > all.lastIndexOf('WATCHDOG=1'));
  t.ok(all.includes('STATUS=running: 1 device'));
  t.ok(all.includes(`MAINPID=${process.pid}`));
});

t.test('a blocked event loop sends no WATCHDOG=1, and the first check after it withholds the ping', async (t) => {
  const { receiver, scheduler, service, decisions, mark } = await setup(t);
  scheduler.start();
  service.ready('running');
  await waitFor(() => receiver.count('WATCHDOG=1') >= 2, 20_000);

  mark('blocked');
  const before = decisions.length;
  busyWait(1500); // longer than WatchdogSec (400 ms): systemd would kill us here
  mark('unblocked');
  await waitFor(() => decisions.length > before, 10_000);
  mark('checked');
  const first = decisions[before]!;
  t.equal(first.healthy, false, 'the check right after the block is unhealthy');
  t.match(first.reasons.join(';'), /event loop lag/);
  t.ok(first.lagMs >= 1000, `lag measured: ${first.lagMs} ms`);
  await receiver.waitFor('X_MARK=checked');
  t.same(receiver.between('X_MARK=blocked', 'X_MARK=checked').filter((a) => a === 'WATCHDOG=1'), [], 'no ping during or right after the block');

  // A healthy loop earns its pings back.
  const after = receiver.count('WATCHDOG=1');
  await waitFor(() => receiver.count('WATCHDOG=1') > after, 20_000);
  t.pass('pings resume once the loop is healthy');
});

t.test('a loop that is blocked most of the time sends no WATCHDOG=1 even though timers still run', async (t) => {
  const { receiver, scheduler, service, decisions, mark } = await setup(t);
  scheduler.start();
  service.ready('running');
  await waitFor(() => receiver.count('WATCHDOG=1') >= 2, 20_000);

  mark('sick');
  const before = decisions.length;
  // 350 ms blocked, 50 ms free, for ~3 s: timers get their turns, but always late.
  await new Promise<void>((resolve) => {
    const end = performance.now() + 3000;
    const cycle = () => {
      busyWait(350);
      if (performance.now() >= end) return resolve();
      setTimeout(cycle, 50);
    };
    cycle();
  });
  mark('well');
  await receiver.waitFor('X_MARK=well');
  const during = decisions.slice(before);
  t.ok(during.length >= 3, `the watchdog still ran ${during.length} checks`);
  t.ok(during.every((d) => !d.healthy), 'every one of them unhealthy');
  t.same(receiver.between('X_MARK=sick', 'X_MARK=well').filter((a) => a === 'WATCHDOG=1'), []);
});

t.test('a stalled poll scheduler sends no WATCHDOG=1', async (t) => {
  const { receiver, driver, scheduler, service, decisions, mark } = await setup(t, { stallAfterMs: 800 });
  scheduler.start();
  service.ready('running');
  await waitFor(() => receiver.count('WATCHDOG=1') >= 2, 20_000);
  t.ok(scheduler.progress().completedPolls > 0, 'polls were completing');

  driver.hang = true; // the next poll never settles: the event loop is fine, polling is not
  await waitFor(() => decisions.some((d) => d.reasons.some((r) => r.includes('no poll settled'))), 20_000);
  mark('stalled');
  const polls = scheduler.progress().completedPolls;
  await new Promise((r) => setTimeout(r, 1200)); // six pet periods
  mark('end');
  await receiver.waitFor('X_MARK=end');
  t.same(receiver.between('X_MARK=stalled', 'X_MARK=end').filter((a) => a === 'WATCHDOG=1'), [], 'no ping while stalled');
  t.equal(scheduler.progress().completedPolls, polls, 'no poll completed meanwhile');
  t.ok(decisions.slice(-3).every((d) => !d.healthy && d.lagMs < 1000), 'unhealthy for polling, not for lag');
});

t.test('a stopped scheduler is not healthy either', async (t) => {
  const { receiver, scheduler, service, decisions, mark } = await setup(t);
  scheduler.start();
  service.ready('running');
  await waitFor(() => receiver.count('WATCHDOG=1') >= 1, 20_000);
  await scheduler.stop();
  const before = decisions.length;
  await waitFor(() => decisions.length >= before + 2, 10_000);
  mark('end');
  await receiver.waitFor('X_MARK=end');
  t.ok(decisions.slice(before).every((d) => d.reasons.some((r) => r.includes('not running'))));
});
