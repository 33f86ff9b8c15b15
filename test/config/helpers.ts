import { ConfigError } from '../../src/config/errors.js';
import { parseConfigWithProfiles, type LoadOptions } from '../../src/config/load.js';

/** A small valid config; tests append or replace sections. */
export const BASE = `
gateway:
  id: gw-1
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
`;

/** The `path: message` lines parsing `text` fails with, or [] if it loads. */
export function issueLines(text: string, sourcePath = '/etc/hearth/hearth.yaml', opts: LoadOptions = {}): string[] {
  try {
    parseConfigWithProfiles(text, sourcePath, opts);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.lines();
    throw err;
  }
}
