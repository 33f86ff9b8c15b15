import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import type { GatewayEvent } from '../../../src/model/event.js';
import { OutboxStorageError } from '../../../src/outbox/errors.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { mountTmpfs } from '../../helpers/tmpfs.js';
import { DELIVERY_MS, matrixField, startRig, type Rig, type Tap } from './harness.js';

/**
 * Fault matrix, storage (docs/alarm-path.md). Each test: one fault of the outbox or the state
 * directory, then a fire alarm at the detector. The siren must sound and the alarm must reach the
 * platform within 10 s; the storage fault is reported upstream and clears when the disk is back;
 * every event the gateway raised reaches the platform (nothing committed is lost).
 *   - the outbox's append throws (an I/O error on the handle)
 *   - disk full at start / while running (a real tmpfs filled up)
 *   - outbox file corrupted at start (garbage) / while running (database, log and index trashed)
 *   - state directory read-only (a tmpfs remounted ro: a failing SD card)
 *   - console state and API token empty or garbage
 */
const world = await matrixField(t, { units: 12, broker: true });
const { slave, slavePort, nextUnit } = world;
const broker = world.broker!;

function rig(t: Tap, id: string, extra: Partial<Parameters<typeof startRig>[1]> = {}): Promise<Rig> {
  return startRig(t, { id, unit: nextUnit(), slave, slavePort, brokerUrl: broker.url, ...extra });
}

/** Every event the gateway raised, recorded as the pipeline saw it. */
function raisedEvents(r: Rig): GatewayEvent[] {
  const seen: GatewayEvent[] = [];
  r.daemon.bus.on('event', (e) => seen.push(e));
  return seen;
}

/** The alarm path's two promises, whatever the fault. */
async function alarmStillWorks(t: Tap, r: Rig): Promise<void> {
  const raised = await r.raiseSmoke();
  const sirenMs = await r.sirenWithin(raised);
  t.pass(`siren sounded ${Math.round(sirenMs)} ms after the detector changed`);
  const deliveredMs = await r.alarmAtPlatformWithin(raised);
  t.ok(deliveredMs <= DELIVERY_MS, `fire alarm at the platform after ${Math.round(deliveredMs)} ms`);
}

async function nothingLost(t: Tap, r: Rig, raised: GatewayEvent[]): Promise<void> {
  const ids = () => new Set(r.events.map((e) => e.id as string));
  await waitFor(() => raised.every((e) => ids().has(e.id)), 20_000).catch(() => undefined);
  const missing = raised.filter((e) => !ids().has(e.id)).map((e) => `${e.kind} ${e.point ?? ''} ${e.id}`);
  t.same(missing, [], `every one of ${raised.length} events raised reached the platform`);
}

const faultUpstream = (r: Rig, point: string) => r.events.some((e) => e.kind === 'fault' && e.pt === point);
const restoreUpstream = (r: Rig, point: string) => r.events.some((e) => e.kind === 'restore' && e.pt === point);

t.test('the outbox append throws (I/O error on the handle): alarm sounds and is sent from memory; the file is reopened', async (t) => {
  const r = await rig(t, 'mx-append');
  const raised = raisedEvents(r);
  await waitFor(() => r.daemon.store.current() !== undefined);
  const box = r.daemon.store.current()!;
  box.appendEvent = () => {
    throw new OutboxStorageError('appendEvent', 'SQLITE_IOERR_WRITE');
  };
  await alarmStillWorks(t, r);
  await waitFor(() => faultUpstream(r, 'storage'), DELIVERY_MS);
  await waitFor(() => restoreUpstream(r, 'storage'), 15_000);
  t.ok(r.daemon.store.health().ok, 'a fresh handle works');
  await nothingLost(t, r, raised);
});

t.test('disk full at start: the gateway starts in a storage fault, sounds and sends; recovers when room is made', async (t) => {
  const fs = mountTmpfs(t, 2048);
  if (fs === undefined) return t.plan(0, 'skipped: the kernel refused a tmpfs mount here (not root)');
  const stateDir = join(fs.dir, 'state');
  let filler = '';
  const r = await rig(t, 'mx-full-start', {
    stateDir,
    beforeStart: () => {
      mkdirSync(stateDir, { recursive: true });
      filler = fs.fill();
    },
  });
  const raised = raisedEvents(r);
  t.notOk(r.daemon.store.health().ok, 'storage fault at start');
  await alarmStillWorks(t, r);
  await waitFor(() => faultUpstream(r, 'storage'), DELIVERY_MS);
  rmSync(filler);
  await waitFor(() => r.daemon.store.health().ok, 20_000);
  await waitFor(() => restoreUpstream(r, 'storage'), DELIVERY_MS);
  t.ok(existsSync(r.outboxPath), 'the outbox file exists now');
  await nothingLost(t, r, raised);
});

t.test('disk full while running: events keep being committed, the alarm sounds and is sent', async (t) => {
  const fs = mountTmpfs(t, 24 * 1024);
  if (fs === undefined) return t.plan(0, 'skipped: the kernel refused a tmpfs mount here (not root)');
  const r = await rig(t, 'mx-full-run', { stateDir: join(fs.dir, 'state'), outboxYaml: 'reserveMb: 2, minFreeMb: 0' });
  const raised = raisedEvents(r);
  await waitFor(() => r.daemon.store.current() !== undefined);
  const filler = fs.fill();
  await alarmStillWorks(t, r);
  await waitFor(() => faultUpstream(r, 'storage'), DELIVERY_MS);
  rmSync(filler);
  await nothingLost(t, r, raised);
});

t.test('outbox file corrupted at start: moved aside, a fresh one started, alarm sounds and is sent', async (t) => {
  const r = await rig(t, 'mx-corrupt-start', {
    beforeStart: ({ stateDir, outboxPath }) => {
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(outboxPath, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(16384, 0x5a)]));
    },
  });
  const raised = raisedEvents(r);
  t.ok(r.daemon.store.health().ok);
  t.ok(readdirSync(r.stateDir).some((f) => f.startsWith('outbox.db.corrupt-')), 'the damaged file was kept aside');
  await alarmStillWorks(t, r);
  await waitFor(() => r.events.some((e) => e.kind === 'fault' && /moved aside/.test(String(e.msg))), DELIVERY_MS);
  await nothingLost(t, r, raised);
});

t.test('outbox corrupted while running (database pages, log and index trashed): alarm sounds and is sent; the file is moved aside after the check', async (t) => {
  const r = await rig(t, 'mx-corrupt-run');
  const raised = raisedEvents(r);
  await waitFor(() => r.daemon.store.current() !== undefined);
  await waitFor(() => existsSync(`${r.outboxPath}-wal`));
  // Everything into the database file first (a second connection may checkpoint), so trashing its
  // pages destroys what the gateway stored, as a failing card would.
  const other = new Database(r.outboxPath);
  other.pragma('wal_checkpoint(TRUNCATE)');
  other.close();
  for (const [file, from, fill] of [
    [r.outboxPath, 4096, 0xff],
    [`${r.outboxPath}-wal`, 32, 0xa5],
    [`${r.outboxPath}-shm`, 0, 0x77],
  ] as const) {
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    const junk = Buffer.alloc(Math.max(0, Math.min(size, 1 << 20) - from), fill);
    writeSync(fd, junk, 0, junk.length, from);
    closeSync(fd);
  }
  await alarmStillWorks(t, r);
  await waitFor(() => faultUpstream(r, 'storage'), DELIVERY_MS);
  await waitFor(() => r.daemon.store.health().ok, 20_000);
  t.ok(readdirSync(r.stateDir).some((f) => f.startsWith('outbox.db.corrupt-')), 'the damaged file was kept aside');
  await nothingLost(t, r, raised);
});

t.test('outbox file emptied (0 bytes) between runs: a fresh outbox, the sequence continues above the mark, the loss is reported', async (t) => {
  const r = await rig(t, 'mx-emptied', {
    beforeStart: ({ stateDir, outboxPath }) => {
      // What a gateway that had handed out numbers up to 500000 leaves when its outbox lost its content.
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(join(stateDir, 'outbox-sequence.json'), '{"highWater":500000}\n');
      writeFileSync(outboxPath, '');
    },
  });
  const raised = raisedEvents(r);
  t.ok(r.daemon.store.health().ok, 'not a storage fault: the gateway runs on the fresh file');
  await alarmStillWorks(t, r);
  await waitFor(() => faultUpstream(r, 'outbox-replaced'), DELIVERY_MS);
  const fault = r.events.find((e) => e.pt === 'outbox-replaced')!;
  t.equal(fault.sev, 'major');
  const fire = r.events.find((e) => e.kind === 'alarm' && e.sev === 'fire')!;
  t.ok((fire.seq as number) > 500000, `the fire alarm's seq ${String(fire.seq)} is above every number handed out before`);
  await nothingLost(t, r, raised);
});

t.test('state directory read-only (a card the kernel remounted ro): the gateway starts, sounds and sends', async (t) => {
  const fs = mountTmpfs(t, 1024);
  if (fs === undefined) return t.plan(0, 'skipped: the kernel refused a tmpfs mount here (not root)');
  const r = await rig(t, 'mx-readonly', { stateDir: fs.dir, beforeStart: () => fs.readOnly() });
  const raised = raisedEvents(r);
  t.notOk(r.daemon.store.health().ok, 'storage fault');
  await alarmStillWorks(t, r);
  await waitFor(() => faultUpstream(r, 'storage'), DELIVERY_MS);
  await nothingLost(t, r, raised);
});

t.test('console state and API token empty or garbage: moved aside, the gateway starts, sounds and sends', async (t) => {
  const apiPort = await freePort();
  const r = await rig(t, 'mx-state-files', {
    apiYaml: `{ enabled: true, host: 127.0.0.1, port: ${apiPort} }`,
    beforeStart: ({ stateDir }) => {
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(join(stateDir, 'console-state.json'), '{"testAlarms":[{"eventId":');
      writeFileSync(join(stateDir, 'api-token'), '', { mode: 0o600 });
      writeFileSync(join(stateDir, 'alarm-latches.json'), '\u00ff\u00fe garbage');
    },
  });
  const raised = raisedEvents(r);
  await alarmStillWorks(t, r);
  await waitFor(() => faultUpstream(r, 'state:console-state.json') && faultUpstream(r, 'state:api-token') && faultUpstream(r, 'state:alarm-latches.json'), DELIVERY_MS);
  t.ok((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).ok, 'the console answers');
  await nothingLost(t, r, raised);
});
