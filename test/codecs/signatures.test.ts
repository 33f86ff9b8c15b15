import t from 'tap';
import { alinkConnectParams, alinkSign } from '../../src/uplink/codecs/alibaba-alink.js';
import { iotdaConnectParams, iotdaTimestamp } from '../../src/uplink/codecs/huawei-iotda.js';
import { hmacHex } from '../../src/uplink/codecs/platform-common.js';

t.test('IoTDA: timestamp is the UTC hour (documented: UTC 2018/7/24 17:56:20 -> 2018072417)', async (t) => {
  t.equal(iotdaTimestamp(Date.UTC(2018, 6, 24, 17, 56, 20)), '2018072417');
});

t.test('IoTDA: password = HMAC-SHA256 keyed by the timestamp over the secret (documented worked example)', async (t) => {
  // Huawei IoTDA "Device Connection Authentication": secret 12345678, timestamp 2025041401 gives this value.
  t.equal(hmacHex('sha256', '2025041401', '12345678'), 'c75150e6cb841417396819e4d2ee4358a416344a03a083e3a8567074ddec820a');
  const p = iotdaConnectParams('prod_gw-1', '12345678', Date.UTC(2025, 3, 14, 1, 30, 0));
  t.same(p, {
    clientId: 'prod_gw-1_0_0_2025041401',
    username: 'prod_gw-1',
    password: 'c75150e6cb841417396819e4d2ee4358a416344a03a083e3a8567074ddec820a',
  });
});

t.test('Alink sign: sorted name+value content, HMAC keyed by the secret (documented worked example)', async (t) => {
  // Alibaba Cloud IoT BatchAddThingTopo: ClientId=868575026974305, DeviceName=868575026974305,
  // ProductKey=a1PB5fp1234, timestamp=1646277090411, deviceSecret=1234, hmacmd5 ->
  // 3BA0DFA4C477B40C007D84D30D6466CC (the platform compares case-insensitively).
  const sign = alinkSign({ timestamp: '1646277090411', productKey: 'a1PB5fp1234', deviceName: '868575026974305', clientId: '868575026974305' }, '1234', 'hmacmd5');
  t.equal(sign.toUpperCase(), '3BA0DFA4C477B40C007D84D30D6466CC');
});

t.test('Alink MQTT connect parameters (fixture built from the documented algorithm, not a documented value)', async (t) => {
  const p = alinkConnectParams({ productKey: 'a1X2bEnP82z', deviceName: 'gw01' }, 'secret', 1_700_000_000_000);
  t.equal(p.clientId, 'a1X2bEnP82z.gw01|securemode=2,signmethod=hmacsha256,timestamp=1700000000000|');
  t.equal(p.username, 'gw01&a1X2bEnP82z');
  t.equal(p.password, hmacHex('sha256', 'secret', 'clientIda1X2bEnP82z.gw01deviceNamegw01productKeya1X2bEnP82ztimestamp1700000000000'));
  t.equal(alinkConnectParams({ productKey: 'pk', deviceName: 'dn' }, 's', 1, false).clientId, 'pk.dn|securemode=3,signmethod=hmacsha256,timestamp=1|');
});
