import { GatewayUnderAttack } from '../../test/remote/attack-harness.js';
import { measureFlood, median } from '../../test/remote/flood-measure.js';
import { operator } from '../../test/remote/signing-fixtures.js';
import type { Report } from './run.js';

/**
 * Commands cannot starve the gateway: the hearth CLI with four smoke detectors polled at 5 Hz over
 * Modbus TCP, Mosquitto, and an anonymous client sending 300 commands/s for 30 s (unsigned,
 * forged, truncated). Quiet is measured before and after. Target: poll rate and alarm latency
 * within 10 % of quiet.
 */
export async function run(report: Report): Promise<void> {
  const g = await GatewayUnderAttack.start(operator('ops'));
  try {
    const f = await measureFlood(g, 300, 30, 15);
    report('remote flood commands sent', Math.round(f.sentPerS), 'commands/s');
    report('remote flood commands admitted by the gate', f.admitted / f.floodS, 'commands/s');
    report('remote flood refusals answered', f.answeredRefusals / f.floodS, 'answers/s');
    report('remote poll rate quiet', f.quiet.pollsPerS, 'reads/s');
    report('remote poll rate during the flood', f.flood.pollsPerS, 'reads/s');
    report('remote alarm latency p50 quiet (read carrying it → platform)', median(f.quiet.latencies), 'ms');
    report('remote alarm latency p50 during the flood', median(f.flood.latencies), 'ms');
  } finally {
    await g.stop();
  }
}
