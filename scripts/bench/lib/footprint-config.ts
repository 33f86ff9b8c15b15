import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The gateway's config for the footprint bench, written into `dir`: `units` Modbus TCP devices,
 * each on a TCP connection of its own to the bench slave (as 50 meters on a site network are),
 * polled once a second, with a profile of the slave's sequence register and its alarm bit, uplink to the
 * bench's Mosquitto with the native codec, whose subscriber confirms events with plain receipts
 * (`unsignedReceipts`: the bench's broker is loopback only). API off, log level error.
 *
 * `telemetry` is what the platform section says about telemetry timing: the bench runs the
 * gateway with `telemetryIntervalMs: 0` (each reading sent as soon as it is stored) and the
 * `readings` layout, because the latency target is about a reading's trip and the shipped default
 * (60 s batches) would measure the batching interval instead.
 */
export function writeFootprintConfig(dir: string, opts: { units: number; modbusPort: number; brokerUrl: string; telemetry: string }): string {
  const profile = join(dir, 'bench-counter.yaml');
  writeFileSync(
    profile,
    [
      'model: BENCH-COUNTER',
      'kind: io',
      'description: Bench slave whose input register 0 counts the reads it served; bit 0 of register 1 is its fire alarm.',
      'points:',
      '  - { name: seq, area: input, address: 0, type: uint16 }',
      'bitFields:',
      '  - area: input',
      '    address: 1',
      '    bits:',
      '      - { bit: 0, name: alarm, role: alarm, severity: fire, description: Bench fire alarm }',
      '',
    ].join('\n'),
  );
  const lines = [
    `gateway: { id: gw-footprint, location: { building: Bench }, stateDir: ${dir}/state, clockSync: assume-synced }`,
    'log: { level: error, format: json }',
    'api: { enabled: false }',
    'buses:',
  ];
  for (let u = 1; u <= opts.units; u++) lines.push(`  - { id: tcp-${u}, type: modbus-tcp, host: 127.0.0.1, port: ${opts.modbusPort}, timeoutMs: 1000 }`);
  lines.push('devices:');
  for (let u = 1; u <= opts.units; u++) lines.push(`  - { id: u${u}, profile: ${profile}, bus: tcp-${u}, address: ${u}, pollIntervalMs: 1000, location: { building: Bench, floor: '1', room: 'r${u}' } }`);
  lines.push(`platform: { url: '${opts.brokerUrl}', allowInsecure: true, unsignedReceipts: true, codec: native${opts.telemetry === '' ? '' : `, ${opts.telemetry}`} }`, '');
  const file = join(dir, 'hearth.yaml');
  writeFileSync(file, lines.join('\n'));
  return file;
}
