import type { MqttClient } from 'mqtt';

/**
 * Turns Nagle's algorithm off on the client's socket (TCP_NODELAY), plain or TLS; a WebSocket
 * stream has no such switch and is left as it is.
 *
 * Why: mqtt.js leaves the kernel's default, which holds a small segment back while an earlier one
 * is unacknowledged. When the gateway has just sent a PUBACK (for a receipt or a command) and then
 * publishes a fire alarm, the alarm waits for the broker's TCP ACK, which the broker delays (40 ms
 * on Linux, up to 200 ms elsewhere) because it has nothing to send back. The footprint bench saw
 * exactly that: alarms at ~50 ms where the rest took 2–4. The gateway's messages are few and
 * already whole (mqtt.js writes a packet in one go), so there is nothing for Nagle to coalesce.
 */
export function sendAtOnce(client: MqttClient): boolean {
  const stream = client.stream as { setNoDelay?: (noDelay?: boolean) => unknown } | undefined;
  if (typeof stream?.setNoDelay !== 'function') return false;
  stream.setNoDelay(true);
  return true;
}
