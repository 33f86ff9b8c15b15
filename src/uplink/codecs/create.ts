import type { HearthConfig } from '../../config/types.js';
import type { Codec } from '../codec.js';
import { isTlsUrl } from '../client-options.js';
import { AlibabaAlinkCodec } from './alibaba-alink.js';
import { HuaweiIotdaCodec } from './huawei-iotda.js';
import { NativeCodec } from './native.js';
import { TrustedKeys } from '../../signing/keys.js';
import type { SubDevice } from './platform-common.js';
import { ThingsBoardCodec } from './thingsboard.js';

export interface CodecContext {
  version: string;
  now: () => number;
  /** Receipt keys beside remote.keys (the demo's in-process receiving centre). */
  extraReceiptKeys?: readonly { id: string; publicKey: string }[];
}

/** The field devices a platform is told about: enabled polled devices (their profile as the type). */
export function subDevicesOf(config: HearthConfig): SubDevice[] {
  return config.devices.filter((d) => d.enabled).map((d) => ({ id: d.id, kind: d.profile.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '') }));
}

/** The codec named by `platform.codec`, built from the config. Config validation guarantees the settings exist. */
export function createCodec(config: HearthConfig, ctx: CodecContext): Codec {
  const p = config.platform;
  const gatewayId = config.gateway.id;
  const devices = subDevicesOf(config);
  switch (p.codec) {
    case 'thingsboard':
      return new ThingsBoardCodec({ gatewayId, version: ctx.version, devices, now: ctx.now, ...(p.thingsboard ?? {}) });
    case 'huawei-iotda': {
      const h = p.huawei!;
      return new HuaweiIotdaCodec({
        gatewayId,
        version: ctx.version,
        devices,
        now: ctx.now,
        deviceId: h.deviceId,
        productId: h.productId,
        serviceId: h.serviceId,
        ...(h.secretFile !== undefined ? { secretFile: h.secretFile } : {}),
        ...(h.subDevices !== undefined ? { subDeviceIds: h.subDevices } : {}),
      });
    }
    case 'alibaba-alink': {
      const a = p.alibaba!;
      return new AlibabaAlinkCodec({ gatewayId, version: ctx.version, devices, now: ctx.now, tls: isTlsUrl(p.url), ...a });
    }
    default:
      return new NativeCodec({
        gatewayId,
        topicPrefix: p.topicPrefix,
        version: ctx.version,
        now: ctx.now,
        receiptKeys: new TrustedKeys([...(config.remote?.keys ?? []), ...(ctx.extraReceiptKeys ?? [])]),
        unsignedReceipts: p.unsignedReceipts,
        telemetryFormat: p.telemetryFormat,
        eventFormat: p.eventFormat,
      });
  }
}
