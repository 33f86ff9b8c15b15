import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { phone } from './phone.js';
import { addUser } from '../../src/api/access/user-file.js';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { demoCopy } from '../helpers/demo-config.js';

/**
 * The demo's smart leakage breaker in the console, in real Chromium at 390×844: the electrical fire
 * detector's alarm trips it (the demo's rule), the device page shows it open; the installer closes
 * it only after the in-page confirmation, and runs its monthly leakage self-test on demand.
 * Screenshots in test-artifacts/screenshots/ (commands-*.png).
 */
declare const document: { body: { innerText: string } };
declare const window: { HEARTH_I18N: Record<string, Record<string, string>> };
const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

// The demo as shipped (config/demo.yaml, ports moved aside): its breaker, its rule, its schedule.
const demo = await demoCopy((c) => {
  c.log = { level: 'warn', format: 'json' };
});
t.teardown(() => rmSync(demo.dir, { recursive: true, force: true }));
const apiPort = demo.apiPort;
const { config, profiles } = await loadConfigWithProfiles(demo.file);
// Before the start: the users file is read when the API starts.
const installer = addUser(config.gateway.stateDir, 'installer-wang', 'installer').token;
const daemon = new Daemon({ config, profiles, logger: silentLogger() });
await daemon.start();
t.teardown(() => daemon.stop());

const { page } = await phone(t);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `commands-${name}.png`), fullPage: true });
const detail = () => page.getByTestId('device-detail');
/** The alarm window of the demo's cycle is over (~20 s in): no alarm whose source is still in alarm. */
async function waitAlarmOver(t: { ok(v: boolean, m: string): void }): Promise<void> {
  const over = () => daemon.desk.list().every((c) => c.event.kind !== 'alarm' || c.clearedAt !== undefined);
  for (let i = 0; i < 200 && !over(); i++) await page.waitForTimeout(200);
  t.ok(over(), 'the electrical fire alarm is over');
}
const rawKeys = () =>
  page.evaluate(() => {
    const text = document.body.innerText;
    return Object.keys(window.HEARTH_I18N.en ?? {}).filter((k) => (k.startsWith('cmd') || k.startsWith('maint')) && text.includes(k));
  });

t.test('tripped by the electrical-fire rule; closed after confirming; the self-test on demand', async (t) => {
  await page.goto(`http://127.0.0.1:${apiPort}`);
  await page.getByTestId('token').fill(installer);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('health').waitFor();
  await page.goto(`http://127.0.0.1:${apiPort}/#device/breaker-1`);
  await detail().waitFor();
  // alarm-cycle: the detector alarms ~9 s after the start; the rule trips the breaker.
  await page.waitForFunction(() => /断路器合闸\s*分闸/.test(document.body.innerText), undefined, { timeout: 40_000 });
  t.pass('the device page shows the breaker open (分闸)');
  await page.getByTestId('device-commands').waitFor();
  t.same(await rawKeys(), [], 'no raw keys');
  await shot('zh-CN-tripped');

  // The detector raises two alarms a cycle (its bit, then its threshold after the on-delay), and
  // each trips the breaker: close it once the alarm is over, as an installer would.
  await waitAlarmOver(t);
  await page.getByTestId('command-close').click();
  await page.getByTestId('command-ask').waitFor();
  t.match(await page.getByTestId('command-ask').textContent(), /确认执行 合闸\?.*现场安全/, 'a safety command asks first');
  t.equal(await page.locator('[data-testid=command-result]').count(), 0, 'nothing sent yet');
  await shot('zh-CN-confirm-close');
  await page.getByTestId('command-confirm').click();
  await page.waitForFunction(() => /已执行（回读确认）/.test(document.body.innerText));
  await page.waitForFunction(() => /断路器合闸\s*合闸/.test(document.body.innerText), undefined, { timeout: 10_000 });
  t.pass('closed, confirmed by read-back, the page shows it closed');
  await shot('zh-CN-closed');

  // Never during an alarm (the schedule refuses then).
  await waitAlarmOver(t);
  await page.getByTestId('maintenance-run').click();
  await page.waitForFunction(() => /上次: .* · 已执行（回读确认）/.test(document.body.innerText), undefined, { timeout: 15_000 });
  t.match(await page.getByTestId('maintenance').textContent(), /每月 03:00/);
  t.same(await rawKeys(), [], 'no raw keys');
  await shot('zh-CN-self-test');
});

t.test('the commissioning report lists the maintenance task with its last result', async (t) => {
  await page.goto(`http://127.0.0.1:${apiPort}/api/report.html?lang=zh-CN`);
  const table = page.getByTestId('maintenance');
  await table.waitFor();
  t.match(await table.textContent(), /Smart leakage breaker[\s\S]*每月 03:00 · 漏电自检[\s\S]*通过（回读确认）/);
  await shot('zh-CN-report');
});
