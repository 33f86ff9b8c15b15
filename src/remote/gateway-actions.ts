import type { CommandResult } from '../uplink/codec.js';
import type { SignedEnvelope } from '../signing/envelope.js';
import type { ConfigChange } from './config-change.js';
import type { UpdateParams } from './update/software-updater.js';
import type { ReplyRoute } from './update/update-files.js';

/**
 * What remote commands can make the gateway do. Each action is optional: a gateway built without
 * a part (no GPIO outputs, no console state) leaves it out and the command answers
 * `not_available`. Actions throw HearthError with a code for expected failures (unknown device,
 * unknown alarm); the dispatcher turns the code into the result.
 */
export interface GatewayActions {
  readDevice?(deviceId: string): Promise<Record<string, unknown>>;
  acknowledgeAlarm?(eventId: string, by: string): Promise<Record<string, unknown>>;
  silenceAlarm?(eventId: string, minutes: number, by: string): Promise<Record<string, unknown>>;
  testOutput?(outputId: string, durationMs: number): Promise<Record<string, unknown>>;
  /** Runs a device's profile command; `confirmed`: the signer confirmed a safety-relevant one. */
  deviceCommand?(deviceId: string, command: string, params: Record<string, number>, confirmed: boolean, by: string): Promise<Record<string, unknown>>;
  commissioningReport?(): Promise<Record<string, unknown>>;
  /** Validates, writes and (on success) schedules the restart onto the new config. */
  applyConfig?(change: ConfigChange, by: string): Promise<CommandResult>;
  /** Downloads and verifies a bundle and hands it to the root updater (src/remote/update/). */
  updateSoftware?(params: UpdateParams, envelope: SignedEnvelope, reply: ReplyRoute): Promise<CommandResult>;
  /** Restarts the service (after the answer went out). */
  restart?(why: string): void;
}
