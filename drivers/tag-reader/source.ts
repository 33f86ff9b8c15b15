import type { Source, SourceContext, SourceKind } from '../../src/devices/source.js';
import { TagLists } from '../../src/devices/tags/access.js';
import { TagReaderRuntime } from '../../src/devices/tags/reader-runtime.js';

/**
 * Tag readers (RDM6300-style 125 kHz, ASCII-line, UHF) as a source: one runtime per enabled reader,
 * each reading its serial port or TCP serial server and turning tags into presence events (and an
 * alarm for a tag on its deny list, e.g. an e-bike at the elevator).
 */
export class TagReaderSource implements Source {
  readonly name = 'tag-readers';
  private readonly readers: TagReaderRuntime[] = [];

  constructor(private readonly ctx: SourceContext) {}

  async start(): Promise<void> {
    const { config, logger, ...pipeline } = this.ctx;
    const lists = new TagLists(config.tags?.groups ?? {});
    for (const cfg of (config.tags?.readers ?? []).filter((r) => r.enabled)) {
      const reader = new TagReaderRuntime({ ...pipeline, cfg, lists, logger: logger.child({ component: 'tags' }) });
      reader.start();
      this.readers.push(reader);
    }
  }

  async stop(): Promise<void> {
    for (const r of this.readers.splice(0)) await r.stop();
  }

  runtimes(): readonly TagReaderRuntime[] {
    return this.readers;
  }
}

export const tagReaderSource: SourceKind<TagReaderSource> = {
  name: 'tag-readers',
  create: (ctx) => ((ctx.config.tags?.readers ?? []).some((r) => r.enabled) ? new TagReaderSource(ctx) : undefined),
};
