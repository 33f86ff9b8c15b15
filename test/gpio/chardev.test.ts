import t from 'tap';
import { ChardevGpioBackend } from '../../src/bus/gpio/chardev-backend.js';
import { createGpioBackend } from '../../src/bus/gpio/create.js';
import { detectToolsVersion, monitorArgs, parseEdge, parseToolsVersion, setArgs } from '../../src/bus/gpio/gpiod-tools.js';
import type { Level } from '../../src/bus/gpio/types.js';
import { fakeGpiod } from '../helpers/fake-gpiod.js';
import { waitFor } from '../helpers/net.js';

const fakeEnv = fakeGpiod;

t.test('the installed libgpiod tools report a version we understand', async (t) => {
  const v = await detectToolsVersion();
  t.ok(v === 1 || v === 2, `real gpioset is v${v}`);
  t.equal(parseToolsVersion('gpioset (libgpiod) v1.6.3'), 1);
  t.equal(parseToolsVersion('gpioset (libgpiod) v2.1.3'), 2);
});

t.test('v1 and v2 command lines differ where the tools differ', async (t) => {
  t.same(setArgs(1, { chip: 'gpiochip0', offset: 22 }, 1), ['--mode=signal', 'gpiochip0', '22=1']);
  t.same(setArgs(2, { chip: 'gpiochip0', offset: 22 }, 0), ['-c', 'gpiochip0', '22=0']);
  t.same(monitorArgs(1, { chip: 'gpiochip0', offset: 17 }, 'pull-up'), ['-b', '--bias=pull-up', '-F', '%o %e', 'gpiochip0', '17']);
  t.same(monitorArgs(2, { name: 'SMOKE_RELAY' }, 'as-is'), ['-e', 'both', '-F', '%o %e', 'SMOKE_RELAY']);
  t.equal(parseEdge(1, '17 0'), 0);
  t.equal(parseEdge(2, '17 2'), 0);
  t.equal(parseEdge(2, '17 1'), 1);
  t.equal(parseEdge(2, 'garbage'), undefined);
});

for (const version of ['1.6.3', '2.1.3']) {
  t.test(`chardev backend against fake gpiomon/gpioset v${version}`, async (t) => {
    const fake = fakeEnv(t, version);
    const gpio = await ChardevGpioBackend.open({ env: fake.env });
    t.teardown(() => gpio.close());
    t.equal(gpio.version, version.startsWith('1') ? 1 : 2);
    t.equal(gpio.chip, 'gpiochip0', 'the Pi pin controller, by label');

    const edges: Level[] = [];
    const input = await gpio.input({ bcm: 17 }, { bias: 'pull-up' }, (l) => edges.push(l));
    t.equal(await input.read(), 1, 'initial level from gpioget');
    await waitFor(() => fake.calls().some((c) => c.startsWith('gpiomon')), 10_000);
    const falling = version.startsWith('1') ? '0' : '2';
    fake.event(`17 ${falling}`);
    fake.event('17 1');
    await waitFor(() => edges.length === 2, 10_000);
    t.same(edges, [0, 1], 'edges reported as levels');
    t.equal(await input.read(), 1);

    const out = await gpio.output({ bcm: 22 }, 0);
    await waitFor(() => fake.level(22) === '0', 10_000);
    await out.write(1);
    await waitFor(() => fake.level(22) === '1', 10_000);
    await out.close();
    const calls = fake.calls();
    const mon = calls.find((c) => c.startsWith('gpiomon'))!;
    const set = calls.filter((c) => c.startsWith('gpioset'));
    if (version.startsWith('1')) {
      t.equal(mon, 'gpiomon -b --bias=pull-up -F %o %e gpiochip0 17');
      t.same(set, ['gpioset --mode=signal gpiochip0 22=0', 'gpioset --mode=signal gpiochip0 22=1']);
    } else {
      t.equal(mon, 'gpiomon -e both -b pull-up -F %o %e -c gpiochip0 17');
      t.same(set, ['gpioset -c gpiochip0 22=0', 'gpioset -c gpiochip0 22=1']);
    }
    await input.close();
  });
}

t.test('v1 resolves line names with gpiofind; an unknown name is a clear error', async (t) => {
  const fake = fakeEnv(t, '1.6.3');
  const gpio = await ChardevGpioBackend.open({ env: fake.env });
  t.teardown(() => gpio.close());
  const input = await gpio.input({ name: 'SMOKE_RELAY' }, { bias: 'as-is' }, () => {});
  await waitFor(() => fake.calls().some((c) => c.startsWith('gpiomon')), 10_000);
  t.ok(fake.calls().includes('gpiomon -b -F %o %e gpiochip0 27'));
  await input.close();
  await t.rejects(gpio.input({ name: 'NOPE' }, { bias: 'as-is' }, () => {}), { code: 'GPIO_LINE_UNKNOWN' });
});

t.test('chardev without the tools: the error says to install gpiod', async (t) => {
  await t.rejects(createGpioBackend({ backend: 'chardev', env: { PATH: '/nonexistent' } }), { code: 'GPIO_UNAVAILABLE', message: /apt install gpiod/ });
});
