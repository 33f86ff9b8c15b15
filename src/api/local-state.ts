import { join } from 'node:path';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { SmallState, type SmallStateOptions } from '../storage/small-state.js';
import type { StateFileAdapter } from '../storage/json-state-file.js';
import type { TestAlarmRecord } from './gateway-port.js';

/**
 * The console's small state, kept across restarts: who acknowledged or silenced which alarm, and
 * the commissioning test alarms with their outcome. A few kilobytes in a JSON file under the state
 * directory, kept by SmallState (src/storage/small-state.ts): written atomically, and a file that
 * is empty, truncated or garbage is moved aside with a fault (`state:console-state.json`) instead
 * of stopping the start. A failed write never rejects into a caller: the change stays in memory
 * and is retried. Entries for alarms long restored are pruned so it stays small.
 */
export interface ConsoleStateData {
  acks: Record<string, { at: number; by: string }>;
  silences: Record<string, { until: number; by: string }>;
  testAlarms: TestAlarmRecord[];
}

export const CONSOLE_STATE_FILE = 'console-state.json';
const MAX_TEST_ALARMS = 500;

export interface ConsoleStateOptions {
  faults?: FaultReporter;
  logger?: Logger;
  /** The file access (tests inject failures here). */
  adapter?: StateFileAdapter<ConsoleStateData>;
}

export class ConsoleState {
  private constructor(private readonly state: SmallState<ConsoleStateData>) {}

  /** Never rejects for a file problem (see SmallState). */
  static async open(stateDir: string, options: ConsoleStateOptions = {}): Promise<ConsoleState> {
    const opts: SmallStateOptions<ConsoleStateData> = {
      defaults: { acks: {}, silences: {}, testAlarms: [] },
      validate,
      faults: options.faults ?? ignoreFaults,
      logger: options.logger ?? silentLogger(),
    };
    if (options.adapter) opts.adapter = options.adapter;
    return new ConsoleState(await SmallState.open(join(stateDir, CONSOLE_STATE_FILE), opts));
  }

  get data(): Readonly<ConsoleStateData> {
    return this.state.data;
  }

  acknowledge(eventId: string, by: string, at: number): Promise<void> {
    return this.state.update((d) => {
      d.acks[eventId] = { at, by };
    });
  }

  silence(eventId: string, until: number, by: string): Promise<void> {
    return this.state.update((d) => {
      d.silences[eventId] = { until, by };
    });
  }

  recordTestAlarm(record: TestAlarmRecord): Promise<void> {
    return this.state.update((d) => {
      d.testAlarms.push(record);
      if (d.testAlarms.length > MAX_TEST_ALARMS) d.testAlarms.splice(0, d.testAlarms.length - MAX_TEST_ALARMS);
    });
  }

  async updateTestAlarm(eventId: string, change: Partial<TestAlarmRecord>): Promise<TestAlarmRecord | undefined> {
    const record = this.state.data.testAlarms.find((t) => t.eventId === eventId);
    if (record === undefined) return undefined;
    await this.state.update(() => Object.assign(record, change));
    return record;
  }

  /** Forgets acks and silences of alarms that are no longer active. */
  async prune(activeIds: ReadonlySet<string>): Promise<void> {
    const stale = (map: Record<string, unknown>) => Object.keys(map).filter((id) => !activeIds.has(id));
    if (stale(this.state.data.acks).length === 0 && stale(this.state.data.silences).length === 0) return;
    await this.state.update((d) => {
      for (const map of [d.acks, d.silences]) for (const id of stale(map)) delete map[id];
    });
  }

  /** Waits for the write in flight and stops retrying (the API's stop). */
  close(): Promise<void> {
    return this.state.close();
  }
}

/** An object whose known fields have the right kinds; fields a newer version added are filled in. */
function validate(raw: unknown): ConsoleStateData | undefined {
  if (!isRecord(raw)) return undefined;
  const { acks = {}, silences = {}, testAlarms = [] } = raw;
  if (!isRecord(acks) || !isRecord(silences) || !Array.isArray(testAlarms)) return undefined;
  return { ...raw, acks, silences, testAlarms } as ConsoleStateData;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
