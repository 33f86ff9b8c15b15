import type { RemoteConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { CommandResult, PlatformCommand } from '../uplink/codec.js';
import type { AuditEntry, AuditLog } from './audit-log.js';
import { isCommandName, validateParams } from './command-catalog.js';
import { configVersion } from './config-store.js';
import type { GatewayActions } from './gateway-actions.js';
import type { ReplayGuard } from './replay-guard.js';

export interface DispatcherOptions {
  config: RemoteConfig;
  actions: GatewayActions;
  audit: AuditLog;
  replay: ReplayGuard;
  /** Who commands come from, for the audit: `platform:<codec>`. */
  source: string;
  now: () => number;
  logger: Logger;
}

/**
 * Runs remote commands. Commands reach it only from the platform session (UplinkSession's
 * onCommand): the broker authenticated the gateway and the platform's ACLs decide who may publish
 * on the gateway's command topics. On top of that each command is checked, in order: remote
 * management enabled; the command known and allowed in `remote.allow`; addressed to this gateway
 * or one of its devices; not a replay and not stale; parameters valid and in range. Every command,
 * run or rejected, is answered and written to the audit log.
 */
export class RemoteCommandDispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  async handle(cmd: PlatformCommand): Promise<CommandResult> {
    const now = this.options.now();
    let result: CommandResult;
    try {
      result = await this.run(cmd, now);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      result = { ok: false, code: typeof code === 'string' ? code.toLowerCase() : 'failed', message: (err as Error).message };
    }
    this.audit(cmd, now, result);
    return result;
  }

  private async run(cmd: PlatformCommand, now: number): Promise<CommandResult> {
    const { config, actions } = this.options;
    if (!config.enabled) return reject('disabled', 'remote management is disabled on this gateway (remote.enabled)');
    if (!isCommandName(cmd.name)) return reject('unknown_command', `unknown command '${cmd.name}'`);
    if (!config.allow.includes(cmd.name)) return reject('unauthorized', `command '${cmd.name}' is not allowed on this gateway (remote.allow)`);
    if (cmd.deviceId?.startsWith('unknown:')) return reject('unauthorized', `addressed to a device this gateway does not have (${cmd.deviceId.slice(8)})`);

    const verdict = this.options.replay.check(cmd.id, cmd.params.ts, now);
    if (verdict !== 'replayed') await this.options.replay.remember(cmd.id, now);
    if (verdict === 'replayed') return reject('replayed', `command id '${cmd.id}' was already received`);
    if (verdict === 'no-timestamp') return reject('invalid', 'params.ts: required (ms since the epoch when the command was issued)');
    if (verdict === 'stale') return reject('stale', `params.ts is more than ${config.replayWindowMs} ms away from the gateway clock`);

    const problems = validateParams(cmd.name, cmd.params);
    if (problems.length > 0) return { ok: false, code: 'invalid', message: problems.join('; '), data: { errors: problems } };

    const p = cmd.params;
    const by = `${this.options.source}#${cmd.id}`;
    const device = (p.deviceId as string | undefined) ?? cmd.deviceId;
    switch (cmd.name) {
      case 'read_device':
        if (device === undefined) return reject('invalid', 'params.deviceId: required when the command is not sent to a device');
        return done(await need(actions.readDevice, 'read_device')(device));
      case 'ack_alarm':
        return done(await need(actions.acknowledgeAlarm, 'ack_alarm')(p.eventId as string, by));
      case 'silence_alarm':
        return done(await need(actions.silenceAlarm, 'silence_alarm')(p.eventId as string, p.minutes as number, by));
      case 'test_output':
        return done(await need(actions.testOutput, 'test_output')(p.outputId as string, p.durationMs as number));
      case 'commissioning_report':
        return done(await need(actions.commissioningReport, 'commissioning_report')());
      case 'set_threshold': {
        if (device === undefined) return reject('invalid', 'params.deviceId: required when the command is not sent to a device');
        const threshold: Record<string, unknown> = {};
        for (const k of ['high', 'low', 'hysteresis', 'onDelayMs']) if (p[k] !== undefined) threshold[k] = p[k];
        return need(actions.applyConfig, 'set_threshold')({ kind: 'threshold', deviceId: device, point: p.point as string, threshold }, by);
      }
      case 'apply_config':
        return need(actions.applyConfig, 'apply_config')(
          typeof p.config === 'string' ? { kind: 'whole', text: p.config } : { kind: 'section', section: p.section as string, value: p.value },
          by,
        );
      case 'restart': {
        const restart = need(actions.restart, 'restart');
        // Answer first: the result goes out before the service stops.
        setTimeout(() => restart(`remote command ${cmd.id}`), 500).unref();
        return { ok: true, code: 'ok', message: 'restarting' };
      }
    }
  }

  private audit(cmd: PlatformCommand, now: number, result: CommandResult): void {
    const entry: AuditEntry = {
      at: now,
      by: this.options.source,
      command: cmd.name,
      id: cmd.id,
      params: summarize(cmd.params),
      outcome: result.ok ? 'done' : REJECTIONS.has(result.code) ? 'rejected' : 'failed',
      code: result.code,
    };
    if (cmd.deviceId !== undefined) entry.device = cmd.deviceId;
    if (result.message !== undefined) entry.message = result.message;
    // Never throws: a failed append is logged (with the entry) and raised as a fault there.
    this.options.audit.append(entry);
    this.options.logger.info({ command: cmd.name, id: cmd.id, outcome: entry.outcome, code: result.code }, 'remote command');
  }
}

const REJECTIONS = new Set(['disabled', 'unknown_command', 'unauthorized', 'replayed', 'stale', 'invalid', 'not_available', 'config_invalid']);

class NotAvailable extends Error {
  readonly code = 'NOT_AVAILABLE';
}

function need<T>(action: T | undefined, name: string): T {
  if (action === undefined) throw new NotAvailable(`${name} is not available on this gateway`);
  return action;
}

function reject(code: string, message: string): CommandResult {
  return { ok: false, code, message };
}

function done(data: Record<string, unknown>): CommandResult {
  return { ok: true, code: 'ok', data };
}

/** A whole config in the audit is its version and size, not its text (it may hold paths and names only the file should). */
function summarize(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  if (typeof out.config === 'string') out.config = { version: configVersion(out.config), bytes: out.config.length };
  return out;
}
