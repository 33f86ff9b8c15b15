import type { Command } from '../index.js';
export const runCommand: Command = { summary: 'run the gateway', usage: 'Usage: hearth run [--config FILE]', async run() { return 1; } };
