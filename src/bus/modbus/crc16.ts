/**
 * CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), table driven. Kept here rather than taken
 * from jsmodbus's `crc` dependency: a transitive dependency may move or disappear with any jsmodbus
 * release, and the RTU framer needs to check the CRC of the bytes as received.
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc16modbus(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ data[i]!) & 0xff]!;
  return crc;
}

/** Appends the CRC (low byte first, as RTU sends it). */
export function withCrc(frame: Buffer): Buffer {
  const out = Buffer.alloc(frame.length + 2);
  frame.copy(out);
  out.writeUInt16LE(crc16modbus(frame), frame.length);
  return out;
}
