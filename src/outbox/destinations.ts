import type { Database } from 'better-sqlite3';

/** Bits 0..30 of the masks (a positive 32-bit integer in SQLite and in JavaScript bit operations). */
export const MAX_DESTINATIONS = 31;

/** A destination that was in the file but is no longer configured: its part of every record released. */
export interface RetiredDestination {
  id: string;
  /** Records it had not confirmed (its bit cleared). */
  released: number;
  /** Records deleted because no other destination waited for them. */
  deleted: number;
}

export interface DestinationBits {
  /** Bit index per configured destination id. */
  bits: Map<string, number>;
  retired: RetiredDestination[];
}

/**
 * Gives every configured destination its bit in the file's `destinations` table, in one
 * transaction at open. A new destination takes the lowest free bit and receives records appended
 * from then on; one that is no longer configured is retired: its bit is cleared from every record
 * (records only it waited for are deleted) and freed, so a removed centre cannot keep records in
 * the file for ever. The platform keeps bit 0, whether its connection is configured or not.
 */
export function registerDestinations(db: Database, ids: readonly string[]): DestinationBits {
  if (new Set(ids).size !== ids.length) throw new Error(`outbox: destination ids must be unique: ${ids.join(', ')}`);
  if (ids.length > MAX_DESTINATIONS) throw new Error(`outbox: at most ${MAX_DESTINATIONS} destinations, got ${ids.length}`);
  const known = db.prepare('SELECT bit, id FROM destinations ORDER BY bit');
  const insert = db.prepare('INSERT INTO destinations (bit, id) VALUES (?, ?)');
  const forget = db.prepare('DELETE FROM destinations WHERE bit = ?');
  const release = db.prepare('UPDATE records SET pending = pending & ~?, parked = parked & ~? WHERE (pending & ?) != 0');
  const deleteOrphans = db.prepare('DELETE FROM records WHERE pending = 0');
  return db.transaction(() => {
    const bits = new Map<string, number>();
    const retired: RetiredDestination[] = [];
    const used = new Set<number>();
    for (const row of known.all() as { bit: number; id: string }[]) {
      if (ids.includes(row.id)) {
        bits.set(row.id, row.bit);
        used.add(row.bit);
        continue;
      }
      const mask = 1 << row.bit;
      const released = release.run(mask, mask, mask).changes;
      const deleted = released > 0 ? deleteOrphans.run().changes : 0;
      forget.run(row.bit);
      retired.push({ id: row.id, released, deleted });
    }
    for (const id of ids) {
      if (bits.has(id)) continue;
      let bit = 0;
      while (used.has(bit)) bit++;
      insert.run(bit, id);
      bits.set(id, bit);
      used.add(bit);
    }
    return { bits, retired };
  })();
}
