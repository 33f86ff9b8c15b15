/**
 * Whether a command's arguments ask for its help. Checked before the command parses anything, so
 * `--help` works on every command, whatever else is on the line (`hearth keygen --out k --help`
 * prints the usage and writes no key). Arguments after `--` are values, never flags.
 */
export function asksForHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
