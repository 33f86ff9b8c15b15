import { Socket } from 'node:net';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import t from 'tap';
import { Outbox } from '../../src/outbox/index.js';
import { UplinkSession } from '../../src/uplink/index.js';
import { sendAtOnce } from '../../src/uplink/no-delay.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/net.js';
import { GATEWAY, tempDir } from '../outbox/fixtures.js';
import { platform } from './harness.js';

/**
 * The session turns Nagle's algorithm off on its socket (src/uplink/no-delay.ts): a fire alarm
 * published right after a PUBACK must not wait for the broker's delayed TCP ACK. Checked where
 * Node applies it: every setNoDelay call on a socket is recorded, and the one connected to the
 * broker's port must have been switched to no delay once the session is up.
 */

const broker = await Mosquitto.start();
t.teardown(() => broker.close());

t.test('the session\'s socket to the broker sends at once (TCP_NODELAY)', async (t) => {
  const calls: { port: number | undefined; noDelay: boolean | undefined }[] = [];
  const original = Socket.prototype.setNoDelay;
  Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean) {
    calls.push({ port: this.remotePort, noDelay });
    return original.call(this, noDelay);
  };
  t.teardown(() => {
    Socket.prototype.setNoDelay = original;
  });
  const outbox = Outbox.open({ path: join(tempDir(t), 'outbox.db') });
  t.teardown(() => outbox.close());
  const session = new UplinkSession({ platform: platform(broker.url), gatewayId: GATEWAY, outbox });
  t.teardown(() => session.stop());
  session.start();
  await waitFor(() => session.state().connected, 10_000);
  const toBroker = calls.filter((c) => c.port === broker.port);
  t.ok(toBroker.length >= 1, 'setNoDelay was called on the socket to the broker');
  t.equal(toBroker.at(-1)?.noDelay, true, 'and switched Nagle off');
});

t.test('a stream without the switch (WebSocket) is left alone', async (t) => {
  t.equal(sendAtOnce({ stream: {} } as unknown as MqttClient), false);
  t.equal(sendAtOnce({} as unknown as MqttClient), false);
});
