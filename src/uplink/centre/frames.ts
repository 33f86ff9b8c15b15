import type { CentreConfig } from '../../config/types.js';
import { answerFrame, encodeFrame, encodeUnit, type DecodedFrame, type Frame, type UploadUnit } from '../gbt26875/index.js';
import { SerialNumbers } from './serials.js';

/** Whole frames from units, with this gateway's addresses, version, time zone and serial numbers. */
export class FrameMaker {
  private readonly serials: SerialNumbers;

  constructor(
    private readonly centre: CentreConfig,
    private readonly now: () => number,
    inUse: (serial: number) => boolean,
  ) {
    this.serials = new SerialNumbers(inUse);
  }

  /** Send frames of an outbox record (serial numbers from its row id: a resend after a restart keeps them). */
  record(rowId: number, command: number, units: readonly UploadUnit[]): [number, Buffer][] {
    return units.map((unit, k) => {
      const serial = this.serials.forRecord(rowId, k);
      return [serial, this.frame(serial, command, unit)];
    });
  }

  /** Send frames of something that is not a record (state, heartbeat, operation). */
  live(command: number, units: readonly UploadUnit[]): [number, Buffer][] {
    return units.map((unit) => {
      const serial = this.serials.next();
      return [serial, this.frame(serial, command, unit)];
    });
  }

  /** The answer to a frame of the centre's: its serial number, addresses swapped. */
  answer(to: DecodedFrame, command: number, data?: Buffer): Buffer {
    return this.encode(answerFrame(to, command, new Date(this.now()), data));
  }

  private frame(serial: number, command: number, unit: UploadUnit): Buffer {
    const c = this.centre;
    const data = encodeUnit(unit, { utcOffsetMinutes: c.utcOffsetMinutes });
    return this.encode({ serial, time: new Date(this.now()), source: c.sourceAddress, destination: c.centreAddress, command, data, version: { major: 1, user: c.userVersion } });
  }

  private encode(frame: Frame): Buffer {
    return encodeFrame(frame, { utcOffsetMinutes: this.centre.utcOffsetMinutes });
  }
}
