import type { ModbusArea, ModbusBus, ModbusResponse } from '../../bus/modbus/types.js';

/**
 * A bus that remembers every read reply, so `hearth read --raw` can show the registers behind each
 * value while the driver reads exactly as the daemon does (same blocks, same failure policy).
 */
export interface RecordedReads {
  /** The 16-bit word (or bit) at `address` of `area`, as the device sent it; undefined if not read. */
  word(area: ModbusArea, address: number): number | undefined;
}

export function recordingBus(bus: ModbusBus): { bus: ModbusBus; reads: RecordedReads } {
  const seen = new Map<string, number>();
  const recorded: ModbusBus = {
    get id() {
      return bus.id;
    },
    open: () => bus.open(),
    close: () => bus.close(),
    counters: () => bus.counters(),
    queueDepth: () => bus.queueDepth(),
    async request(req, opts) {
      const reply: ModbusResponse = await bus.request(req, opts);
      if (req.op === 'read') {
        const values = reply.registers ?? reply.bits?.map((b) => (b ? 1 : 0)) ?? [];
        values.forEach((v, i) => seen.set(`${req.area}:${req.address + i}`, v));
      }
      return reply;
    },
  };
  return { bus: recorded, reads: { word: (area, address) => seen.get(`${area}:${address}`) } };
}
