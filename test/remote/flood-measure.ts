import { GW, type GatewayUnderAttack, UNITS } from './attack-harness.js';
import { operator, signedParams } from './signing-fixtures.js';

export interface FloodFigures {
  sentPerS: number;
  floodS: number;
  sent: number;
  /** Commands that passed the gate during the flood (answered with anything but a gate refusal). */
  admitted: number;
  answeredRefusals: number;
  quiet: { pollsPerS: number; latencies: number[] };
  flood: { pollsPerS: number; latencies: number[] };
}

/** Raises fire alarms one after another for `seconds`: the poll rate and each alarm's latency meanwhile. */
async function phase(g: GatewayUnderAttack, seconds: number): Promise<{ pollsPerS: number; latencies: number[] }> {
  const reads0 = g.totalReads();
  const t0 = performance.now();
  const latencies: number[] = [];
  let i = 0;
  while (performance.now() - t0 < seconds * 1000) latencies.push(await g.alarmLatency(UNITS[i++ % UNITS.length]!));
  return { pollsPerS: (g.totalReads() - reads0) / ((performance.now() - t0) / 1000), latencies };
}

/**
 * Quiet, then `perS` commands a second for `seconds` from the attacker's client (unsigned
 * silences, restarts signed by a key claiming the operator's id, truncated JSON), then quiet again:
 * quiet is measured on both sides, so a change of load on a shared machine weighs on both.
 */
export async function measureFlood(g: GatewayUnderAttack, perS: number, seconds: number, quietS: number): Promise<FloodFigures> {
  const before = await phase(g, quietS);
  const mallory = operator('ops');
  const payloads = [
    JSON.stringify({ method: 'silence_alarm', params: { eventId: 'x', minutes: 1440, ts: Date.now() } }),
    JSON.stringify({ method: 'restart', params: signedParams(mallory, 'restart', {}, { gw: GW, ts: Date.now() }) }),
    '{"method": "apply_config", "params": ',
  ];
  const responsesBefore = g.responses.length;
  let sent = 0;
  const start = performance.now();
  const timer = setInterval(() => {
    // Catch up to the rate whatever the timer's jitter.
    const due = Math.floor(((performance.now() - start) / 1000) * perS);
    while (sent < due) {
      g.attacker.publish(`v1/devices/me/rpc/request/f${sent}`, payloads[sent % payloads.length]!, { qos: 0 });
      sent++;
    }
  }, 10);
  const flood = await phase(g, seconds);
  clearInterval(timer);
  const floodS = (performance.now() - start) / 1000;
  // Let the answers already on their way arrive before counting them.
  await new Promise((r) => setTimeout(r, 2000));
  const answers = g.responses.slice(responsesBefore);
  const after = await phase(g, quietS);
  const admitted = answers.filter((r) => r.body.code !== 'rate_limited' && r.body.code !== 'queue_full').length;
  return {
    sentPerS: sent / floodS,
    floodS,
    sent,
    admitted,
    answeredRefusals: answers.length - admitted,
    quiet: { pollsPerS: (before.pollsPerS + after.pollsPerS) / 2, latencies: [...before.latencies, ...after.latencies] },
    flood,
  };
}

export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
