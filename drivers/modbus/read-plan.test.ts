import t from 'tap';
import { planReads, planProfileReads, type Span } from './read-plan.js';
import type { ModbusArea } from '../../src/bus/modbus/types.js';
import { loadProfileSync, shippedProfileDir } from './profile.js';

const span = (area: ModbusArea, address: number, width = 1): Span<string> => ({ area, address, width, item: `${area}${address}` });
const limits = { maxRegisters: 125, maxBits: 2000, maxGap: 0 };
const shape = (blocks: ReturnType<typeof planReads<string>>) => blocks.map((b) => `${b.area} ${b.address}+${b.count} [${b.items.map((i) => i.item).join(',')}]`);

t.test('contiguous addresses in one area become one request', async (t) => {
  t.same(shape(planReads([span('input', 2), span('input', 0), span('input', 1)], limits)), ['input 0+3 [input0,input1,input2]']);
});

t.test('32-bit spans count two registers', async (t) => {
  t.same(shape(planReads([span('holding', 0, 2), span('holding', 2, 2), span('holding', 4)], limits)), ['holding 0+5 [holding0,holding2,holding4]']);
});

t.test('gaps split unless maxGap allows them', async (t) => {
  const spans = [span('input', 0), span('input', 3), span('input', 10)];
  t.same(shape(planReads(spans, limits)), ['input 0+1 [input0]', 'input 3+1 [input3]', 'input 10+1 [input10]']);
  t.same(shape(planReads(spans, { ...limits, maxGap: 2 })), ['input 0+4 [input0,input3]', 'input 10+1 [input10]']);
  t.same(shape(planReads(spans, { ...limits, maxGap: 6 })), ['input 0+11 [input0,input3,input10]']);
});

t.test('areas never mix; bits and registers have their own limits', async (t) => {
  const spans = [span('holding', 0), span('input', 0), span('coil', 0), span('coil', 1), span('discrete', 5)];
  t.same(shape(planReads(spans, limits)), ['discrete 5+1 [discrete5]', 'coil 0+2 [coil0,coil1]', 'input 0+1 [input0]', 'holding 0+1 [holding0]']);
});

t.test('at most 125 registers / 2000 bits per request, or the profile limit', async (t) => {
  const regs = Array.from({ length: 300 }, (_, i) => span('holding', i));
  t.same(planReads(regs, limits).map((b) => [b.address, b.count]), [[0, 125], [125, 125], [250, 50]]);
  t.same(planReads(regs, { ...limits, maxRegisters: 100 }).map((b) => [b.address, b.count]), [[0, 100], [100, 100], [200, 100]]);
  const bits = Array.from({ length: 4100 }, (_, i) => span('coil', i));
  t.same(planReads(bits, limits).map((b) => [b.address, b.count]), [[0, 2000], [2000, 2000], [4000, 100]]);
  // A 32-bit value is never split across two requests.
  const wide = [span('holding', 0, 2), span('holding', 2, 2)];
  t.same(planReads(wide, { ...limits, maxRegisters: 3 }).map((b) => [b.address, b.count]), [[0, 2], [2, 2]]);
});

t.test('overlapping spans share a request', async (t) => {
  t.same(shape(planReads([span('input', 5), span('input', 4, 2)], limits)), ['input 4+2 [input4,input5]']);
});

t.test('the shipped profiles plan as expected', async (t) => {
  const smoke = loadProfileSync(`${shippedProfileDir()}/example-smoke-detector.yaml`);
  t.same(planProfileReads(smoke).map((b) => [b.area, b.address, b.count]), [['input', 0, 3], ['input', 4, 1]]);
  t.same(planProfileReads({ ...smoke, reads: { ...smoke.reads, maxGap: 1 } }).map((b) => [b.area, b.address, b.count]), [['input', 0, 5]]);
  const rcd = loadProfileSync(`${shippedProfileDir()}/example-residual-current-detector.yaml`);
  t.same(planProfileReads(rcd).map((b) => [b.area, b.address, b.count]), [['input', 0, 8], ['holding', 256, 1]]);
});
