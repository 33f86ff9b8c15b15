import { accessSync, constants } from 'node:fs';

/** One problem a semantic check found, at a path in the config (formatted as `path: message`). */
export interface Finding {
  segments: (string | number)[];
  message: string;
}

/** The error code if the file cannot be read by this process (ENOENT, EACCES...), else undefined. */
export function unreadable(file: string): string | undefined {
  try {
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
}
