import { mock } from 'node:test';
import t from 'tap';
import { ALARM_ACK_TIMEOUT_MS, AlarmAckMonitor, type AlarmAckState } from '../../src/uplink/index.js';

function recordingLogger() {
  const lines: { level: string; msg: string | undefined }[] = [];
  const at = (level: string) => (_obj: object, msg?: string) => void lines.push({ level, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

t.test('no acknowledgement within 100 s (EN 54-21): local fault until acknowledged', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.teardown(() => mock.timers.reset());
  const changes: AlarmAckState[] = [];
  const logger = recordingLogger();
  const m = new AlarmAckMonitor({ logger, onFaultChange: (s) => changes.push(s) });
  t.equal(ALARM_ACK_TIMEOUT_MS, 100_000);
  m.sent({ id: 'a1', deviceId: 'smoke-1' });
  t.same(m.state(), { fault: false, pending: [{ id: 'a1', deviceId: 'smoke-1', sentAt: 0, overdue: false }] }, 'waiting for the ack');
  mock.timers.tick(99_999);
  t.equal(m.state().fault, false, 'not yet at 99.999 s');
  t.equal(changes.length, 0);
  mock.timers.tick(1);
  t.equal(m.state().fault, true, 'fault at 100 s');
  t.equal(changes.length, 1, 'callback fired once');
  t.equal(changes[0]!.fault, true);
  t.ok(logger.lines.some((l) => l.level === 'error' && /not acknowledged/.test(l.msg ?? '')), 'logged as a fault');
  // A resend does not restart the clock, and a second overdue alarm does not fire the hook again.
  m.sent({ id: 'a1', deviceId: 'smoke-1' });
  m.sent({ id: 'a2', deviceId: 'smoke-2' });
  mock.timers.tick(100_000);
  t.same(m.state().pending.map((p) => [p.id, p.overdue]), [['a1', true], ['a2', true]]);
  t.equal(changes.length, 1, 'the indication was already on');
  t.equal(m.acknowledged(['a1', 'unknown']), 1, 'unknown ids are ignored');
  t.equal(m.state().fault, true, 'still on while another alarm is overdue');
  t.equal(m.acknowledged(['a2']), 1);
  t.same(m.state(), { fault: false, pending: [] }, 'cleared');
  t.equal(changes.length, 2);
  t.equal(changes[1]!.fault, false, 'callback fired on clearing');
});

t.test('an alarm acknowledged in time never raises the fault; a throwing hook is contained', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.teardown(() => mock.timers.reset());
  const m = new AlarmAckMonitor({ logger: recordingLogger(), timeoutMs: 1000, onFaultChange: () => { throw new Error('gpio'); } });
  m.sent({ id: 'a1', deviceId: 'smoke-1' });
  mock.timers.tick(999);
  m.acknowledged(['a1']);
  mock.timers.tick(5000);
  t.same(m.state(), { fault: false, pending: [] });
  m.sent({ id: 'a2', deviceId: 'smoke-1' });
  t.doesNotThrow(() => mock.timers.tick(1000), 'a failing fault output does not crash the monitor');
  t.equal(m.state().fault, true);
  m.stop();
});
