import type { ValidateFunction } from 'ajv';
import { compileSchema } from './schema-validator.js';

/** How long a compiled validator is kept after its last use. */
const KEEP_MS = 5_000;

/**
 * A schema's compiled validator that exists only around its uses. ajv generates one large
 * function per schema (about 430 KB of source for the config, 120 KB for a profile) and V8 keeps
 * that source as long as the function lives; the gateway needs it at start, for a config pushed
 * remotely and for `hearth check`, never in between. So it is compiled on first use, reused by
 * the uses that follow within a few seconds (a config's profiles, a test file's cases) and
 * released after that; the next use compiles it again.
 */
export class TransientValidator {
  private validate: ValidateFunction | undefined;
  private release: NodeJS.Timeout | undefined;

  constructor(
    private readonly schema: object,
    private readonly keepMs = KEEP_MS,
  ) {}

  get(): ValidateFunction {
    const validate = (this.validate ??= compileSchema(this.schema));
    clearTimeout(this.release);
    // unref: a pending release never keeps a finished command alive.
    this.release = setTimeout(() => this.drop(), this.keepMs).unref();
    return validate;
  }

  /** Whether a compiled validator is held now (for tests). */
  held(): boolean {
    return this.validate !== undefined;
  }

  private drop(): void {
    this.validate = undefined;
    this.release = undefined;
  }
}
