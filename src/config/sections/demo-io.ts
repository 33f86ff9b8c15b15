import { integer, object, oneOfStrings, text, type JsonSchema } from './common.js';

/** Properties of the `demo` section for simulated GPIO contacts and tag readers (see src/sim/). */
export const demoIoProperties: Record<string, JsonSchema> = {
  contacts: object('Simulated dry contacts: drives every gpio.inputs line when gpio.backend is sim.', {
    scenario: oneOfStrings('alarm-cycle: contacts active 12-24 s of each 60 s cycle (with contact bounce); steady: never. Default alarm-cycle.', ['alarm-cycle', 'steady'], 'alarm-cycle'),
  }),
  tagReaders: {
    type: 'array',
    description: 'Simulated tag readers served over TCP (point a tags.readers[].tcp at them).',
    default: [],
    items: object(
      'A simulated tag reader.',
      {
        host: text('Address it listens on. Default 127.0.0.1.', '127.0.0.1'),
        port: integer('TCP port.', 1, 65535),
        protocol: oneOfStrings('Frame format it sends. Default rdm6300.', ['rdm6300', 'ascii-line', 'uhf-m100'], 'rdm6300'),
        scenario: oneOfStrings('ebike-visit: a resident tag at 4-7 s, an e-bike tag at 15-19 s of each 60 s cycle. Default ebike-visit.', ['ebike-visit', 'none'], 'ebike-visit'),
      },
      ['port'],
    ),
  },
};
