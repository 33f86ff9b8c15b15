import mqttPacket from 'mqtt-packet';

/**
 * mqtt-packet (the encoder under mqtt.js and aedes) builds, on its first write, a cache of 65,536
 * two-byte Buffers for message ids and lengths: about 7 MB of heap that stays for the life of the
 * process, a tenth of what a small gateway has. Its documented `cacheNumbers = false` makes it
 * allocate those two bytes per packet instead, which at a gateway's message rates (hundreds per
 * second at most) costs nothing measurable. Must run before the first MQTT packet is written.
 */
export function disableMqttNumberCache(): void {
  mqttPacket.writeToStream.cacheNumbers = false;
}
