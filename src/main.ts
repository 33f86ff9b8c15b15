#!/usr/bin/env node
import { runCli } from './cli/index.js';

// The whole program is the CLI; `hearth run` is the daemon. Exit codes: see src/cli/exit-codes.ts.
process.exitCode = await runCli(process.argv.slice(2));
