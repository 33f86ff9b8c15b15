import { accessSync, constants } from 'node:fs';
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
