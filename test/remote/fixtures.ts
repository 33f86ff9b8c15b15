import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small valid config with a state directory inside the temp folder. */
export function configText(dir: string, extra = ''): string {
  return `# site config (comments survive section edits)
gateway:
  id: gw-1
  stateDir: ${join(dir, 'state')}
buses:
  - id: line1
    type: modbus-rtu
    port: /dev/ttyUSB0
devices:
  - id: smoke-1
    profile: example-smoke-detector
    bus: line1
    address: 1
    location: { room: hall }
platform:
  url: mqtt://localhost:1883
${extra}`;
}

export function siteDir(t: { teardown(fn: () => void): void }): { dir: string; path: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-remote-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'hearth.yaml');
  const text = configText(dir);
  writeFileSync(path, text);
  return { dir, path, text };
}
