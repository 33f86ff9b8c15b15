import type { ComponentLogger as Logger } from '../../log/component-logger.js';
import { Command, Gbt26875Error, decodeUnit, encodeUnit, type ApplicationDataUnit, type CentreUnit, type DecodedFrame } from '../gbt26875/index.js';
import { answerRead, type AnswerContext } from './answers.js';
import type { CentreCounters } from './state.js';

/** What the centre's frames make the session do. */
export interface CentreControls {
  /** Sends an answer to `to` (same serial number, addresses swapped). */
  answer(to: DecodedFrame, command: number, data?: Buffer): void;
  /** The centre confirmed / denied the gateway's frame with this serial number. */
  confirmed(serial: number): void;
  denied(serial: number): void;
  /** Control 91: someone on site must answer within `minutes` (0: no limit given). */
  dutyCheck(minutes: number): void;
  /** Control 90: the centre's time. */
  clockSync(time: Date): void;
  /** Control 89. */
  initialise(): void;
}

export interface IncomingContext {
  /** This gateway's address: frames for another are not for it. */
  address: number;
  utcOffsetMinutes: number;
  answers: AnswerContext;
  counters: CentreCounters;
  logger: Logger;
  controls: CentreControls;
}

const READS: ReadonlySet<number> = new Set([61, 62, 63, 64, 65, 66, 67, 68, 81, 84, 85, 86, 88]);

/**
 * One frame from the centre (§6.5, table 2): confirms and denies settle the gateway's frames; a
 * request (4) is a read, answered with a reply (5) or denied; a control (1) is confirmed and acted
 * on, or denied. Anything else the gateway does not take (a send from the centre, an unknown
 * command, application data it cannot read) is denied, so the centre is never left waiting; a
 * frame for another address is ignored.
 */
export function handleCentreFrame(frame: DecodedFrame, ctx: IncomingContext): void {
  const { counters, controls, logger } = ctx;
  // 0 is taken as "this gateway": some centres leave the destination unset in their answers.
  if (frame.destination !== ctx.address && frame.destination !== 0) {
    counters.ignored++;
    logger.warn({ destination: frame.destination, address: ctx.address, command: frame.command }, 'centre: frame for another address ignored');
    return;
  }
  switch (frame.command) {
    case Command.confirm:
      counters.confirmed++;
      controls.confirmed(frame.serial);
      return;
    case Command.deny:
      counters.denied++;
      controls.denied(frame.serial);
      return;
    case Command.request:
      answerRequest(frame, ctx);
      return;
    case Command.control:
      control(frame, ctx);
      return;
    default:
      counters.ignored++;
      logger.warn({ command: frame.command, serial: frame.serial }, 'centre: command the gateway does not take; denied');
      controls.answer(frame, Command.deny);
  }
}

function decoded(frame: DecodedFrame, ctx: IncomingContext): ApplicationDataUnit | undefined {
  try {
    return decodeUnit(frame.data, { utcOffsetMinutes: ctx.utcOffsetMinutes });
  } catch (err) {
    if (!(err instanceof Gbt26875Error)) throw err;
    ctx.counters.badUnits++;
    ctx.logger.warn({ err, serial: frame.serial, command: frame.command }, 'centre: application data unreadable; denied');
    return undefined;
  }
}

function answerRequest(frame: DecodedFrame, ctx: IncomingContext): void {
  const { counters, controls } = ctx;
  const unit = decoded(frame, ctx);
  const reply = unit !== undefined && READS.has(unit.type) ? answerRead(unit as CentreUnit, ctx.answers) : undefined;
  let data: Buffer | undefined;
  try {
    data = reply === undefined ? undefined : encodeUnit(reply, { utcOffsetMinutes: ctx.utcOffsetMinutes });
  } catch (err) {
    ctx.logger.error({ err, type: unit?.type }, 'centre: the answer to a read cannot be encoded');
  }
  if (data === undefined) {
    counters.readsDenied++;
    controls.answer(frame, Command.deny);
    return;
  }
  counters.readsAnswered++;
  controls.answer(frame, Command.reply, data);
}

function control(frame: DecodedFrame, ctx: IncomingContext): void {
  const { counters, controls } = ctx;
  const unit = decoded(frame, ctx);
  switch (unit?.type) {
    case 89:
      counters.controls++;
      controls.answer(frame, Command.confirm);
      controls.initialise();
      return;
    case 90:
      counters.controls++;
      // Adopted first: the confirm already carries the centre's time in its time tag.
      controls.clockSync(unit.time);
      controls.answer(frame, Command.confirm);
      return;
    case 91:
      counters.controls++;
      controls.answer(frame, Command.confirm);
      controls.dutyCheck(unit.timeoutMinutes);
      return;
    default:
      if (unit !== undefined) counters.ignored++;
      controls.answer(frame, Command.deny);
  }
}
