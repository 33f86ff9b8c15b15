import { Socket } from 'node:net';
import Modbus from 'jsmodbus';
import mqtt from 'mqtt';

/**
 * The floor the footprint bench measures the gateway against: the least a program can do for the
 * same job. One jsmodbus TCP client per unit, the same register read once a second, each reading
 * published as JSON to the broker at QoS 1. While the broker is away mqtt.js keeps the publishes in
 * memory and sends them after it reconnects: no file, no rules, no validation, no state.
 * Usage: fork(bare-loop.js, [<modbus port>, <units>, <broker url>, <topic prefix>])
 */
const [portArg, unitsArg, url, prefix] = process.argv.slice(2) as [string, string, string, string];
const port = Number(portArg);
const units = Number(unitsArg);

const client = mqtt.connect(url, { clientId: 'bench-bare-loop', clean: true, reconnectPeriod: 1000, queueQoSZero: false });
client.on('error', () => {}); // connection refused during the outage: mqtt.js retries by itself

const timers: NodeJS.Timeout[] = [];
const sockets: Socket[] = [];
for (let unit = 1; unit <= units; unit++) {
  const socket = new Socket();
  const modbus = new Modbus.client.TCP(socket, unit, 1000);
  socket.on('error', () => {});
  socket.setNoDelay(true);
  socket.connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  // Spread the units over the second, as a gateway's per-device timers end up.
  const poll = (): void => {
    modbus
      .readInputRegisters(0, 1)
      .then((resp) => {
        const seq = resp.response.body.valuesAsArray[0];
        client.publish(`${prefix}/${unit}`, JSON.stringify({ unit, seq, ts: Date.now() }), { qos: 1 }, () => {});
      })
      .catch(() => {}); // a missed poll is simply missed, as in any such loop
  };
  setTimeout(() => timers.push(setInterval(poll, 1000)), (unit * 1000) / units);
}

await new Promise<void>((resolve) => client.once('connect', () => resolve()));
process.send?.('ready');
process.on('message', (msg) => {
  if (msg !== 'stop') return;
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.destroy();
  client.end(false, {}, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
