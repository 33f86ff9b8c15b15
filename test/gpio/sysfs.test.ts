import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGpioBackend, noGpioHint } from '../../src/bus/gpio/create.js';
import { headerChip, listSysfsChips } from '../../src/bus/gpio/sysfs-base.js';
import { SysfsGpioBackend, type SysfsPin } from '../../src/bus/gpio/sysfs-backend.js';
import type { Level, LineHealth } from '../../src/bus/gpio/types.js';
import { ContactInputs } from '../../src/devices/contact-inputs.js';
import { silentLogger } from '../../src/log/logger.js';
import { contactPipeline } from './contact-rig.js';

/** A fake /sys/class/gpio with the given chips (dir name → base, label, ngpio). */
function fakeSysfs(t: { teardown(fn: () => void): void }, chips: Record<string, [number, string, number]>, withExport = true): string {
  const root = mkdtempSync(join(tmpdir(), 'hearth-sysfs-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  if (withExport) writeFileSync(join(root, 'export'), '');
  for (const [dir, [base, label, ngpio]] of Object.entries(chips)) {
    mkdirSync(join(root, dir));
    writeFileSync(join(root, dir, 'base'), `${base}\n`);
    writeFileSync(join(root, dir, 'label'), `${label}\n`);
    writeFileSync(join(root, dir, 'ngpio'), `${ngpio}\n`);
  }
  return root;
}

class FakePin implements SysfsPin {
  level: Level = 1;
  watchers: ((err: Error | null | undefined, v: Level) => void)[] = [];
  unexported = false;
  /** Set to make writes (or reads) fail as the kernel would, e.g. with EIO. */
  fail: NodeJS.ErrnoException | undefined;
  constructor(readonly gpio: number, readonly direction: string, readonly edge: string) {
    if (direction === 'high') this.level = 1;
    if (direction === 'low') this.level = 0;
  }
  readSync(): Level {
    if (this.fail) throw this.fail;
    return this.level;
  }
  writeSync(v: Level): void {
    if (this.fail) throw this.fail;
    this.level = v;
  }
  watch(cb: (err: Error | null | undefined, v: Level) => void): void {
    this.watchers.push(cb);
  }
  unwatchAll(): void {
    this.watchers = [];
  }
  unexport(): void {
    this.unexported = true;
  }
}

t.test('the sysfs base is read at run time: 512 on a Pi 4 with a 6.6 kernel', async (t) => {
  const root = fakeSysfs(t, { gpiochip512: [512, 'pinctrl-bcm2711', 58], gpiochip570: [570, 'raspberrypi-exp-gpio', 8] });
  t.same(listSysfsChips(root).map((c) => c.base), [512, 570]);
  const pins: FakePin[] = [];
  const gpio = new SysfsGpioBackend({ root, pinFactory: (n, d, e) => { const p = new FakePin(n, d, e); pins.push(p); return p; } });
  t.equal(gpio.chip.base, 512);
  const edges: Level[] = [];
  const input = await gpio.input({ bcm: 17 }, { bias: 'pull-up' }, (l) => edges.push(l));
  t.equal(pins[0]!.gpio, 529, 'BCM 17 → 512 + 17');
  t.equal(pins[0]!.edge, 'both', 'edge events, not polling');
  pins[0]!.watchers[0]!(null, 0);
  t.same(edges, [0]);
  t.equal(await input.read(), 1);
  const out = await gpio.output({ bcm: 22 }, 0);
  t.equal(pins[1]!.gpio, 534);
  t.equal(pins[1]!.direction, 'low', 'direction and level in one write');
  await out.write(1);
  t.equal(pins[1]!.level, 1);
  await gpio.close();
  t.ok(pins.every((p) => p.unexported), 'every pin unexported on close');
});

t.test('571 on a Pi 5 image, 0 on old kernels; the label decides, not the order', async (t) => {
  const pi5 = fakeSysfs(t, { gpiochip512: [512, 'gpio-brcmstb@107d508500', 32], gpiochip571: [571, 'pinctrl-rp1', 54] });
  t.equal(headerChip(listSysfsChips(pi5)).base, 571);
  const old = fakeSysfs(t, { gpiochip0: [0, 'pinctrl-bcm2835', 54], gpiochip504: [504, 'raspberrypi-exp-gpio', 8] });
  t.equal(headerChip(listSysfsChips(old)).base, 0);
  const other = fakeSysfs(t, { gpiochip0: [0, 'gpio-a', 32], gpiochip32: [32, 'gpio-b', 32] });
  t.throws(() => headerChip(listSysfsChips(other)), { code: 'GPIO_NO_BASE', message: /set gpio.chip/ });
  t.equal(headerChip(listSysfsChips(other), 'gpio-b').base, 32, 'gpio.chip picks by label');
});

t.test('sysfs: line names and out-of-range pins are clear errors', async (t) => {
  const root = fakeSysfs(t, { gpiochip512: [512, 'pinctrl-bcm2711', 58] });
  const gpio = new SysfsGpioBackend({ root, pinFactory: (n, d, e) => new FakePin(n, d, e) });
  await t.rejects(gpio.input({ name: 'GPIO17' }, { bias: 'as-is' }, () => {}), { code: 'GPIO_NAME_UNSUPPORTED' });
  await t.rejects(gpio.output({ bcm: 60 }, 0), { code: 'GPIO_LINE_UNKNOWN' });
  const busy = new SysfsGpioBackend({ root, pinFactory: () => { throw Object.assign(new Error('busy'), { code: 'EBUSY' }); } });
  await t.rejects(busy.output({ bcm: 4 }, 0), { code: 'GPIO_BUSY' });
});

t.test('auto: with neither interface, the error names the fix', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'hearth-dev-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  await t.rejects(createGpioBackend({ backend: 'auto', devDir: empty, sysfsRoot: join(empty, 'nosys') }), {
    code: 'GPIO_UNAVAILABLE',
    message: /disabled in this kernel or device tree/,
  });
  t.match(noGpioHint({ chips: ['gpiochip0'], usable: [], tools: true, sysfs: false, devDir: '/dev', sysfsRoot: '/sys/class/gpio' }), /gpio group/);
  t.match(noGpioHint({ chips: ['gpiochip0'], usable: ['gpiochip0'], tools: false, sysfs: false, devDir: '/dev', sysfsRoot: '/sys/class/gpio' }), /apt install gpiod/);
  await t.rejects(createGpioBackend({ backend: 'sysfs', sysfsRoot: join(empty, 'nosys') }), { message: /no sysfs GPIO; use gpio.backend: chardev/ });
});

t.test('auto: sysfs when it is all the machine has', async (t) => {
  const root = fakeSysfs(t, { gpiochip512: [512, 'pinctrl-bcm2711', 58] });
  const empty = mkdtempSync(join(tmpdir(), 'hearth-dev-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const gpio = await createGpioBackend({ backend: 'auto', devDir: empty, sysfsRoot: root });
  t.equal(gpio.kind, 'sysfs');
});

const eio = () => Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5 });

t.test('sysfs: a watch error is a fault of the contact; the next good value clears it and is read', async (t) => {
  const root = fakeSysfs(t, { gpiochip512: [512, 'pinctrl-bcm2711', 58] });
  const pins: FakePin[] = [];
  const gpio = new SysfsGpioBackend({ root, pinFactory: (n, d, e) => { const p = new FakePin(n, d, e); pins.push(p); return p; } });
  const { clock, seq, events, sink, rules, faults } = contactPipeline();
  const inputs = new ContactInputs({
    gatewayId: 'gw', backend: gpio, clock, seq, rules, sink, faults, logger: silentLogger(),
    inputs: [{ id: 'relay-1', pin: 17, contact: 'NO', wiring: 'pull-up', debounceMs: 0, point: 'fire_alarm', role: 'alarm', location: { room: 'boiler' }, enabled: true }],
  });
  await inputs.start();
  const pin = pins[0]!;
  const watch = pin.watchers[0]!;
  watch(eio(), 0);
  watch(eio(), 0);
  t.same(events.map((e) => [e.kind, e.deviceId, e.point]), [['fault', 'relay-1', 'line']], 'one fault for repeated errors');
  t.match(events[0]!.message, /relay-1 \(BCM 17\) not watched: BCM 17 \(sysfs 529\): edge watch failed: EIO/);
  t.equal(inputs.snapshot()[0]!.healthy, false);
  // The contact closed meanwhile; the next edge the kernel reports is a good value again.
  pin.level = 0;
  watch(null, 0);
  await new Promise((r) => setImmediate(r));
  t.same(events.map((e) => [e.kind, e.deviceId]), [['fault', 'relay-1'], ['restore', 'relay-1'], ['alarm', 'relay-1']]);
  t.equal(inputs.snapshot()[0]!.healthy, true);
  await inputs.stop();
});

t.test('sysfs: failed writes reject every time and report the line down once, then up', async (t) => {
  const root = fakeSysfs(t, { gpiochip512: [512, 'pinctrl-bcm2711', 58] });
  const pins: FakePin[] = [];
  const gpio = new SysfsGpioBackend({ root, pinFactory: (n, d, e) => { const p = new FakePin(n, d, e); pins.push(p); return p; } });
  const health: LineHealth[] = [];
  const out = await gpio.output({ bcm: 22 }, 0, { onHealth: (h) => health.push(h) });
  pins[0]!.fail = eio();
  await t.rejects(out.write(1), { code: 'GPIO_IO_FAILED', message: /BCM 22 \(sysfs 534\): write failed: EIO/ });
  await t.rejects(out.write(1), { code: 'GPIO_IO_FAILED' });
  t.same(health.map((h) => h.ok), [false]);
  pins[0]!.fail = undefined;
  await out.write(1);
  t.equal(pins[0]!.level, 1);
  t.same(health.map((h) => h.ok), [false, true]);
  await gpio.close();
});
