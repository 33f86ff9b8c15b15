/** One `hearth` subcommand: its usage text and what it does; the exit code is the result. */
export interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
}
