import type { LocalActionRule } from '../config/io-types.js';
import { HearthError } from '../errors.js';
import type { FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import type { GatewayEvent } from '../model/event.js';
import { systemTimers, type TimerHandle, type Timers } from '../clock/timers.js';
import { Conditions, isFaultCondition, isFireAlarm, isRaising, type Actor, type Condition } from './conditions.js';
import { LocalActions, type RuleCommandRunner } from './local-actions.js';
import type { OutputRegistry } from '../outputs/driven-outputs.js';
import { ReceiptWatch, type ReceiptState } from './receipt-watch.js';
import { noLatchStore, type LatchStore } from './latch-store.js';
import { WalkTest, type WalkTestSession } from './walk-test.js';

export interface AlarmDeskOptions {
  actions: readonly LocalActionRule[];
  /** The gateway's outputs once GPIO is started (undefined before, or without GPIO); see OutputRegistry. */
  outputs: () => OutputRegistry | undefined;
  /** Runs the device commands of local rules (trip a breaker); without it, command steps do nothing. */
  ruleCommands?: RuleCommandRunner;
  now: () => number;
  mono?: () => number;
  faults: FaultReporter;
  logger: Logger;
  timers?: Timers;
  /** Default 100 s (EN 54-21 type 1). */
  receiptTimeoutMs?: number;
  /** Latched alarms kept across restarts. Default: in memory only. */
  latches?: LatchStore;
  /** Told after every change of a condition (raised, acknowledged, silenced, cleared, over). */
  onChange?: (change: DeskChange) => void;
}

export type DeskChange =
  | { type: 'raised' | 'acknowledged' | 'silenced' | 'resounded' | 'cleared'; condition: Condition }
  | { type: 'over'; condition: Condition };

/** A condition as people and the API see it. */
export interface AlarmView extends Condition {
  /** Whether the alarm drives a sounder right now. */
  sounding: boolean;
  /** Fire alarms: whether the receiving centre's confirmation is still awaited, or overdue. */
  receipt?: 'awaited' | 'overdue' | 'confirmed';
}

export interface DeskSummary {
  /** Conditions shown (active and latched). */
  conditions: number;
  /** Fire alarms whose source is still in alarm. */
  fireAlarms: number;
  /** Conditions whose source restored but that wait for a person's acknowledgement. */
  latched: number;
  /** Faults, tamper, devices offline (what lights a fault indicator). */
  faults: number;
  receipt: ReceiptState;
}

/** Owner name of the fault indicator's demand on its outputs. */
const FAULT_INDICATOR = 'fault-indicator';

/**
 * The alarm desk: what a fire panel's front does, for the gateway. It sees every event in the same
 * turn of the event loop as the rules' decision, before storage and uplink, and:
 *  - keeps the conditions (alarms, faults, tamper, offline) until they are over; fire alarms latch
 *    until a person acknowledged them;
 *  - runs the local actions (sirens, relays) at once;
 *  - silences sounders per alarm, with a timed silence that re-sounds when it ends if the alarm is
 *    still there (EN 54-2); a new alarm sounds on its own demand;
 *  - watches that each fire alarm is confirmed by the receiving centre (EN 54-21);
 *  - drives fault-indicator outputs while any fault condition is present.
 * People (console), the platform (remote commands) and the CLI all act through it, so acknowledge
 * and silence work with the API off. Nothing here touches the disk or the network on the alarm path.
 */
export class AlarmDesk {
  private readonly conditions = new Conditions();
  private readonly actions: LocalActions;
  private readonly receipts: ReceiptWatch;
  private readonly confirmed = new Set<string>();
  private readonly silenceTimers = new Map<string, TimerHandle>();
  private readonly timers: Timers;
  private readonly latches: LatchStore;
  private faultIndicatorOn = false;
  /** The walk test (EN 54-2 test condition): which alarms are tests and which may sound. */
  readonly walkTest: WalkTest;

  constructor(private readonly options: AlarmDeskOptions) {
    this.timers = options.timers ?? systemTimers;
    this.actions = new LocalActions(options.actions, options.outputs, options.logger, options.mono, options.ruleCommands);
    this.receipts = new ReceiptWatch({
      timeoutMs: options.receiptTimeoutMs,
      now: options.now,
      faults: options.faults,
      logger: options.logger,
      timers: this.timers,
    });
    this.walkTest = new WalkTest({ now: options.now, timers: this.timers, onEnd: (s) => this.walkTestEnded(s) });
    this.latches = options.latches ?? noLatchStore;
    this.conditions.restoreLatched(this.latches.load());
  }

  /** Every event of the gateway, in order, before it is stored. Never throws. */
  onEvent(e: GatewayEvent): void {
    try {
      // Walk-test hook: a test alarm is flagged on the event itself (so the outbox stores and sends
      // it flagged) and, unless sounders were asked for, its sounder demands are held.
      const verdict = this.walkTest.classify(e);
      if (verdict.test) e.test = true;
      this.actions.onEvent(e, verdict.holdSounders);
      if (isRaising(e)) this.raise(e);
      else if (e.restores !== undefined) this.restore(e);
      this.updateFaultIndicator();
    } catch (err) {
      this.options.logger.error({ err, event: e.id }, 'alarm desk: event handling failed');
    }
  }

  /** Conditions, oldest first. */
  list(): AlarmView[] {
    return this.conditions.list().map((c) => this.view(c));
  }

  get(id: string): AlarmView | undefined {
    const c = this.conditions.get(id);
    return c === undefined ? undefined : this.view(c);
  }

  summary(): DeskSummary {
    const all = this.conditions.list();
    return {
      conditions: all.length,
      fireAlarms: all.filter((c) => isFireAlarm(c.event) && c.clearedAt === undefined).length,
      latched: all.filter((c) => c.clearedAt !== undefined).length,
      faults: all.filter(isFaultCondition).length,
      receipt: this.receipts.state(),
    };
  }

  /** Fire alarms whose detector is still in alarm (restarts wait for this to be 0). */
  activeFireAlarms(): number {
    return this.summary().fireAlarms;
  }

  /** A person takes responsibility for the condition. A latched one is over with it. */
  acknowledge(id: string, actor: Actor): AlarmView {
    const done = this.conditions.acknowledge(id, { at: this.options.now(), by: actor.by, via: actor.via });
    if (done === undefined) throw new HearthError('ALARM_NOT_FOUND', `no alarm '${id}' on the desk`);
    this.options.logger.warn({ event: id, device: done.condition.event.deviceId, by: actor.by, via: actor.via, role: actor.role, from: actor.from }, 'alarm acknowledged');
    if (done.gone) this.over(done.condition);
    this.changed({ type: done.gone ? 'over' : 'acknowledged', condition: done.condition });
    if (done.gone) this.saveLatches();
    return this.view(done.condition);
  }

  /**
   * Silences the sounders this alarm drives for `minutes`; when the time is up and the alarm is
   * still there, they sound again. Sounders another unsilenced alarm demands keep sounding.
   */
  silence(id: string, minutes: number, actor: Actor): AlarmView {
    const c = this.conditions.get(id);
    if (c === undefined) throw new HearthError('ALARM_NOT_FOUND', `no alarm '${id}' on the desk`);
    const until = this.options.now() + minutes * 60_000;
    c.silenced = { until, by: actor.by, via: actor.via };
    const off = this.actions.silence(id);
    const old = this.silenceTimers.get(id);
    if (old !== undefined) this.timers.clearTimeout(old);
    const timer = this.timers.setTimeout(() => this.endSilence(id), minutes * 60_000);
    (timer as { unref?: () => void }).unref?.();
    this.silenceTimers.set(id, timer);
    this.options.logger.warn({ event: id, minutes, outputs: off, by: actor.by, via: actor.via, role: actor.role, from: actor.from }, 'alarm silenced: its sounders off');
    this.changed({ type: 'silenced', condition: c });
    return this.view(c);
  }

  /** Silences every condition on the desk (the panel's "silence" button). */
  silenceAll(minutes: number, actor: Actor): AlarmView[] {
    return this.conditions.list().map((c) => this.silence(c.event.id, minutes, actor));
  }

  /** The receiving centre confirmed these events (from the uplink). */
  receiptsConfirmed(ids: readonly string[]): void {
    for (const id of ids) {
      if (this.receipts.status(id) !== undefined) this.confirmed.add(id);
    }
    this.receipts.confirmed(ids);
  }

  receiptState(): ReceiptState {
    return this.receipts.state();
  }

  /** The outputs came up (GPIO started after some conditions were raised): bring indicators up to date. */
  outputsReady(): void {
    this.faultIndicatorOn = false;
    this.updateFaultIndicator(true);
  }

  stop(): void {
    this.walkTest.close();
    this.receipts.stop();
    for (const t of this.silenceTimers.values()) this.timers.clearTimeout(t);
    this.silenceTimers.clear();
  }

  private raise(e: GatewayEvent): void {
    // A new alarm from the same point supersedes one latched from before (e.g. before a restart).
    let superseded = false;
    for (const old of this.conditions.list()) {
      if (old.clearedAt !== undefined && old.event.deviceId === e.deviceId && old.event.point === e.point && old.event.kind === e.kind) {
        this.conditions.acknowledge(old.event.id, { at: this.options.now(), by: 'superseded', via: 'local' });
        this.over(old);
        superseded = true;
      }
    }
    // Off the file too: a restart would bring a superseded latch back.
    if (superseded) this.saveLatches();
    const c = this.conditions.raise(e);
    if (isFireAlarm(e)) this.receipts.raised(e);
    this.changed({ type: 'raised', condition: c });
  }

  private restore(e: GatewayEvent): void {
    const r = this.conditions.restore(e.restores!, e.ts);
    if (r === undefined) return;
    if (r.stays) {
      this.changed({ type: 'cleared', condition: r.condition });
      this.saveLatches();
    } else {
      this.over(r.condition);
      this.changed({ type: 'over', condition: r.condition });
    }
  }

  /** A walk test ended: test alarms still in alarm (not silenced by a person) sound now. */
  private walkTestEnded(s: WalkTestSession): void {
    for (const hit of s.hits) {
      const c = this.conditions.get(hit.eventId);
      if (c === undefined || c.clearedAt !== undefined || c.silenced !== undefined) continue;
      const back = this.actions.resound(hit.eventId);
      if (back.length > 0) this.options.logger.warn({ event: hit.eventId, outputs: back }, 'walk test ended: alarm still present, sounding');
      this.changed({ type: 'resounded', condition: c });
    }
  }

  private endSilence(id: string): void {
    this.silenceTimers.delete(id);
    const c = this.conditions.get(id);
    if (c === undefined) return;
    delete c.silenced;
    // A silence that ends inside a quiet walk test gives nothing back yet: the test's end does.
    const back = this.walkTest.holdsSounders(id) ? [] : this.actions.resound(id);
    if (back.length > 0) this.options.logger.warn({ event: id, outputs: back }, 'silence ended: alarm still present, sounding again');
    this.changed({ type: 'resounded', condition: c });
  }

  private over(c: Condition): void {
    const t = this.silenceTimers.get(c.event.id);
    if (t !== undefined) this.timers.clearTimeout(t);
    this.silenceTimers.delete(c.event.id);
    this.actions.forget(c.event.id);
    this.confirmed.delete(c.event.id);
  }

  private view(c: Condition): AlarmView {
    const v: AlarmView = { ...c, sounding: this.actions.sounding(c.event.id) };
    const receipt = this.receipts.status(c.event.id) ?? (this.confirmed.has(c.event.id) ? 'confirmed' : undefined);
    if (receipt !== undefined) v.receipt = receipt;
    return v;
  }

  private updateFaultIndicator(force = false): void {
    const on = this.conditions.list().some(isFaultCondition);
    if (on === this.faultIndicatorOn && !force) return;
    const outputs = this.options.outputs()?.all().filter((o) => o.cfg.role === 'fault-indicator') ?? [];
    // Only remember the new state once outputs exist, so an indicator configured on a line that came up late catches up.
    if (outputs.length === 0) return;
    this.faultIndicatorOn = on;
    for (const o of outputs) {
      if (on) o.run({ mode: 'on', owner: FAULT_INDICATOR });
      else o.release(FAULT_INDICATOR);
    }
  }

  private saveLatches(): void {
    this.latches.save(this.conditions.list().filter((c) => c.clearedAt !== undefined));
  }

  private changed(change: DeskChange): void {
    try {
      this.options.onChange?.(change);
    } catch (err) {
      this.options.logger.error({ err }, 'alarm desk: change listener failed');
    }
  }
}
