import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { describeUnit } from '../../src/sim/centre-describe.js';
import { MonitoringCentreSim, type CentreMode } from '../../src/sim/monitoring-centre.js';
import { Command, componentAddress, decodeUnit, type CentreUnit } from '../../src/uplink/gbt26875/index.js';

/**
 * A fire remote monitoring centre on the command line (GB/T 26875.3 over TCP), for commissioning
 * and for watching a gateway: it logs every frame in plain language and confirms sends. Commands
 * on stdin ask the last gateway that sent something for reads, sync its clock, run a duty check.
 *
 *   node dist/scripts/sim/monitoring-centre.js --port 5001 [--address 0] [--mode confirm|deny|drop] [--delay 0]
 */
const HELP = `commands:
  read <type>                         81 device state, 85/86 version/configuration, 88 device time
  read 61 <sysType> <sysAddr>         system state
  read 62|63|67 <sysType> <sysAddr> <loop> <point>   component state / analogue / configuration
  read 64|84 <count> <minutesAgo>     operations (64 needs sysType sysAddr first)
  sync                                clock sync (90) with this machine's time
  duty <minutes>                      duty check (91): someone on site answers at the console
  init                                initialise (89)
  mode confirm|deny|drop [delayMs]    how sends are answered
  close                               drop every connection`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5001' },
    host: { type: 'string', default: '0.0.0.0' },
    address: { type: 'string', default: '0' },
    mode: { type: 'string', default: 'confirm' },
    delay: { type: 'string', default: '0' },
  },
});
const log = (line: string): void => void process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const sim = await MonitoringCentreSim.start({
  host: values.host,
  port: Number(values.port),
  address: Number(values.address),
  mode: values.mode as CentreMode,
  delayMs: Number(values.delay),
  log,
});
log(`monitoring centre listening on ${values.host}:${sim.port} (mode ${values.mode}); type "help" for commands`);

function unitOf(words: string[]): CentreUnit | undefined {
  const [cmd, type, ...n] = words;
  const num = n.map(Number);
  const system = { type: num[0] ?? 1, address: num[1] ?? 1 };
  const ago = (m: number | undefined) => new Date(Date.now() - (m ?? 60) * 60_000);
  if (cmd === 'sync') return { type: 90, time: new Date() };
  if (cmd === 'duty') return { type: 91, timeoutMinutes: Number(type ?? 5) };
  if (cmd === 'init') return { type: 89 };
  if (cmd !== 'read') return undefined;
  switch (Number(type)) {
    case 61:
    case 66:
      return { type: Number(type) as 61 | 66, systems: [system] };
    case 62:
    case 63:
    case 67:
      return { type: Number(type) as 62 | 63 | 67, components: [{ system, address: componentAddress({ loop: num[2] ?? 1, point: num[3] ?? 1 }) }] };
    case 64:
      return { type: 64, system, query: { count: num[2] ?? 10, from: ago(num[3]) } };
    case 65:
    case 68:
      return { type: Number(type) as 65 | 68, system };
    case 84:
      return { type: 84, query: { count: num[0] ?? 10, from: ago(num[1]) } };
    case 81:
    case 85:
    case 86:
    case 88:
      return { type: Number(type) as 81 | 85 | 86 | 88 };
    default:
      return undefined;
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const words = line.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return;
  if (words[0] === 'help') return log(HELP);
  if (words[0] === 'close') return sim.dropConnections();
  if (words[0] === 'mode') return sim.setMode(words[1] as CentreMode, words[2] === undefined ? undefined : Number(words[2]));
  const unit = unitOf(words);
  if (unit === undefined) return log(`not a command: ${line} (type "help")`);
  void sim.ask(unit).then((answer) => {
    if (answer === undefined) return log('no answer (no gateway connected, or it did not answer within 5 s)');
    if (answer.command === Command.reply) return log(`answer: ${describeUnit(decodeUnit(answer.data))}`);
    log(`answer: ${answer.command === Command.confirm ? 'confirmed' : answer.command === Command.deny ? 'denied' : `command ${answer.command}`}`);
  });
});
const stop = (): void => void sim.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
