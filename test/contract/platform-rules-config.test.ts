import t from 'tap';
import { parseConfig } from '../../src/config/load.js';
import { PLATFORM_RULES } from '../../src/config/sections/platform-rules.js';
import { BASE, issueLines } from '../config/helpers.js';

/** BASE with its platform section replaced. */
function withPlatform(yaml: string): string {
  return BASE.replace('platform:\n  url: mqtt://localhost:1883\n', `platform:\n  url: mqtts://platform.example:8883\n${yaml}`);
}

const IOTDA = `  codec: huawei-iotda\n  huawei: { deviceId: prod_gw, productId: prod, secretFile: /dev/null }\n`;
const ALINK = `  codec: alibaba-alink\n  alibaba: { productKey: pk, deviceName: gw, deviceSecretFile: /dev/null, subDevices: { smoke-1: { productKey: spk, deviceName: s1, deviceSecretFile: /dev/null } } }\n`;
const opts = { checkFiles: false };

t.test('IoTDA: a keepalive outside 30-1200 s is refused, with the path and the vendor page', async (t) => {
  const lines = issueLines(withPlatform(`${IOTDA}  keepaliveS: 5\n`), undefined, opts);
  t.same(lines, ['platform.keepaliveS: IoTDA accepts 30-1200 s, got 5 (support.huaweicloud.com/productdesc-iothub/iot_04_0010.html)']);
  t.match(issueLines(withPlatform(`${IOTDA}  keepaliveS: 1800\n`), undefined, opts), [/^platform\.keepaliveS: IoTDA accepts 30-1200 s, got 1800/]);
  t.same(issueLines(withPlatform(`${IOTDA}  keepaliveS: 120\n`), undefined, opts), []);
});

t.test('IoTDA: more than 50 upstream messages a second is refused', async (t) => {
  t.match(issueLines(withPlatform(`${IOTDA}  maxMessagesPerSec: 80\n`), undefined, opts), [
    /^platform\.maxMessagesPerSec: IoTDA takes at most 50 upstream messages a second on one connection, got 80/,
  ]);
  t.same(issueLines(withPlatform(`${IOTDA}  maxMessagesPerSec: 40\n`), undefined, opts), []);
});

t.test('Alibaba: keepalive 30-1200 s, and MQTT 3.1.1 unless the config asks for 5', async (t) => {
  t.match(issueLines(withPlatform(`${ALINK}  keepaliveS: 10\n`), undefined, opts), [/^platform\.keepaliveS: Alibaba Cloud IoT accepts 30-1200 s, got 10 \(alibabacloud\.com/]);
  t.equal(parseConfig(withPlatform(ALINK), '/etc/hearth/hearth.yaml', opts).platform.mqttVersion, '3.1.1', 'MQTT 5 needs an Enterprise instance and is one-way');
  t.equal(parseConfig(withPlatform(`${ALINK}  mqttVersion: '5'\n`), '/etc/hearth/hearth.yaml', opts).platform.mqttVersion, '5', 'an explicit 5 (Enterprise instance) is kept');
});

t.test('native and ThingsBoard keep the wide keepalive range and MQTT 5 by default', async (t) => {
  t.same(issueLines(withPlatform(`  keepaliveS: 5\n`), undefined, opts), []);
  t.equal(parseConfig(withPlatform(''), '/etc/hearth/hearth.yaml', opts).platform.mqttVersion, '5');
  t.same(issueLines(withPlatform(`  codec: thingsboard\n  keepaliveS: 5\n`), undefined, opts), []);
});

t.test('the rules as data: no will, retain or QoS 2 where the vendor says so', async (t) => {
  t.match(PLATFORM_RULES['huawei-iotda'], { will: false, retain: false, maxQos: 1, maxMessagesPerSec: 50 });
  t.match(PLATFORM_RULES['alibaba-alink'], { will: false, retain: false, maxQos: 1, defaultMqttVersion: '3.1.1' });
  t.match(PLATFORM_RULES.thingsboard, { retain: false, maxQos: 1, maxPayloadBytes: 65_536 });
  t.match(PLATFORM_RULES.native, { will: true, retain: true });
});

t.test('hearth check shows the rules the gateway will apply to the platform connection', async (t) => {
  const { describePlatformRules } = await import('../../src/cli/plan/plan-platform.js');
  t.same(describePlatformRules(parseConfig(withPlatform(IOTDA), '/etc/hearth/hearth.yaml', opts)), [
    '  codec    huawei-iotda: MQTT 5, keepalive 30 s, no will (offline status on an orderly stop), at most 50 messages/s, events first',
  ]);
  t.same(describePlatformRules(parseConfig(withPlatform(ALINK), '/etc/hearth/hearth.yaml', opts)), [
    '  codec    alibaba-alink: MQTT 3.1.1, keepalive 30 s, no will (offline status on an orderly stop), no message rate cap',
  ]);
  t.match(describePlatformRules(parseConfig(withPlatform(''), '/etc/hearth/hearth.yaml', opts))[0], /native: MQTT 5, keepalive 30 s, last will, no message rate cap/);
});
