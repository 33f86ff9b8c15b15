import { HearthError } from '../../errors.js';

/** The link has no open channel (not connected yet, or lost and reconnecting). */
export class LinkDownError extends HearthError {
  constructor(
    readonly link: string,
    options?: { cause?: unknown },
  ) {
    super('LINK_DOWN', `${link} is not connected`, options);
  }
}
