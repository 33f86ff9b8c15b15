import { accessSync, constants } from 'node:fs';
import { platformRules, type PlatformCodecName } from './sections/platform-rules.js';
import type { HearthConfig } from './types.js';

type Obj = Record<string, unknown>;

/** A semantic finding (same shape as semantic-checks.ts's Finding). */
interface Finding {
  segments: (string | number)[];
  message: string;
}

/** Secret files of the platform codecs, made absolute against the config's folder like the other paths. */
export function resolvePlatformSecretPaths(platform: Obj, abs: (p: string) => string): void {
  const fix = (o: Obj | undefined, key: string) => {
    if (o && typeof o[key] === 'string') o[key] = abs(o[key]);
  };
  fix(platform.thingsboard as Obj | undefined, 'accessTokenFile');
  fix(platform.huawei as Obj | undefined, 'secretFile');
  const ali = platform.alibaba as Obj | undefined;
  fix(ali, 'deviceSecretFile');
  for (const sub of Object.values((ali?.subDevices ?? {}) as Record<string, Obj>)) fix(sub, 'deviceSecretFile');
}

/** MQTT version: the platform's own default where the config names none (Alibaba: 3.1.1, the others 5). */
export function applyPlatformDefaults(platform: Obj): void {
  platform.mqttVersion ??= platformRules(platform.codec as PlatformCodecName | undefined).defaultMqttVersion;
}

/**
 * The platform codec named in `platform.codec` has its settings, every field device has an
 * identity on that platform, secret files are readable, and plain text is not combined with a
 * platform that only speaks TLS.
 */
export function checkPlatformCodec(config: HearthConfig, opts: { checkFiles: boolean }): Finding[] {
  const p = config.platform;
  const findings: Finding[] = [];
  const at = (segments: (string | number)[], message: string) => findings.push({ segments: ['platform', ...segments], message });
  const file = (segments: (string | number)[], path: string | undefined) => {
    if (!opts.checkFiles || path === undefined) return;
    try {
      accessSync(path, constants.R_OK);
    } catch (err) {
      at(segments, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  };
  const enabled = config.devices.filter((d) => d.enabled).map((d) => d.id);
  findings.push(...checkConnectionRules(config));
  if (p.codec === 'thingsboard') {
    file(['thingsboard', 'accessTokenFile'], p.thingsboard?.accessTokenFile);
  } else if (p.codec === 'huawei-iotda') {
    if (p.huawei === undefined) at(['huawei'], 'codec huawei-iotda needs a huawei section (deviceId, productId, secretFile or a client certificate)');
    else {
      file(['huawei', 'secretFile'], p.huawei.secretFile);
      if (p.huawei.secretFile === undefined && p.tls.cert === undefined) at(['huawei', 'secretFile'], 'set secretFile, or tls.cert and tls.key for certificate authentication');
    }
  } else if (p.codec === 'alibaba-alink') {
    if (p.alibaba === undefined) at(['alibaba'], 'codec alibaba-alink needs an alibaba section (productKey, deviceName, deviceSecretFile)');
    else {
      file(['alibaba', 'deviceSecretFile'], p.alibaba.deviceSecretFile);
      for (const id of enabled) {
        const sub = p.alibaba.subDevices[id];
        if (sub === undefined) at(['alibaba', 'subDevices'], `device '${id}' has no Alibaba identity (productKey, deviceName, deviceSecretFile)`);
        else file(['alibaba', 'subDevices', id, 'deviceSecretFile'], sub.deviceSecretFile);
      }
    }
  }
  return findings;
}

/**
 * The connection settings against what the platform documents (src/config/sections/platform-rules.ts):
 * a keepalive outside its range or a version it does not speak is refused at CONNECT, and a message
 * rate above its cap gets the connection throttled or dropped. The embedded demo broker is exempt.
 * (batchMaxBytes above a platform's payload limit is not an error: the session sends the lower of the two.)
 */
export function checkConnectionRules(config: HearthConfig): Finding[] {
  const p = config.platform;
  if (p.kind === 'embedded') return [];
  const rules = platformRules(p.codec);
  const findings: Finding[] = [];
  const at = (key: string, message: string) => findings.push({ segments: ['platform', key], message: `${message} (${rules.source})` });
  const { min, max } = rules.keepaliveS;
  if (p.keepaliveS < min || p.keepaliveS > max) at('keepaliveS', `${rules.name} accepts ${min}-${max} s, got ${p.keepaliveS}`);
  if (!rules.mqttVersions.includes(p.mqttVersion)) {
    at('mqttVersion', `${rules.name} speaks MQTT ${rules.mqttVersions.join(' and ')}, got ${p.mqttVersion}`);
  }
  const cap = rules.maxMessagesPerSec;
  if (cap !== undefined && p.maxMessagesPerSec !== undefined && p.maxMessagesPerSec > cap) {
    at('maxMessagesPerSec', `${rules.name} takes at most ${cap} upstream messages a second on one connection, got ${p.maxMessagesPerSec}`);
  }
  return findings;
}
