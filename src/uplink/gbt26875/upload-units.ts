import type { ByteReader, ByteWriter } from './bytes.js';
import {
  decodeComponentStatus,
  decodeDeviceOperation,
  decodeDeviceStatus,
  decodeSystemOperation,
  decodeSystemStatus,
  encodeComponentStatus,
  encodeDeviceOperation,
  encodeDeviceStatus,
  encodeSystemOperation,
  encodeSystemStatus,
} from './flags.js';
import { decodeGb18030Field, DESCRIPTION_BYTES, encodeGb18030, encodeGb18030Field } from './gb18030.js';
import { listCodec, readSystem, readTime, singleCodec, writeSystem, writeTime, type TypeCodec } from './unit-fields.js';

/** Information objects of the upload types (§8.2.1, laid out per §8.3.1). */

/** A length byte and that many bytes of GB 18030 text (figures 11 and 16, L = 0–255). */
function writeCountedText(text: string, w: ByteWriter): void {
  const bytes = encodeGb18030(text, 255);
  w.u8(bytes.length, 'description length').bytes(bytes);
}

function readCountedText(r: ByteReader): string {
  return decodeGb18030Field(r.bytes(r.u8()));
}

/** Type, system, component type, component address: the head of types 2, 3 and 7 (figures 7, 8, 12). */
function writeComponentHead(c: { system: { type: number; address: number }; componentType: number; address: number }, w: ByteWriter): void {
  writeSystem(c.system, w);
  w.u8(c.componentType, 'component type').u32(c.address, 'component address');
}

function readComponentHead(r: ByteReader): { system: { type: number; address: number }; componentType: number; address: number } {
  const system = readSystem(r);
  return { system, componentType: r.u8(), address: r.u32() };
}

export const systemStates: TypeCodec<1> = listCodec(
  102,
  (u) => u.states,
  (states) => ({ type: 1, states }),
  (s, w, tz) => {
    writeSystem(s.system, w);
    w.u16(encodeSystemStatus(s.status), 'system state');
    writeTime(s.time, w, tz);
  },
  (r, tz) => ({ system: readSystem(r), status: decodeSystemStatus(r.u16()), time: readTime(r, tz) }),
);

export const componentStates: TypeCodec<2> = listCodec(
  22,
  (u) => u.components,
  (components) => ({ type: 2, components }),
  (c, w, tz) => {
    writeComponentHead(c, w);
    w.u16(encodeComponentStatus(c.status), 'component state').bytes(encodeGb18030Field(c.description));
    writeTime(c.time, w, tz);
  },
  (r, tz) => {
    const head = readComponentHead(r);
    const status = decodeComponentStatus(r.u16());
    return { ...head, status, description: decodeGb18030Field(r.bytes(DESCRIPTION_BYTES)), time: readTime(r, tz) };
  },
);

export const analogueValues: TypeCodec<3> = listCodec(
  63,
  (u) => u.values,
  (values) => ({ type: 3, values }),
  (v, w, tz) => {
    writeComponentHead(v, w);
    w.u8(v.analogueType, 'analogue type').i16(v.value, 'analogue value');
    writeTime(v.time, w, tz);
  },
  (r, tz) => {
    const head = readComponentHead(r);
    return { ...head, analogueType: r.u8(), value: r.i16(), time: readTime(r, tz) };
  },
);

export const systemOperations: TypeCodec<4> = listCodec(
  102,
  (u) => u.operations,
  (operations) => ({ type: 4, operations }),
  (o, w, tz) => {
    writeSystem(o.system, w);
    w.u8(encodeSystemOperation(o.flags), 'operation flags').u8(o.operator, 'operator number');
    writeTime(o.time, w, tz);
  },
  (r, tz) => ({ system: readSystem(r), flags: decodeSystemOperation(r.u8()), operator: r.u8(), time: readTime(r, tz) }),
);

export const systemSoftwareVersion: TypeCodec<5> = singleCodec(
  (u, w) => {
    writeSystem(u.system, w);
    w.u8(u.version.major, 'major version').u8(u.version.minor, 'minor version');
  },
  (r) => ({ type: 5, system: readSystem(r), version: { major: r.u8(), minor: r.u8() } }),
);

export const systemConfigurations: TypeCodec<6> = listCodec(
  3,
  (u) => u.systems,
  (systems) => ({ type: 6, systems }),
  (s, w) => {
    writeSystem(s.system, w);
    writeCountedText(s.description, w);
  },
  (r) => ({ system: readSystem(r), description: readCountedText(r) }),
);

export const componentConfigurations: TypeCodec<7> = listCodec(
  26,
  (u) => u.components,
  (components) => ({ type: 7, components }),
  (c, w) => {
    writeComponentHead(c, w);
    w.bytes(encodeGb18030Field(c.description));
  },
  (r) => ({ ...readComponentHead(r), description: decodeGb18030Field(r.bytes(DESCRIPTION_BYTES)) }),
);

export const systemTime: TypeCodec<8> = singleCodec(
  (u, w, tz) => {
    writeSystem(u.system, w);
    writeTime(u.time, w, tz);
  },
  (r, tz) => ({ type: 8, system: readSystem(r), time: readTime(r, tz) }),
);

/** Figure 26: one state byte and its time, no system fields (the device is the frame's source). */
export const deviceState: TypeCodec<21> = singleCodec(
  (u, w, tz) => {
    w.u8(encodeDeviceStatus(u.state.status), 'device state');
    writeTime(u.state.time, w, tz);
  },
  (r, tz) => ({ type: 21, state: { status: decodeDeviceStatus(r.u8()), time: readTime(r, tz) } }),
);

export const deviceOperations: TypeCodec<24> = listCodec(
  127,
  (u) => u.operations,
  (operations) => ({ type: 24, operations }),
  (o, w, tz) => {
    w.u8(encodeDeviceOperation(o.flags), 'operation flags').u8(o.operator, 'operator number');
    writeTime(o.time, w, tz);
  },
  (r, tz) => ({ flags: decodeDeviceOperation(r.u8()), operator: r.u8(), time: readTime(r, tz) }),
);

export const deviceSoftwareVersion: TypeCodec<25> = singleCodec(
  (u, w) => {
    w.u8(u.version.major, 'major version').u8(u.version.minor, 'minor version');
  },
  (r) => ({ type: 25, version: { major: r.u8(), minor: r.u8() } }),
);

export const deviceConfiguration: TypeCodec<26> = singleCodec(
  (u, w) => writeCountedText(u.description, w),
  (r) => ({ type: 26, description: readCountedText(r) }),
);

export const deviceTime: TypeCodec<28> = singleCodec(
  (u, w, tz) => writeTime(u.time, w, tz),
  (r, tz) => ({ type: 28, time: readTime(r, tz) }),
);
