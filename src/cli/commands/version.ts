import { EXIT_OK } from '../exit-codes.js';
import type { Command } from '../command.js';
import { version } from '../../version.js';

export const versionCommand: Command = {
  usage: 'Usage: hearth version',
  async run() {
    process.stdout.write(`hearth ${version()} (node ${process.version})\n`);
    return EXIT_OK;
  },
};
