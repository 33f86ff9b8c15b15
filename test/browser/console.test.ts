import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { phone } from './phone.js';
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
 * the daemon with its demo simulators (Modbus TCP slaves in an alarm cycle, a dry contact on the
 * simulated GPIO that closes at ~12 s, a tag reader), a siren the fire alarm drives, the embedded
 * broker as the platform, and a pymodbus slave on a spare bus for the scan. Phone-sized viewport
 * (390×844), both languages; every tab is walked during the alarm and after it, and the test fails
 * on any raw point identifier, i18n key or true/false in the visible text. Screenshots go to
 * test-artifacts/screenshots/ (docs/console.md).
 */
// Page functions run in the browser; the project's TypeScript lib has no DOM, so declare what they use.
declare const document: {
  querySelector(sel: string): { textContent: string | null } | null;
  querySelectorAll(sel: string): ArrayLike<{ getAttribute(n: string): string | null; textContent: string | null }>;
  documentElement: { lang: string };
  body: { innerText: string };
};
declare const window: { HEARTH_I18N: Record<string, Record<string, string>> };
declare function fetch(url: string, init?: object): Promise<{ status: number; json(): Promise<unknown> }>;
const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

const dir = mkdtempSync(join(tmpdir(), 'hearth-browser-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const [simSmoke, simRcd, brokerPort, apiPort, scanPort, tagPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);

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
gpio:
  backend: sim
  inputs:
    - { id: boiler-contact, name: 锅炉房烟感触点, pin: 17, point: fire_alarm, role: alarm, labels: { zh-CN: 烟感报警触点, en: Smoke alarm contact }, location: { building: 和平里3号楼, floor: basement, room: 锅炉房 } }
  outputs:
    - { name: siren-hall, pin: 22, description: 门厅声光报警器, sounder: true }
tags:
  readers:
    - { id: elevator-reader, name: 电梯读卡器, protocol: rdm6300, tcp: '127.0.0.1:${tagPort}', location: { building: 和平里3号楼, floor: '1', room: 电梯厅 } }
actions:
  - { name: fire-siren, when: { kinds: [alarm], severities: [fire] }, do: [{ output: siren-hall, mode: 'on' }] }
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
  contacts: { scenario: alarm-cycle }
  tagReaders: [{ port: ${tagPort}, protocol: rdm6300, scenario: ebike-visit }]
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

const { context, page } = await phone(t);
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/**
 * What a person must never read: a profile's point identifier, an i18n key, true/false,
 * undefined/NaN/null. Point ids are snake_case words (`smoke_density`) or any text node that is
 * exactly an id; keys are `prefix.name` with a prefix of the console's own keys.
 */
async function rawText(): Promise<string[]> {
  return page.evaluate(async () => {
    const cat = (await (await fetch('/api/catalogue', { credentials: 'same-origin' })).json()) as { points: { name: string }[] }[];
    const ids = new Set(cat.flatMap((d) => d.points.map((p) => p.name)));
    const keys = Object.keys(window.HEARTH_I18N.en ?? {}).filter((k) => k.includes('.'));
    const text = document.body.innerText;
    const found: string[] = [];
    for (const id of ids) if (id.includes('_') && new RegExp(`\\b${id}\\b`).test(text)) found.push(id);
    for (const line of text.split('\n')) if (ids.has(line.trim())) found.push(line.trim());
    for (const k of keys) if (text.includes(k)) found.push(k);
    for (const w of ['true', 'false', 'undefined', 'NaN', 'null', 'basementF', 'basement层']) if (new RegExp(`(^|[^A-Za-z])${w}([^A-Za-z]|$)`).test(text)) found.push(w);
    return found;
  });
}
async function everyTab(t: Test, lang: string, moment: string) {
  for (const tab of ['overview', 'devices', 'events', 'tools']) {
    await page.click(`a[data-tab=${tab}]`);
    await page.waitForFunction((tb) => document.querySelector(`a[data-tab=${tb}].on`) !== null, tab);
    await page.waitForTimeout(150);
    t.same(await rawText(), [], `${lang} ${tab} ${moment}: no raw identifiers or keys`);
    await shot(`${lang}-${moment}-${tab}`);
  }
  await page.click('a[data-tab=devices]');
  await page.click('[data-device=smoke-101] a');
  await page.getByTestId('device-detail').waitFor();
  await page.getByTestId('chart').waitFor({ timeout: 15_000 });
  t.same(await rawText(), [], `${lang} device detail ${moment}: no raw identifiers or keys`);
  await shot(`${lang}-${moment}-device`);
}
const cardOrder = () => page.$$eval('[data-testid=alarm-card]', (els) => els.map((e) => e.getAttribute('data-device')));

t.test('log in (zh-CN by default): no tab bar before; a wrong token is refused', async (t) => {
  await page.goto(base);
  await page.getByTestId('login').waitFor();
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  t.notOk(await page.locator('#tabs').isVisible(), 'no tab bar on the login page');
  await shot('zh-CN-login');
  await page.getByTestId('token').fill('not-the-token');
  await page.getByTestId('login-submit').click();
  await page.getByText('令牌错误').waitFor();
  await page.getByTestId('token').fill(token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('health').waitFor();
  t.ok(await page.locator('#tabs').isVisible());
  const cookies = await context.cookies(base);
  t.ok(cookies.find((c) => c.name === 'hearth_session')?.httpOnly, 'session cookie is HttpOnly');
});

t.test('walk test on the boiler-room contact: started by the installer, shown on every screen', async (t) => {
  await page.click('a[data-tab=tools]');
  await page.getByTestId('walk-form').waitFor();
  await page.selectOption('[data-testid=walk-form] select[name=scope]', 'boiler-contact');
  await page.getByTestId('walk-start').click();
  await page.getByTestId('walk-stop').waitFor();
  await page.getByTestId('walk-banner').waitFor();
  t.match(await page.getByTestId('walk-banner').textContent(), /巡检测试中 · 锅炉房烟感触点 · 至 \d\d:\d\d · 声光报警器不启用/);
  await page.click('a[data-tab=devices]');
  t.ok(await page.getByTestId('walk-banner').isVisible(), 'on another page too');
  t.equal(await page.locator('[data-testid=device]').count(), 6, 'every device of every kind: 3 Modbus, the contact, the tag reader, the siren');
  t.same((await page.$$eval('[data-testid=device]', (els) => els.map((e) => e.getAttribute('data-kind')))).sort(), ['contact', 'modbus', 'modbus', 'modbus', 'output', 'tag-reader']);
});

t.test('alarm cards per device: name first, points inside, stable order, one acknowledgement, silence', async (t) => {
  await page.click('a[data-tab=overview]');
  // alarm-cycle: smoke-101 and smoke-102 go into fire alarm about 8 s after the simulators started.
  await page.waitForSelector('[data-testid=alarm-card][data-device=smoke-101] [data-testid=alarm] >> nth=1', { timeout: 30_000 });
  const card = page.locator('[data-testid=alarm-card][data-device=smoke-101]');
  t.match(await card.locator('.aname').textContent(), '101 客厅烟感', 'the name leads');
  t.match(await card.textContent(), /1层 \/ 101 客厅/);
  t.match(await card.textContent(), /火灾报警: 报警/, 'the detector bit, named');
  t.match(await card.textContent(), /烟雾浓度: \d\.\d{3} dB\/m \(限值 0\.150 dB\/m\)/, 'the threshold, rounded to the resolution');
  const before = await cardOrder();
  // The boiler contact closes at ~12 s: its card joins at the end, the others do not move.
  await page.waitForSelector('[data-testid=alarm-card][data-device=boiler-contact]', { timeout: 30_000 });
  const after = await cardOrder();
  t.same(after.slice(0, before.length), before, 'cards already shown keep their place');
  t.equal(after[after.length - 1], 'boiler-contact', 'the new card is appended');
  t.match(await page.locator('[data-testid=alarm-card][data-device=boiler-contact]').textContent(), /测试[\s\S]*地下室 \/ 锅炉房/, 'a walk-test alarm, marked, basement in words');
  await shot('zh-CN-alarm-cards');
  const silence = card.getByTestId('silence');
  await silence.waitFor();
  await silence.click();
  await card.getByTestId('silenced').waitFor();
  await card.getByTestId('ack').click();
  await card.getByTestId('acked').waitFor();
  t.match(await card.getByTestId('acked').textContent(), /已确认 · admin/);
  t.equal(await card.getByTestId('ack').count(), 0, 'one acknowledgement for the whole device');
  await shot('zh-CN-alarm-acknowledged');
});

t.test('every tab during the alarm, in Chinese', async (t) => {
  await everyTab(t, 'zh-CN', 'during-alarm');
  await page.click('a[data-tab=events]');
  await page.selectOption('[data-testid=event-filters] select[name=device]', 'elevator-reader');
  await page.waitForSelector('[data-testid=event]', { timeout: 10_000 });
  const kinds = await page.$$eval('[data-testid=event] b', (els) => [...new Set(els.map((e) => e.textContent))]);
  t.ok(kinds.length > 0 && kinds.every((k) => k === '标签到达' || k === '标签离开'), `only the reader's events: ${kinds}`);
  await shot('zh-CN-events-filtered');
  await page.selectOption('[data-testid=event-filters] select[name=device]', '');
});

t.test('the walk test records the contact; the report lists it, in local time with the zone', async (t) => {
  await page.click('a[data-tab=tools]');
  await page.waitForSelector('[data-testid=walk-hit]', { timeout: 15_000 });
  t.match(await page.getByTestId('walk-hits').textContent(), /锅炉房烟感触点 · 烟感报警触点/);
  await page.getByTestId('walk-stop').click();
  await page.getByTestId('walk-form').waitFor();
  await page.getByTestId('walk-banner').waitFor({ state: 'hidden' });
  const report = await context.newPage();
  await report.goto(`${base}/api/report.html?lang=zh-CN`);
  const text = await report.textContent('body');
  t.match(text, /锅炉房烟感触点[\s\S]*已报警/, 'walk-test result for the contact');
  t.match(text, /电梯读卡器/, 'the tag reader is in the report');
  t.match(text, /安装调试人员签字[\s\S]*业主（使用单位）签字/);
  t.notMatch(text, /smoke_density|fire_alarm|\btrue\b|\bfalse\b/);
  t.match(text, /时区 \S+/);
  await report.screenshot({ path: join(SHOTS, 'zh-CN-report.png'), fullPage: true });
  await report.close();
});

t.test('a fire alarm the receiving centre does not confirm: the fault banner on every page', async (t) => {
  await page.waitForFunction(() => /接收中心确认/.test(document.querySelector('[data-testid=fault-banner]')?.textContent ?? ''), undefined, { timeout: 30_000 });
  await page.click('a[data-tab=devices]');
  t.ok(await page.getByTestId('fault-banner').isVisible(), 'shown on another page');
});

t.test('after the alarm: restored cards styled apart from alarms', async (t) => {
  await page.click('a[data-tab=overview]');
  // The smoke alarm restores at ~20 s; fire alarms stay latched until acknowledged.
  await page.waitForSelector('[data-testid=alarm-card][data-device=smoke-102].c-restored', { timeout: 30_000 });
  t.equal(await page.locator('[data-testid=alarm-card][data-device=smoke-102].c-alarm').count(), 0, 'no red alarm bar on a restored card');
  await everyTab(t, 'zh-CN', 'after-alarm');
});

t.test('bus scan against a pymodbus slave; the range stays as entered', async (t) => {
  await page.click('a[data-tab=tools]');
  await page.selectOption('#scan-bus', 'new-line');
  await page.fill('input[name=from]', '1');
  await page.fill('input[name=to]', '6');
  await page.getByTestId('scan-start').click();
  await page.waitForSelector('[data-testid=scan-state][data-state=done]', { timeout: 30_000 });
  t.equal((await page.getByTestId('scan-found').textContent())?.trim(), '地址 2, 地址 5');
  t.equal(await page.inputValue('input[name=to]'), '6', 'the range is kept');
  await page.getByTestId('output-test').click();
  await page.getByTestId('output-result').waitFor();
  t.match(await page.getByTestId('output-result').textContent(), /已动作/, 'the output test says what happened');
});

t.test("a monitoring centre's duty check: shown until someone on site answers it", async (t) => {
  await page.click('a[data-tab=overview]');
  await page.waitForSelector('[data-testid=destination][data-id=fire-centre][data-connected=true]', { timeout: 20_000 });
  const asked = await centre.ask({ type: 91, timeoutMinutes: 10 });
  t.equal(asked?.command, 3, 'the gateway confirms it received the duty check');
  await page.getByTestId('duty-check').waitFor({ timeout: 15_000 });
  const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes('/duty-check')), page.getByTestId('duty-check-answer').click()]);
  t.equal(res.status(), 200);
  await centre.waitFor((r) => r.unit?.type === 24, 10_000, 'the duty-check answer');
  await page.getByTestId('duty-check').waitFor({ state: 'detached', timeout: 15_000 });
});

t.test('in English: every tab, the report, the choice remembered', async (t) => {
  await page.getByTestId('lang-toggle').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  t.equal(await page.textContent('a[data-tab=overview]'), 'Overview');
  await everyTab(t, 'en', 'after-alarm');
  await page.click('a[data-tab=overview]');
  t.match(await page.locator('[data-testid=alarm-card][data-device=boiler-contact]').textContent(), /Basement/);
  await page.reload();
  await page.getByTestId('health').waitFor();
  t.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice is remembered');
  const report = await context.newPage();
  await report.goto(`${base}/api/report.html?lang=en`);
  const text = await report.textContent('body');
  t.match(text, /Smoke density: \d\.\d{3} dB\/m/);
  t.match(text, /Installer's signature[\s\S]*Owner's signature/);
  await report.screenshot({ path: join(SHOTS, 'en-report.png'), fullPage: true });
  await report.close();
});

t.test('administrators see the audit log: who did what, from where', async (t) => {
  await page.click('a[data-tab=tools]');
  await page.getByTestId('audit').waitFor();
  const text = (await page.getByTestId('audit').textContent()) ?? '';
  t.match(text, /admin \(administrator\) · POST \/api\/devices\/:id\/ack/, 'the acknowledgement, by the administrator');
  t.match(text, /POST \/api\/walk-test/, 'the walk test');
  t.match(text, /127\.0\.0\.1 · console/, 'from where, and how');
});

t.test("a resident's viewer token: no commissioning tools; the gateway refuses what the console hides", async (t) => {
  await page.locator('button[data-action=logout]').click();
  await page.getByTestId('login').waitFor();
  await page.getByTestId('token').fill(residentToken);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('account').waitFor();
  t.match(await page.getByTestId('me-role').textContent(), 'resident (viewer)');
  t.equal(await page.getByTestId('scan-form').count(), 0, 'no bus scan');
  t.equal(await page.getByTestId('walk-test').count(), 0, 'no walk test');
  await shot('en-viewer-tools');
  const refused = await page.evaluate(() =>
    fetch('/api/walk-test', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.status),
  );
  t.equal(refused, 403, 'a walk test from the viewer session is refused by the gateway');
});

t.test('phone login: the link of hearth token --qr logs in once, then says it is used up', async (t) => {
  const { issueLoginCode } = await import('../../src/api/login-codes.js');
  const { tokenHash } = await import('../../src/api/sessions.js');
  await page.locator('button[data-action=logout]').click();
  await page.getByTestId('login').waitFor();
  const { code } = issueLoginCode(config.gateway.stateDir, tokenHash(token));
  await page.goto(`${base}/#login=${code}`);
  await page.getByTestId('health').waitFor();
  t.notMatch(page.url(), /login=/, 'the code is gone from the address bar');
  await page.click('a[data-tab=tools]');
  t.match(await page.getByTestId('me-role').textContent(), 'administrator');
  await shot('en-phone-login');
  await page.locator('button[data-action=logout]').click();
  await page.getByTestId('login').waitFor();
  await page.goto(`${base}/#login=${code}`);
  await page.getByText('This login link is no longer valid').waitFor();
  t.pass('a used link is refused, and says why');
});
