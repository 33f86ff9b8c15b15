import { Type } from '@sinclair/typebox';
import { integer, object, oneOfStrings, text } from './common.js';
import { Defaulted } from './defaulted.js';

/** Demo configs only: simulated dry contacts (on gpio.backend: sim) and TCP tag readers (see src/sim/). */

export const demoContactsSchema = object('Simulated dry contacts: drives every gpio.inputs line when gpio.backend is sim.', {
  scenario: Defaulted(
    oneOfStrings('alarm-cycle: contacts active 12-24 s of each 60 s cycle (with contact bounce); steady: never. Default alarm-cycle.', ['alarm-cycle', 'steady']),
    'alarm-cycle',
  ),
});

export const demoTagReaderSchema = object('A simulated tag reader.', {
  host: Defaulted(text('Address it listens on. Default 127.0.0.1.'), '127.0.0.1'),
  port: integer('TCP port.', 1, 65535),
  protocol: Defaulted(oneOfStrings('Frame format it sends. Default rdm6300.', ['rdm6300', 'ascii-line', 'uhf-m100']), 'rdm6300'),
  scenario: Defaulted(
    oneOfStrings('ebike-visit: a resident tag at 4-7 s, an e-bike tag at 15-19 s of each 60 s cycle. Default ebike-visit.', ['ebike-visit', 'none']),
    'ebike-visit',
  ),
});

/** Properties of the `demo` section for simulated GPIO contacts and tag readers. */
export const demoIoProperties = {
  contacts: Type.Optional(demoContactsSchema),
  tagReaders: Defaulted(Type.Array(demoTagReaderSchema, { description: 'Simulated tag readers served over TCP (point a tags.readers[].tcp at them).' }), []),
};
