import { Gbt26875Error } from './errors.js';

/**
 * The time tag (§8.2.2 figure 17): six bytes second, minute, hour, day, month, year (0–99 = 2000–
 * 2099), low-order field first. The standard names no time zone: the centres it was written for
 * keep Beijing time, so hearth writes and reads the fields in China Standard Time (UTC+8) unless the
 * session is configured otherwise (docs/gbt26875.md, "Time tags").
 */
export const TIME_TAG_BYTES = 6;
/** UTC+8, minutes east of UTC. */
export const CHINA_STANDARD_TIME = 480;

const MINUTE_MS = 60_000;
const FIRST = Date.UTC(2000, 0, 1, 0, 0, 0);
const LAST = Date.UTC(2099, 11, 31, 23, 59, 59);

/**
 * The six bytes for `date`. A time the tag cannot hold (a clock not yet set reads 1970, an invalid
 * Date) is written as the nearest time it can hold, never refused: a fire alarm must not fail to
 * encode because of its time stamp, and the centre also stamps what it receives.
 */
export function encodeTimeTag(date: Date, utcOffsetMinutes = CHINA_STANDARD_TIME): Buffer {
  const wall = date.getTime() + utcOffsetMinutes * MINUTE_MS;
  const t = new Date(Number.isNaN(wall) ? FIRST : Math.min(LAST, Math.max(FIRST, wall)));
  return Buffer.from([t.getUTCSeconds(), t.getUTCMinutes(), t.getUTCHours(), t.getUTCDate(), t.getUTCMonth() + 1, t.getUTCFullYear() - 2000]);
}

/** The instant six time-tag bytes name; a typed error for a field out of range or a day that does not exist. */
export function decodeTimeTag(bytes: Uint8Array, utcOffsetMinutes = CHINA_STANDARD_TIME): Date {
  const date = timeTagOrUndefined(bytes, utcOffsetMinutes);
  if (date === undefined) throw new Gbt26875Error('GBT26875_TIME_TAG', `time tag ${Buffer.from(bytes).toString('hex')} is not a time (second minute hour day month year)`);
  return date;
}

/** Like decodeTimeTag, undefined instead of an error (a frame header's send time is informational). */
export function timeTagOrUndefined(bytes: Uint8Array, utcOffsetMinutes = CHINA_STANDARD_TIME): Date | undefined {
  if (bytes.length !== TIME_TAG_BYTES) return undefined;
  const [second = 0, minute = 0, hour = 0, day = 0, month = 0, year = 0] = bytes;
  if (second > 59 || minute > 59 || hour > 23 || day < 1 || day > 31 || month < 1 || month > 12 || year > 99) return undefined;
  const wall = new Date(Date.UTC(2000 + year, month - 1, day, hour, minute, second));
  if (wall.getUTCDate() !== day) return undefined; // 31 April, 29 February of a common year
  return new Date(wall.getTime() - utcOffsetMinutes * MINUTE_MS);
}
