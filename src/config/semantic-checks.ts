import type { Finding } from './finding.js';
import type { BusConfig, DeviceConfig, HearthConfig } from './types.js';
import { suggest } from './suggest.js';
import { checkIo } from './io-checks.js';
import { checkApi } from './api-checks.js';
import { checkPlatformCodec } from './platform-checks.js';
import { checkCentres } from './centre-checks.js';
import { checkPlaces } from './place-checks.js';
import { checkRemote } from './remote-checks.js';

/** A problem the schema cannot see: references between sections, uniqueness, files, URLs. */
export type { Finding } from './finding.js';
import { unreadable } from './finding.js';


export interface CheckOptions {
  /** Check that TLS and password files exist and are readable. Off only for example configs. */
  checkFiles: boolean;
  /** The places the config writes to must be usable on this machine now (see LoadOptions.forThisMachine). */
  forThisMachine?: boolean;
}

export function checkConfig(config: HearthConfig, opts: CheckOptions): Finding[] {
  return [...checkBuses(config.buses), ...checkDevices(config.devices, config.buses), ...checkPlatform(config, opts), ...checkPlatformCodec(config, opts), ...checkIo(config), ...checkApi(config, opts), ...checkCentres(config, opts), ...checkPlaces(config, opts), ...checkRemote(config)];
}

function checkBuses(buses: readonly BusConfig[]): Finding[] {
  return duplicates(buses.map((b) => b.id)).map(([i, first]) => ({
    segments: ['buses', i, 'id'],
    message: `duplicate bus id '${buses[i]!.id}' (also buses[${first}])`,
  }));
}

function checkDevices(devices: readonly DeviceConfig[], buses: readonly BusConfig[]): Finding[] {
  const findings: Finding[] = duplicates(devices.map((d) => d.id)).map(([i, first]) => ({
    segments: ['devices', i, 'id'],
    message: `duplicate device id '${devices[i]!.id}' (also devices[${first}])`,
  }));
  const busIds = buses.map((b) => b.id);
  devices.forEach((d, i) => {
    if (!busIds.includes(d.bus)) {
      const close = suggest(d.bus, busIds);
      const known = busIds.length === 0 ? 'no buses are configured' : close ? `did you mean '${close}'?` : `buses: ${busIds.join(', ')}`;
      findings.push({ segments: ['devices', i, 'bus'], message: `no bus with id '${d.bus}' (${known})` });
    }
    if (d.backoff.initialMs !== undefined && d.backoff.initialMs > d.backoff.maxMs) {
      findings.push({ segments: ['devices', i, 'backoff', 'initialMs'], message: `must not exceed backoff.maxMs (${d.backoff.maxMs}), got ${d.backoff.initialMs}` });
    }
  });
  // Two devices answering to one address on one line garble each other's replies.
  const taken = new Map<string, number>();
  devices.forEach((d, i) => {
    const key = `${d.bus}\u0000${d.address}`;
    const first = taken.get(key);
    if (first === undefined) taken.set(key, i);
    else findings.push({ segments: ['devices', i, 'address'], message: `address ${d.address} on bus '${d.bus}' is already used by devices[${first}] ('${devices[first]!.id}')` });
  });
  return findings;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

function checkPlatform(config: HearthConfig, opts: CheckOptions): Finding[] {
  const p = config.platform;
  const findings: Finding[] = [];
  const at = (segments: (string | number)[], message: string) => findings.push({ segments: ['platform', ...segments], message });
  // The embedded broker acknowledges everything and forwards nowhere: on a field gateway that would
  // empty the outbox into the void. Only a demo config may use it.
  if (p.kind === 'embedded' && config.demo === undefined) {
    at([], "no platform configured: set platform.url to the city platform's broker (the embedded broker is only for configs with a demo section)");
  }

  let url: URL | undefined;
  try {
    url = new URL(p.url);
  } catch {
    at(['url'], `must be a URL such as mqtts://broker.example.com:8883, got '${p.url}'`);
  }
  if (url) {
    const scheme = url.protocol.replace(/:$/, '');
    const plain = scheme === 'mqtt' || scheme === 'ws';
    if (!['mqtt', 'mqtts', 'ws', 'wss'].includes(scheme)) {
      at(['url'], `scheme must be one of mqtt, mqtts, ws, wss, got '${scheme}'`);
    } else if (plain && !LOOPBACK.test(url.hostname) && !p.allowInsecure) {
      // Alarms and credentials in clear text across a network: refuse unless explicitly allowed.
      at(['url'], `plain-text ${scheme}:// to '${url.hostname}' is refused: use ${scheme}s:// or set platform.allowInsecure: true`);
    }
    if (plain && (p.tls.ca || p.tls.cert || p.tls.key)) {
      at(['tls'], `TLS files are set but the url is plain ${scheme}:// (did you mean ${scheme}s://?)`);
    }
  }
  if (p.password !== undefined && p.passwordFile !== undefined) at(['passwordFile'], 'set either password or passwordFile, not both');
  if ((p.tls.cert === undefined) !== (p.tls.key === undefined)) {
    at(['tls', p.tls.cert === undefined ? 'cert' : 'key'], 'client certificate and key must be given together');
  }
  if (p.reconnectMinMs > p.reconnectMaxMs) at(['reconnectMinMs'], `must not exceed reconnectMaxMs (${p.reconnectMaxMs}), got ${p.reconnectMinMs}`);

  if (opts.checkFiles) {
    const files: [(string | number)[], string | undefined][] = [
      [['tls', 'ca'], p.tls.ca],
      [['tls', 'cert'], p.tls.cert],
      [['tls', 'key'], p.tls.key],
      [['passwordFile'], p.passwordFile],
    ];
    for (const [segments, file] of files) {
      const problem = file === undefined ? undefined : unreadable(file);
      if (problem) at(segments, `cannot read ${file} (${problem})`);
    }
  }
  return findings;
}

/** [index, index of the first occurrence] for every repeated value. */
function duplicates(values: readonly string[]): [number, number][] {
  const first = new Map<string, number>();
  const out: [number, number][] = [];
  values.forEach((v, i) => {
    const f = first.get(v);
    if (f === undefined) first.set(v, i);
    else out.push([i, f]);
  });
  return out;
}
