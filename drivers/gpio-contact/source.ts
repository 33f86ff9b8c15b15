import { ContactInputs } from '../../src/devices/contact-inputs.js';
import type { Source, SourceContext, SourceKind } from '../../src/devices/source.js';

/**
 * Dry contacts (a smoke alarm's relay, a residual-current breaker's auxiliary contact) as a source:
 * started once the gateway's GPIO backend is open, which may be later than the gateway's start
 * (src/bus/gpio/gpio-access.ts); each debounced edge is a reading in the same pipeline.
 */
export class ContactSource implements Source {
  readonly name = 'gpio-contacts';
  private inputs: ContactInputs | undefined;
  private stopped = false;

  constructor(private readonly ctx: SourceContext) {}

  start(): Promise<void> {
    this.stopped = false;
    return this.ctx.gpio.onReady(async (backend) => {
      if (this.stopped || this.inputs !== undefined) return;
      const { config, logger, ...pipeline } = this.ctx;
      const inputs = (config.gpio?.inputs ?? []).filter((i) => i.enabled);
      this.inputs = new ContactInputs({ ...pipeline, backend, inputs, logger: logger.child({ component: 'contacts' }) });
      await this.inputs.start();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.inputs?.stop();
    this.inputs = undefined;
  }

  /** The running inputs (for the console), undefined until GPIO is open. */
  contacts(): ContactInputs | undefined {
    return this.inputs;
  }
}

export const contactSource: SourceKind<ContactSource> = {
  name: 'gpio-contacts',
  create: (ctx) => ((ctx.config.gpio?.inputs ?? []).some((i) => i.enabled) ? new ContactSource(ctx) : undefined),
};
