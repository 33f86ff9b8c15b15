import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { bch, byteCapacity, encodeQr, qrToPbm, rsRemainder, type QrCode } from '../../src/cli/commands/token-qr.js';
import { issueLoginCode, loginCodeDir, redeemLoginCode } from '../../src/api/login-codes.js';
import { tokenHash } from '../../src/api/sessions.js';
import { readToken } from '../../src/api/token.js';
import { runHearth } from '../helpers/hearth-cli.js';

/**
 * `hearth token --qr`: the QR encoder against the standard's worked values and an independent
 * decoder (ZBar's zbarimg, Debian zbar-tools), the one-time code (once, 5 minutes, dead after a
 * token rotation), and the command end to end: the code it prints in the terminal, read back
 * module by module and decoded, is the login link.
 */
const dir = mkdtempSync(join(tmpdir(), 'hearth-qr-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ZBAR = ['/usr/bin/zbarimg', '/usr/local/bin/zbarimg'].find((p) => existsSync(p));

function decode(qr: QrCode, name: string): string {
  const file = join(dir, `${name}.pbm`);
  writeFileSync(file, qrToPbm(qr));
  return execFileSync(ZBAR!, ['-q', '--raw', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().replace(/\n$/, '');
}

t.test("the standard's worked values: Reed-Solomon, format and version information", async (t) => {
  // ISO/IEC 18004 Annex I: "01234567" at 1-M has these 16 data and 10 error correction codewords.
  const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
  t.same(rsRemainder(data, 10), [0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
  t.equal(bch(0b00000, 0x537, 10) ^ 0x5412, 0b101010000010010, 'format information, level M mask 0');
  t.equal(bch(0b00101, 0x537, 10) ^ 0x5412, 0b100000011001110, 'format information, level M mask 5');
  t.equal(bch(7, 0x1f25, 12), 0x07c94, 'version information, version 7');
  t.same([1, 4, 9, 10].map(byteCapacity), [14, 62, 180, 213], 'byte-mode capacities at level M (Table 7)');
  t.throws(() => encodeQr('x'.repeat(214)), { code: 'QR_TOO_LONG' });
});

t.test('every version 1-10 decodes with an independent decoder', { skip: ZBAR ? false : 'zbarimg (Debian zbar-tools) is not installed' }, async (t) => {
  for (let v = 1; v <= 10; v++) {
    const text = `http://192.0.2.10:8080/#login=`.padEnd(byteCapacity(v), 'A').slice(0, byteCapacity(v));
    const qr = encodeQr(text);
    t.equal(qr.version, v, `${text.length} bytes need version ${v}`);
    t.equal(decode(qr, `v${v}`), text, `version ${v}, mask ${qr.mask}`);
  }
});

t.test('a login code works once, within its time, as the token it stands for', async (t) => {
  const state = join(dir, 'codes');
  const key = tokenHash('some-token');
  const a = issueLoginCode(state, key, 1_000_000);
  t.match(a.code, /^[A-Za-z0-9_-]{24}$/);
  t.notOk(readdirSync(loginCodeDir(state)).some((f) => f.includes(a.code)), 'the code itself is in no file name');
  t.equal(redeemLoginCode(state, a.code, 1_000_001), key);
  t.equal(redeemLoginCode(state, a.code, 1_000_002), undefined, 'then dead');
  const b = issueLoginCode(state, key, 1_000_000);
  t.equal(redeemLoginCode(state, b.code, 1_000_000 + 5 * 60_000), undefined, 'dead after 5 minutes');
  t.equal(redeemLoginCode(state, '../../etc/passwd', 1_000_000), undefined, 'only codes');
  issueLoginCode(state, key, 1_000_000);
  issueLoginCode(state, key, 9_000_000);
  t.equal(readdirSync(loginCodeDir(state)).length, 1, 'expired codes are swept when a new one is made');
});

/** The terminal rendering back to modules: half blocks, light cells printed (dark terminal). */
function fromTerminal(text: string): QrCode {
  const rows = text.split('\n').filter((l) => /^[█▀▄ ]+$/.test(l) && l.length > 20);
  const lit: boolean[][] = [];
  for (const row of rows) {
    lit.push([...row].map((c) => c === '█' || c === '▀'));
    lit.push([...row].map((c) => c === '█' || c === '▄'));
  }
  const n = rows[0]!.length;
  const size = n - 8;
  const modules = Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => !lit[y + 4]![x + 4]));
  return { version: (size - 17) / 4, mask: -1, size, modules };
}

t.test('hearth token --qr prints a QR code of a one-time link; the link logs in once', async (t) => {
  const state = join(dir, 'cli');
  const config = join(dir, 'cli.yaml');
  writeFileSync(config, `gateway: { id: gw-qr, stateDir: ${state} }\nplatform: { url: 'mqtts://platform.example:8883' }\napi: { port: 8443 }\n`);
  const res = await runHearth(['token', '--qr', '--host', '192.0.2.7', '--config', config]);
  t.equal(res.code, 0, res.stderr);
  const link = /^(http:\/\/192\.0\.2\.7:8443\/#login=([A-Za-z0-9_-]+))$/m.exec(res.stdout);
  t.ok(link, `the link is printed: ${res.stdout.slice(-200)}`);
  t.match(res.stdout, /logs in once, within 5 min/);
  t.notOk(res.stdout.includes(readToken(state)!), 'the token itself is not shown');
  if (ZBAR) t.equal(decode(fromTerminal(res.stdout), 'terminal'), link![1], 'the code in the terminal is the link');
  t.equal(redeemLoginCode(state, link![2]!), tokenHash(readToken(state)!), 'the code logs in as the administrator token');
  t.equal(redeemLoginCode(state, link![2]!), undefined, 'once');
  t.equal((await runHearth(['token', '--qr', '--rotate', '--config', config])).code, 64, '--qr and --rotate do not go together');
  const help = await runHearth(['token', '--help']);
  t.match(help.stdout + help.stderr, /--qr/);
});
