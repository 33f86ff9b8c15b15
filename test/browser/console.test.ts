import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/log/logger.js';
import { readToken } from '../../src/api/token.js';
import { addUser } from '../../src/api/access/user-file.js';
import { freePort } from '../helpers/net.js';
import { startPymodbus } from '../helpers/pymodbus.js';
import { MonitoringCentreSim } from '../../src/sim/monitoring-centre.js';

/**
 * The console in a real browser against a real gateway: Debian's Chromium driven by playwright-core,
 * the daemon with its demo simulators (Modbus TCP slaves, one in an alarm cycle), the embedded
 * broker as the platform, and a pymodbus slave on a spare bus for the scan. Phone-sized viewport;
 * screenshots go to test-artifacts/console/.
 */
const CHROMIUM = '/usr/bin/chromium';
// Page functions run in the browser; the project's TypeScript lib has no DOM, so declare what they use.
declare const document: { querySelector(sel: string): { textContent: string | null } | null; documentElement: { lang: string } };
declare function fetch(url: string, init: object): Promise<{ status: number }>;
const SHOTS = join(process.cwd(), 'test-artifacts', 'console');
mkdirSync(SHOTS, { recursive: true });

const dir = mkdtempSync(join(tmpdir(), 'hearth-browser-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const [simSmoke, simRcd, brokerPort, apiPort, scanPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);

const pymodbus = await startPymodbus({ mode: 'tcp', port: scanPort, units: [2, 5] });
t.teardown(() => pymodbus.stop());
// The fire monitoring centre beside the platform: its duty checks are answered from the console.
const centre = await MonitoringCentreSim.start();
t.teardown(() => centre.close());

const file = join(dir, 'hearth.yaml');
writeFileSync(
  file,
  `gateway: { id: gw-browser, name: 和平里3号楼, stateDir: ${dir}/state, clockSync: assume-synced, location: { building: 和平里3号楼 } }
buses:
  - { id: line-101, type: modbus-tcp, host: 127.0.0.1, port: ${simSmoke}, timeoutMs: 500 }
  - { id: power, type: modbus-tcp, host: 127.0.0.1, port: ${simRcd}, timeoutMs: 500 }
  - { id: new-line, type: modbus-tcp, host: 127.0.0.1, port: ${scanPort}, timeoutMs: 500 }
devices:
  - { id: smoke-101, name: 101 客厅烟感, profile: example-smoke-detector, bus: line-101, address: 1, pollIntervalMs: 500, location: { building: 和平里3号楼, floor: '1', room: '101 客厅' } }
  - { id: smoke-102, name: 102 走廊烟感, profile: example-smoke-detector, bus: line-101, address: 2, pollIntervalMs: 500, location: { building: 和平里3号楼, floor: '1', room: '102 走廊' } }
  - { id: rcd-main, name: 总配电箱电气火灾探测器, profile: example-residual-current-detector, bus: power, address: 1, pollIntervalMs: 500, location: { building: 和平里3号楼, floor: '1', room: 配电间 } }
api: { host: 127.0.0.1, port: ${apiPort} }
log: { level: warn }
# A platform that never confirms fire alarms, with a short receipt time: the fault banner shows.
outbox: { alarmAckTimeoutMs: 4000 }
# A monitoring centre that takes only faults: its confirms are no fire alarm receipts here.
centres:
  - { id: fire-centre, host: 127.0.0.1, port: ${centre.port}, sourceAddress: 1001, route: { kinds: [fault], readings: false } }
demo:
  brokerPort: ${brokerPort}
  confirmEvents: false
  simulators:
    - { profile: example-smoke-detector, port: ${simSmoke}, units: [1, 2], scenario: alarm-cycle }
    - { profile: example-residual-current-detector, port: ${simRcd}, units: [1], scenario: steady }
`,
);
const { config, profiles } = await loadConfigWithProfiles(file);
const daemon = new Daemon({ config, profiles, logger: silentLogger() });
await daemon.start();
t.teardown(() => daemon.stop());
const base = `http://127.0.0.1:${apiPort}`;
const token = readToken(config.gateway.stateDir)!;
// A resident's token, as the installer guide says to hand out (hearth user add ... --role viewer).
const residentToken = addUser(config.gateway.stateDir, 'flat-101', 'viewer').token;

const profileDir = mkdtempSync(join(tmpdir(), 'hearth-chromium-'));
t.teardown(() => rmSync(profileDir, { recursive: true, force: true }));
const context: BrowserContext = await chromium.launchPersistentContext(profileDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
});
t.teardown(() => context.close());
const page: Page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(30_000);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

t.test('log in (zh-CN by default); a wrong token is refused', async (t) => {
  await page.goto(base);
  await page.getByTestId('login').waitFor();
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  t.match(await page.textContent('[data-testid=login] h2'), '登录网关');
  await shot('01-login');
  await page.getByTestId('token').fill('not-the-token');
  await page.getByTestId('login-submit').click();
  await page.getByText('令牌错误').waitFor();
  await page.getByTestId('token').fill(token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('health').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=online-count]')?.textContent?.trim() === '3 / 3');
  t.pass('overview shows all three devices online');
  const cookies = await context.cookies(base);
  t.ok(cookies.find((c) => c.name === 'hearth_session')?.httpOnly, 'session cookie is HttpOnly');
});

t.test('devices update live from the simulators', async (t) => {
  await page.click('a[data-tab=devices]');
  const value = page.locator('[data-device=smoke-101] [data-point=temperature] b');
  await value.waitFor();
  const first = await value.textContent();
  await page.waitForFunction(
    (before) => document.querySelector('[data-device=smoke-101] [data-point=temperature] b')?.textContent !== before,
    first,
    { timeout: 20_000 },
  );
  t.not(await value.textContent(), first, 'temperature changed without reloading the page');
  await shot('02-devices');
  await page.click('[data-device=smoke-101] a');
  await page.getByTestId('chart').waitFor();
  t.pass('device detail draws a chart of recent readings');
  await shot('03-device-detail');
});

t.test('acknowledge an alarm', async (t) => {
  await page.click('a[data-tab=overview]');
  // alarm-cycle: smoke-101 and smoke-102 go into fire alarm about 8 s after the simulator started.
  const ack = page.getByTestId('ack').first();
  await ack.waitFor({ timeout: 60_000 });
  await shot('04-alarm');
  const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes('/ack')), ack.click()]);
  t.equal(res.status(), 200);
  await page.getByTestId('acked').first().waitFor({ timeout: 10_000 });
  t.match(await page.getByTestId('acked').first().textContent(), /已确认 · admin/, 'recorded as the signed-in user');
  await shot('05-alarm-acknowledged');
});

t.test('a fire alarm the receiving centre does not confirm: the fault banner on every page, the alarm marked', async (t) => {
  const banner = page.getByTestId('fault-banner');
  await page.waitForFunction(() => /接收中心确认/.test(document.querySelector('[data-testid=fault-banner]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  t.ok(await banner.isVisible(), 'banner shown');
  await page.getByTestId('receipt').first().waitFor({ timeout: 10_000 });
  t.match(await page.getByTestId('receipt').first().textContent(), '中心未确认', 'the overdue alarm says so');
  await page.click('a[data-tab=devices]');
  t.ok(await banner.isVisible(), 'still shown on another page');
  await shot('05b-receipt-fault-banner');
  await page.click('a[data-tab=overview]');
});

t.test('bus scan against a pymodbus slave', async (t) => {
  await page.click('a[data-tab=tools]');
  await page.selectOption('#scan-bus', 'new-line');
  await page.fill('input[name=from]', '1');
  await page.fill('input[name=to]', '6');
  await page.getByTestId('scan-start').click();
  await page.waitForSelector('[data-testid=scan-state][data-state=done]', { timeout: 30_000 });
  const found = await page.getByTestId('scan-found').textContent();
  t.equal(found?.trim(), '地址 2, 地址 5');
  t.ok(await page.getByTestId('no-outputs').isVisible(), 'no outputs configured yet');
  await shot('06-scan');
});

t.test("a monitoring centre's duty check: shown on every page until someone on site answers it", async (t) => {
  await page.click('a[data-tab=overview]');
  await page.getByTestId('destinations').waitFor();
  await page.waitForSelector('[data-testid=destination][data-id=fire-centre][data-connected=true]', { timeout: 20_000 });
  t.pass('the destinations card shows the platform and the centre, connected');
  const asked = await centre.ask({ type: 91, timeoutMinutes: 10 });
  t.equal(asked?.command, 3, 'the gateway confirms it received the duty check');
  const duty = page.getByTestId('duty-check');
  await duty.waitFor({ timeout: 15_000 });
  t.match(await duty.textContent(), '查岗');
  await page.click('a[data-tab=devices]');
  t.ok(await duty.isVisible(), 'still shown on another page');
  await shot('06b-duty-check');
  t.equal(centre.received.filter((r) => r.unit?.type === 24).length, 0, 'not answered by itself');
  const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes('/duty-check')), page.getByTestId('duty-check-answer').click()]);
  t.equal(res.status(), 200);
  const answer = await centre.waitFor((r) => r.unit?.type === 24, 10_000, 'the duty-check answer');
  t.match(answer.text, /dutyCheckAnswer/, 'the centre gets the answer (type 24)');
  await duty.waitFor({ state: 'detached', timeout: 15_000 });
  t.pass('the banner is gone once answered');
  await page.click('a[data-tab=tools]');
});

t.test('switch the language', async (t) => {
  await page.getByTestId('lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  t.equal(await page.textContent('a[data-tab=overview]'), 'Overview');
  t.match(await page.getByTestId('scan-found').textContent(), 'Unit 2, Unit 5');
  await shot('07-tools-en');
  await page.click('a[data-tab=overview]');
  await page.getByTestId('health').waitFor();
  await shot('08-overview-en');
  await page.reload();
  await page.getByTestId('health').waitFor();
  t.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');
});

t.test('administrators see the audit log: who did what, from where', async (t) => {
  await page.click('a[data-tab=tools]');
  await page.getByTestId('audit').waitFor();
  await page.waitForFunction(() => /POST \/api\/alarms\/:id\/ack/.test(document.querySelector('[data-testid=audit]')?.textContent ?? ''), undefined, { timeout: 10_000 });
  const text = (await page.getByTestId('audit').textContent()) ?? '';
  t.match(text, /admin \(administrator\) · POST \/api\/alarms\/:id\/ack/, 'the acknowledgement, by the administrator');
  t.match(text, /POST \/api\/scans/, 'the scan');
  t.match(text, /unknown · POST \/api\/login\s+refused API_UNAUTHORIZED/, 'the wrong token at login');
  t.match(text, /127\.0\.0\.1 · console/, 'from where, and how');
  t.match(await page.getByTestId('me-role').textContent(), 'administrator');
  await shot('09-audit-en');
});

t.test("a resident's viewer token: sees devices and alarms, no commissioning tools, no audit; the gateway refuses what the console hides", async (t) => {
  await page.locator('button[data-action=logout]').click();
  await page.getByTestId('login').waitFor();
  await page.getByTestId('token').fill(residentToken);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('account').waitFor(); // back on the tools page it logged out from
  await page.click('a[data-tab=overview]');
  await page.getByTestId('health').waitFor();
  await page.click('a[data-tab=tools]');
  await page.getByTestId('account').waitFor();
  t.match(await page.getByTestId('me-user').textContent(), 'flat-101');
  t.match(await page.getByTestId('me-role').textContent(), 'resident (viewer)');
  t.equal(await page.getByTestId('scan-form').count(), 0, 'no bus scan');
  t.equal(await page.getByTestId('gateway-test-alarm').count(), 0, 'no test alarm');
  t.equal(await page.getByTestId('audit').count(), 0, 'no audit log');
  await shot('10-viewer-tools-en');
  await page.click('a[data-tab=devices]');
  await page.click('[data-device=smoke-101] a');
  await page.getByTestId('device-detail').waitFor();
  t.equal(await page.getByTestId('device-test-alarm').count(), 0, 'no test alarm on a device');
  const refused = await page.evaluate(() =>
    fetch('/api/scans', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bus: 'new-line' }) }).then((r) => r.status),
  );
  t.equal(refused, 403, 'a scan from the viewer session is refused by the gateway');
  const allowed = await page.evaluate(() =>
    fetch('/api/alarms/no-such-alarm/ack', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status),
  );
  t.equal(allowed, 404, 'acknowledging is a viewer right (the same-origin request passes the origin check; no such alarm)');
});
