import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from './net.js';

import { packageRoot } from '../../src/version.js';

// From the package root, so this also works compiled (benchmarks run from dist/).
const DEMO = join(packageRoot(), 'config', 'demo.yaml');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface DemoCopy {
  file: string;
  dir: string;
  brokerPort: number;
  apiPort: number;
  /** The demo's monitoring centre simulator (GB/T 26875.3). */
  centrePort: number;
  config: Obj;
}

/**
 * config/demo.yaml as shipped, with every port moved to a free one and the state in a temp folder,
 * so tests run the real demo next to each other (and next to a developer's running demo).
 * `edit` may change the parsed config before it is written.
 */
export async function demoCopy(edit?: (c: Obj) => void): Promise<DemoCopy> {
  const config = parse(readFileSync(DEMO, 'utf8')) as Obj;
  const dir = mkdtempSync(join(tmpdir(), 'hearth-demo-'));
  config.gateway.stateDir = join(dir, 'state');
  const moved = new Map<number, number>();
  for (const sim of config.demo.simulators as Obj[]) {
    const port = await freePort();
    moved.set(sim.port as number, port);
    sim.port = port;
  }
  for (const bus of config.buses as Obj[]) if (moved.has(bus.port as number)) bus.port = moved.get(bus.port as number);
  // Simulated tag readers listen on a port the reader config reaches as host:port.
  for (const sim of (config.demo.tagReaders ?? []) as Obj[]) {
    const port = await freePort();
    for (const reader of (config.tags?.readers ?? []) as Obj[]) {
      if (typeof reader.tcp === 'string' && reader.tcp.endsWith(`:${sim.port as number}`)) reader.tcp = `127.0.0.1:${port}`;
    }
    sim.port = port;
  }
  // The monitoring centre simulator, and the centre entry that points at it.
  const centrePort = await freePort();
  for (const centre of (config.centres ?? []) as Obj[]) if (centre.port === config.demo.monitoringCentre?.port) centre.port = centrePort;
  if (config.demo.monitoringCentre) config.demo.monitoringCentre.port = centrePort;
  config.demo.brokerPort = await freePort();
  config.api = { ...(config.api as Obj), port: await freePort() };
  edit?.(config);
  const file = join(dir, 'hearth.yaml');
  writeFileSync(file, stringify(config));
  // Profiles are named, not paths, so the copy resolves the shipped ones from anywhere.
  return { file, dir, brokerPort: config.demo.brokerPort as number, apiPort: config.api.port as number, centrePort, config };
}
