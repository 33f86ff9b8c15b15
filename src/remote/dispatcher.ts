import type { RemoteConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { TrustedKeys } from '../signing/keys.js';
import type { CommandResult, PlatformCommand } from '../uplink/codec.js';
import type { AuditEntry, AuditLog } from './audit-log.js';
import { isCommandName, validateParams } from './command-catalog.js';
import { configVersion } from './config-store.js';
import type { GatewayActions } from './gateway-actions.js';
import type { SeenStore } from './seen-store.js';
import { readCommand, type GatewayCommand } from './signed-command.js';

export interface DispatcherOptions {
  config: RemoteConfig;
  keys: TrustedKeys;
  gatewayId: string;
  actions: GatewayActions;
  audit: AuditLog;
  seen: SeenStore;
  /** Who commands come from, for the audit: `platform:<codec>`. */
  source: string;
  now: () => number;
  logger: Logger;
}

/**
 * Runs remote commands. Whoever can publish on the gateway's command topics can reach it (many
 * sites share a broker without per-topic ACLs), so the broker's word is not enough: a command runs
 * only if signed by a key the installer put in `remote.keys`, except the read-only commands the
 * local config lists in `remote.unsigned`. In order: remote management enabled; the signature (or
 * an allowed unsigned read); the command known and in `remote.allow`; addressed to this gateway or
 * one of its devices; issued within the time window either way; not run before (by the digest of
 * what was signed, whatever request id carries it); parameters valid. Every command that got this
 * far, run or rejected, is answered and written to the audit log.
 */
export class RemoteCommandDispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  async handle(cmd: PlatformCommand): Promise<CommandResult> {
    const now = this.options.now();
    let result: CommandResult;
    let keyId: string | undefined;
    try {
      const outcome = await this.run(cmd, now);
      result = outcome.result;
      keyId = outcome.keyId;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      result = { ok: false, code: typeof code === 'string' ? code.toLowerCase() : 'failed', message: (err as Error).message };
    }
    this.audit(cmd, now, result, keyId);
    return result;
  }

  private async run(cmd: PlatformCommand, now: number): Promise<{ result: CommandResult; keyId?: string }> {
    const { config } = this.options;
    if (!config.enabled) return { result: reject('disabled', 'remote management is disabled on this gateway (remote.enabled)') };
    const reading = readCommand(cmd, this.options.keys, this.options.gatewayId);
    if (!reading.ok) return { result: reject(reading.code, reading.message) };
    const c = reading.command;
    const keyId = c.signed?.keyId;
    const refused = await this.refusal(c, now);
    if (refused !== undefined) return { result: refused, ...(keyId !== undefined ? { keyId } : {}) };
    const by = `${this.options.source}#${cmd.id}${keyId !== undefined ? ` key ${keyId}` : ''}`;
    return { result: await this.perform(c, by, cmd), ...(keyId !== undefined ? { keyId } : {}) };
  }

  /** Why this command must not run, or undefined. Remembers a signed command before it runs. */
  private async refusal(c: GatewayCommand, now: number): Promise<CommandResult | undefined> {
    const { config, seen } = this.options;
    if (!isCommandName(c.name)) return reject('unknown_command', `unknown command '${c.name}'`);
    if (!config.allow.includes(c.name)) return reject('unauthorized', `command '${c.name}' is not allowed on this gateway (remote.allow)`);
    if (c.signed === undefined) {
      if (!(config.unsigned as readonly string[]).includes(c.name)) {
        const how = this.options.keys.size === 0 ? 'this gateway trusts no keys yet (remote.keys)' : 'sign it with a key in remote.keys';
        return reject('unsigned', `'${c.name}' runs only when signed: ${how}`);
      }
    }
    if (c.deviceId?.startsWith('unknown:')) return reject('unauthorized', `addressed to a device this gateway does not have (${c.deviceId.slice(8)})`);
    if (c.signed !== undefined) {
      const { ts, digest } = c.signed;
      if (Math.abs(now - ts) > config.replayWindowMs) return reject('stale', `signed ${Math.round((now - ts) / 1000)} s from the gateway clock; at most ${config.replayWindowMs / 1000} s either way`);
      if (seen.has(digest, now)) return reject('replayed', 'this signed command was already received');
      // Remembered before it runs (a command may restart the gateway), for as long as its stamp is acceptable.
      if ((await seen.remember(digest, Math.max(ts, now) + config.replayWindowMs, now)) === 'full') return reject('busy', 'too many recent commands to remember; try again shortly');
    }
    const problems = validateParams(c.name, c.params);
    if (problems.length > 0) return { ok: false, code: 'invalid', message: problems.join('; '), data: { errors: problems } };
    return undefined;
  }

  private async perform(c: GatewayCommand, by: string, cmd: PlatformCommand): Promise<CommandResult> {
    const { actions } = this.options;
    const requestId = cmd.id;
    const p = c.params;
    const device = (p.deviceId as string | undefined) ?? c.deviceId;
    switch (c.name) {
      case 'read_device':
        if (device === undefined) return reject('invalid', 'params.deviceId: required when the command is not sent to a device');
        return done(await need(actions.readDevice, 'read_device')(device));
      case 'ack_alarm':
        return done(await need(actions.acknowledgeAlarm, 'ack_alarm')(p.eventId as string, by));
      case 'silence_alarm':
        return done(await need(actions.silenceAlarm, 'silence_alarm')(p.eventId as string, p.minutes as number, by));
      case 'test_output':
        return done(await need(actions.testOutput, 'test_output')(p.outputId as string, p.durationMs as number));
      case 'device_command': {
        if (device === undefined) return reject('invalid', 'params.deviceId: required when the command is not sent to a device');
        const run = need(actions.deviceCommand, 'device_command');
        const outcome = await run(device, p.command as string, (p.params ?? {}) as Record<string, number>, p.confirm === true && c.signed !== undefined, by);
        // The device's answer decides: written but not confirmed by its read-back is not ok.
        return outcome.ok === true ? done(outcome) : { ok: false, code: String(outcome.result ?? 'failed'), message: String(outcome.detail ?? outcome.result), data: outcome };
      }
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
      case 'update_software': {
        // Only ever signed (it is no read-only command): the root updater verifies the same envelope again.
        const envelope = { signed: cmd.params.signed as string, sig: cmd.params.sig as string };
        const reply = { id: cmd.id, name: cmd.name, topic: cmd.topic, ...(cmd.deviceId !== undefined ? { deviceId: cmd.deviceId } : {}), ...(cmd.replyTo !== undefined ? { replyTo: cmd.replyTo } : {}) };
        const params = p as unknown as Parameters<NonNullable<GatewayActions['updateSoftware']>>[0];
        return need(actions.updateSoftware, 'update_software')(params, envelope, reply);
      }
      case 'restart': {
        const restart = need(actions.restart, 'restart');
        // Answer first: the result goes out before the service stops.
        setTimeout(() => restart(`remote command ${requestId}`), 500).unref();
        return { ok: true, code: 'ok', message: 'restarting' };
      }
      default:
        return reject('unknown_command', `unknown command '${c.name}'`);
    }
  }

  private audit(cmd: PlatformCommand, now: number, result: CommandResult, keyId: string | undefined): void {
    const entry: AuditEntry = {
      at: now,
      by: keyId !== undefined ? `${this.options.source} key ${keyId}` : this.options.source,
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

const REJECTIONS = new Set(['fire_alarm_active', 'same_version', 'update_in_progress', 'disabled', 'unknown_command', 'unauthorized', 'unsigned', 'bad_signature', 'replayed', 'stale', 'invalid', 'busy', 'not_available', 'config_invalid']);

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

/** The audit keeps what was asked, not the envelope: a signed body is recorded by its command, a whole config by version and size. */
function summarize(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  if (typeof out.signed === 'string') {
    try {
      const body = JSON.parse(Buffer.from(out.signed, 'base64url').toString('utf8')) as { cmd?: unknown; params?: Record<string, unknown>; ts?: unknown; device?: unknown };
      out.signed = { cmd: body.cmd, ts: body.ts, device: body.device, params: summarizeParams(body.params ?? {}) };
    } catch {
      out.signed = { bytes: (params.signed as string).length };
    }
    delete out.sig;
  }
  return summarizeParams(out);
}

function summarizeParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  if (typeof out.config === 'string') out.config = { version: configVersion(out.config), bytes: out.config.length };
  return out;
}
