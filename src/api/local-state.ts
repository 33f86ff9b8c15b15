import { join } from 'node:path';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { SmallState, type SmallStateOptions } from '../storage/small-state.js';
import type { StateFileAdapter } from '../storage/json-state-file.js';
import type { TestAlarmRecord } from './gateway-facade.js';

/**
 * The console's small state, kept across restarts: the commissioning test alarms with their
 * outcome (acknowledgements and silences are the alarm desk's, src/alarms/). A few kilobytes in a JSON file under the state
 * directory, kept by SmallState (src/storage/small-state.ts): written atomically, and a file that
 * is empty, truncated or garbage is moved aside with a fault (`state:console-state.json`) instead
 * of stopping the start. A failed write never rejects into a caller: the change stays in memory
 * and is retried. Files from older versions may carry `acks` and `silences`: they are ignored.
 */
export interface ConsoleStateData {
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
      defaults: { testAlarms: [] },
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

  /** Waits for the write in flight and stops retrying (the API's stop). */
  close(): Promise<void> {
    return this.state.close();
  }
}

/** An object whose known fields have the right kinds; fields a newer version added are filled in. */
function validate(raw: unknown): ConsoleStateData | undefined {
  if (!isRecord(raw)) return undefined;
  const { testAlarms = [] } = raw;
  if (!Array.isArray(testAlarms)) return undefined;
  return { ...raw, testAlarms } as ConsoleStateData;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
