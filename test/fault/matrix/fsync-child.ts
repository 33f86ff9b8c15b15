import { SimGpioBackend } from '../../../src/bus/gpio/sim-backend.js';
import type { GpioBackend } from '../../../src/bus/gpio/types.js';
import { loadConfigWithProfiles } from '../../../src/config/load.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log/logger.js';

/**
 * The gateway in a child process, for faults that must be set up before the process starts (an
 * LD_PRELOAD shim that makes fsync fail). It reports on stdout, one JSON object per line:
 * {"t":"ready"}, {"t":"siren","level":0|1} on every write of the siren's line, and
 * {"t":"event","kind":...,"point":...} for each event the pipeline saw. Stops on SIGTERM.
 */
if (process.argv[2] === undefined) {
  // Run by the test runner itself (a folder given to tap): nothing to do.
  process.stdout.write('1..0 # SKIP helper process, spawned by a test\n');
  process.exit(0);
}
const { config, profiles } = await loadConfigWithProfiles(process.argv[2]);
const sim = new SimGpioBackend();
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const gpio: GpioBackend = {
  kind: sim.kind,
  input: (line, opts, onEdge) => sim.input(line, opts, onEdge),
  output: async (line, initial, opts) => {
    const l = await sim.output(line, initial, opts);
    const siren = 'bcm' in line && line.bcm === 22;
    return { ...l, write: async (level) => {
      await l.write(level);
      if (siren) say({ t: 'siren', level });
    } };
  },
  close: () => sim.close(),
};
const daemon = new Daemon({ config, profiles, logger: silentLogger(), gpioBackend: gpio });
daemon.bus.on('event', (e) => say({ t: 'event', kind: e.kind, point: e.point, id: e.id }));
await daemon.start();
say({ t: 'ready', storageOk: daemon.store.health().ok });
setInterval(() => say({ t: 'health', storageOk: daemon.store.health().ok, held: daemon.store.health().held }), 500).unref();
process.once('SIGTERM', () => void daemon.stop().then(() => process.exit(0)));
