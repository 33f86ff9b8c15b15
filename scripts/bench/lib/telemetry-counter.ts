import mqtt from 'mqtt';
import { decodeTelemetry, isTelemetryTopic } from '../../../test/helpers/telemetry.js';

/**
 * A platform-side subscriber in its own process (so counting does not steal the gateway's CPU):
 * counts readings in telemetry batches (any layout) and prints the running total once per 250 ms.
 * Usage: node telemetry-counter.js <broker url> <topic filter>
 */
const [url, filter] = process.argv.slice(2);
if (!url || !filter) throw new Error('usage: telemetry-counter <url> <filter>');
const client = await mqtt.connectAsync(url, { reconnectPeriod: 200 });
let readings = 0;
client.on('message', (topic, payload) => {
  if (!isTelemetryTopic(topic)) return;
  readings += decodeTelemetry(topic, payload).length;
});
await client.subscribeAsync(filter, { qos: 1 });
process.stdout.write('READY\n');
setInterval(() => process.stdout.write(`${Date.now()} ${readings}\n`), 250);
process.on('SIGTERM', () => void client.endAsync().then(() => process.exit(0)));
