import { createRequire } from 'node:module';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import type { Command } from '../command.js';
import { version } from '../../version.js';

const require = createRequire(import.meta.url);

/**
 * What a release needs to start, checked without touching anything the running service holds (no
 * serial port, no GPIO line, no state file, no port): the installer runs this on a new release
 * before switching `current` to it (scripts/lib/release.sh). It catches a release with missing or
 * foreign-architecture node_modules (ERR_MODULE_NOT_FOUND, "invalid ELF header") before the
 * gateway is restarted onto it, not after.
 */
export const selftestCommand: Command = {
  usage: [
    'Usage: hearth selftest',
    '',
    'Loads every part of hearth and its native modules (better-sqlite3 with an in-memory database,',
    'the serialport binding, onoff/epoll where the platform has them) and exits 0 when all load.',
    'Opens no device, file or port: safe to run beside the running service.',
  ].join('\n'),
  async run(args) {
    if (args.length > 0) {
      process.stderr.write(`${this.usage}\n`);
      return EXIT_USAGE;
    }
    const failures: string[] = [];
    for (const [name, step] of STEPS) {
      try {
        await step();
        process.stdout.write(`ok    ${name}\n`);
      } catch (err) {
        failures.push(name);
        process.stdout.write(`FAIL  ${name}: ${(err as Error).message.split('\n')[0]}\n`);
      }
    }
    process.stdout.write(failures.length === 0 ? `hearth ${version()}: selftest passed\n` : `hearth ${version()}: selftest failed (${failures.join(', ')})\n`);
    return failures.length === 0 ? EXIT_OK : EXIT_FAILURE;
  },
};

const STEPS: Array<[string, () => Promise<void>]> = [
  // The daemon's whole module graph (config, buses, rules, outbox, uplink, API, remote): an import
  // that cannot be resolved fails here.
  ['hearth modules', async () => void (await import('../../daemon.js'))],
  ['command line', async () => {
    for (const m of ['check', 'run', 'token', 'user', 'scan', 'read', 'outbox', 'keygen', 'sign']) await import(`./${m}.js`);
  }],
  ['better-sqlite3 (native)', async () => {
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE t (v INTEGER)');
      db.prepare('INSERT INTO t VALUES (?)').run(42);
      const row = db.prepare('SELECT v FROM t').get() as { v: number };
      if (row.v !== 42) throw new Error('in-memory database returned a wrong value');
    } finally {
      db.close();
    }
  }],
  // The binding is what compiles per architecture; listing ports opens none.
  ['serialport binding (native)', async () => {
    require('serialport');
    // Resolved from serialport's own folder: it is serialport's dependency, not ours.
    const fromSerialport = createRequire(require.resolve('serialport'));
    const { autoDetect } = fromSerialport('@serialport/bindings-cpp') as { autoDetect: () => unknown };
    if (autoDetect() == null) throw new Error('no binding for this platform');
  }],
  // onoff needs epoll, which builds on Linux only; elsewhere it is absent by design.
  ['onoff/epoll (native, Linux)', async () => {
    if (process.platform !== 'linux') return;
    const { Gpio } = require('onoff') as { Gpio: { accessible: boolean } };
    void Gpio.accessible;
  }],
];
