import { AsciiLineDecoder } from './ascii-line.js';
import type { TagDecoder } from './decoder.js';
import { Rdm6300Decoder } from './rdm6300.js';
import { UhfM100Decoder } from './uhf-m100.js';

export type TagProtocol = 'rdm6300' | 'ascii-line' | 'uhf-m100';

export function createTagDecoder(protocol: TagProtocol, pattern?: string): TagDecoder {
  switch (protocol) {
    case 'rdm6300':
      return new Rdm6300Decoder();
    case 'ascii-line':
      return new AsciiLineDecoder(pattern);
    case 'uhf-m100':
      return new UhfM100Decoder();
  }
}

/** Usual line speed per protocol, used when the config gives none. */
export const DEFAULT_BAUD: Record<TagProtocol, number> = { rdm6300: 9600, 'ascii-line': 9600, 'uhf-m100': 115200 };
