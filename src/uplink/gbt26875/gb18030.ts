import iconv from 'iconv-lite';

/**
 * Text fields: component descriptions (31 bytes, §8.2.1.2 / §8.2.1.7) and the configuration
 * descriptions with a length byte (§8.2.1.6 / §8.2.1.11), all in GB 18030-2005. Node's TextDecoder
 * reads GB 18030; writing it needs iconv-lite.
 *
 * The standard fixes the field's length but not its padding: hearth pads with 0x00, as the devices
 * in public captures do, and a reader stops at the first 0x00 (some devices leave bytes of an older
 * text after it) and drops trailing spaces (others pad with 0x20).
 */
export const DESCRIPTION_BYTES = 31;

const decoder = new TextDecoder('gb18030');

/**
 * `text` in GB 18030, cut to at most `limit` bytes on a character boundary: GB 18030 characters are
 * 1, 2 or 4 bytes, and half a character would show as garbage at the centre.
 */
export function encodeGb18030(text: string, limit: number): Buffer {
  const whole = iconv.encode(text, 'gb18030');
  if (whole.length <= limit) return whole;
  const parts: Buffer[] = [];
  let used = 0;
  for (const ch of text) {
    const bytes = iconv.encode(ch, 'gb18030');
    if (used + bytes.length > limit) break;
    parts.push(bytes);
    used += bytes.length;
  }
  return Buffer.concat(parts, used);
}

/** A fixed-length text field: cut on a character boundary, padded with 0x00 to `size` bytes. */
export function encodeGb18030Field(text: string, size = DESCRIPTION_BYTES): Buffer {
  const out = Buffer.alloc(size);
  encodeGb18030(text, size).copy(out);
  return out;
}

/** The text of a field: up to the first 0x00, trailing spaces dropped. Invalid bytes become U+FFFD. */
export function decodeGb18030Field(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return decoder.decode(nul < 0 ? bytes : bytes.subarray(0, nul)).replace(/ +$/, '');
}
