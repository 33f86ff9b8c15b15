import { ModbusExceptionError, ModbusMalformedError } from '../../src/bus/modbus/errors.js';
import type { ModbusBus, ModbusResponse } from '../../src/bus/modbus/types.js';
import type { DeviceDriver, RawValue } from '../../src/model/driver.js';
import { decodeValue, extractBit, orderBytes } from './decode.js';
import { profilePointSpecs } from './profile-points.js';
import type { ModbusProfile } from './profile-types.js';
import { planProfileReads, type ReadBlock } from './read-plan.js';

/**
 * The generic Modbus driver: any device model, described by its profile. Reads the profile's
 * blocks one after another over the shared bus and returns raw values (no scaling, no limits).
 *
 * Failure policy: an exception reply to one block (the device answered, but refuses that range)
 * does not stop the others, and the points that were read are returned. Any other failure
 * (timeout, CRC, closed bus) ends the poll at once: the device is not answering, and further
 * requests would only hold the bus for more timeouts while other devices wait. If no block could be
 * read, the poll rejects with the first error.
 */
export function createModbusDriver(profile: ModbusProfile, bus: ModbusBus, unit: number): DeviceDriver {
  const points = profilePointSpecs(profile);
  const blocks = planProfileReads(profile);
  return {
    points,
    async read(opts?: { priority?: number }): Promise<RawValue[]> {
      const values: RawValue[] = [];
      let firstError: unknown;
      let answered = false;
      for (const block of blocks) {
        try {
          const reply = await bus.request(
            { op: 'read', unit, area: block.area, address: block.address, count: block.count },
            opts?.priority === undefined ? {} : { priority: opts.priority },
          );
          values.push(...decodeBlock(block, reply, profile, unit));
          answered = true;
        } catch (err) {
          firstError ??= err;
          if (!(err instanceof ModbusExceptionError)) break;
        }
      }
      if (!answered && firstError !== undefined) throw firstError;
      return values;
    },
  };
}

/** Raw values of one block's points. Values that do not decode (float NaN) are left out. */
export function decodeBlock(block: ReadBlock, reply: ModbusResponse, profile: Pick<ModbusProfile, 'byteOrder'>, unit: number): RawValue[] {
  const bitArea = block.area === 'coil' || block.area === 'discrete';
  const data = bitArea ? reply.bits : reply.registers;
  if (!data || data.length < block.count) {
    throw new ModbusMalformedError(unit, `expected ${block.count} ${bitArea ? 'bits' : 'registers'} from ${block.area} ${block.address}, got ${data?.length ?? 0}`);
  }
  const out: RawValue[] = [];
  for (const { address, item } of block.items) {
    const index = address - block.address;
    if (item.kind === 'point') {
      const def = item.def;
      const raw = bitArea ? (reply.bits![index] ?? undefined) : decodeValue(reply.registers!, index, def.type, def.byteOrder, def.wordOrder);
      if (raw !== undefined) out.push({ point: def.name, raw });
    } else {
      // Bits are numbered in the register's value, so bytes are put in order first.
      const word = orderBytes(reply.registers![index]!, profile.byteOrder);
      for (const b of item.def.bits) out.push({ point: b.name, raw: extractBit(word, b.bit) });
    }
  }
  return out;
}
