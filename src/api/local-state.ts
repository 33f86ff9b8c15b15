import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { TestAlarmRecord } from './gateway-port.js';

/**
 * The console's small state, kept across restarts: who acknowledged or silenced which alarm, and
 * the commissioning test alarms with their outcome. A few kilobytes in a JSON file under the state
 * directory; lowdb writes it atomically (temp file + rename), so a power cut leaves the old or the
 * new file, never half of one. Entries for alarms long restored are pruned so it stays small.
 */
export interface ConsoleStateData {
  acks: Record<string, { at: number; by: string }>;
  silences: Record<string, { until: number; by: string }>;
  testAlarms: TestAlarmRecord[];
}

export const CONSOLE_STATE_FILE = 'console-state.json';
const MAX_TEST_ALARMS = 500;

export class ConsoleState {
  private constructor(private readonly db: Low<ConsoleStateData>) {}

  static async open(stateDir: string): Promise<ConsoleState> {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const db = new Low<ConsoleStateData>(new JSONFile(join(stateDir, CONSOLE_STATE_FILE)), { acks: {}, silences: {}, testAlarms: [] });
    await db.read();
    db.data.acks ??= {};
    db.data.silences ??= {};
    db.data.testAlarms ??= [];
    return new ConsoleState(db);
  }

  get data(): Readonly<ConsoleStateData> {
    return this.db.data;
  }

  async acknowledge(eventId: string, by: string, at: number): Promise<void> {
    this.db.data.acks[eventId] = { at, by };
    await this.db.write();
  }

  async silence(eventId: string, until: number, by: string): Promise<void> {
    this.db.data.silences[eventId] = { until, by };
    await this.db.write();
  }

  async recordTestAlarm(record: TestAlarmRecord): Promise<void> {
    const list = this.db.data.testAlarms;
    list.push(record);
    if (list.length > MAX_TEST_ALARMS) list.splice(0, list.length - MAX_TEST_ALARMS);
    await this.db.write();
  }

  async updateTestAlarm(eventId: string, change: Partial<TestAlarmRecord>): Promise<TestAlarmRecord | undefined> {
    const record = this.db.data.testAlarms.find((t) => t.eventId === eventId);
    if (record === undefined) return undefined;
    Object.assign(record, change);
    await this.db.write();
    return record;
  }

  /** Forgets acks and silences of alarms that are no longer active. */
  async prune(activeIds: ReadonlySet<string>): Promise<void> {
    let changed = false;
    for (const map of [this.db.data.acks, this.db.data.silences]) {
      for (const id of Object.keys(map)) {
        if (!activeIds.has(id)) {
          delete map[id];
          changed = true;
        }
      }
    }
    if (changed) await this.db.write();
  }
}
