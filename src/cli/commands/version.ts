import type { Command } from '../index.js';
import { version } from '../../version.js';

export const versionCommand: Command = {
  summary: 'print the version',
  usage: 'Usage: hearth version',
  async run() {
    process.stdout.write(`hearth ${version()} (node ${process.version})\n`);
    return 0;
  },
};
