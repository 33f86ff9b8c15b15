import t from 'tap';
import { runHearth } from '../helpers/hearth-cli.js';
import { writeSite } from './fixtures.js';

/** `hearth check` prints each point's register, raw type and how it becomes the value: scale and offset. */

t.test('the plan shows scale and offset as a formula on the raw value', async (t) => {
  const site = writeSite(t, 'type: modbus-tcp, host: 127.0.0.1, port: 1502');
  const r = await runHearth(['check', site.config]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^ {4}cable_temperature\s+ir0\s+int16×0\.1-40\s+°C/m, 'raw × 0.1 − 40');
  t.match(r.stdout, /^ {4}leakage_current\s+ir1\s+float32\s+mA/m, 'no scale, no offset: the raw type alone');
  t.match(r.stdout, /^ {4}leakage_alarm\s+ir3\.0\s+bit\s+alarm fire/m);
});
