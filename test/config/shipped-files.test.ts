import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { publishedSchemas } from '../../src/config/published-schemas.js';
import { REPO } from '../helpers/repo.js';

const root = REPO + '/';

t.test('published schema files match the code (run node dist/scripts/gen-schema.js)', async (t) => {
  for (const { path, text } of publishedSchemas()) {
    t.equal(readFileSync(root + path, 'utf8'), text, path);
  }
});

/**
 * Every config in config/ loads. Files below /etc/hearth/ (TLS certificates, password files) exist
 * only on a gateway, so "cannot read /etc/hearth/..." is the one problem an example may have.
 */
t.test('every config/*.yaml is valid', async (t) => {
  const files = readdirSync(root + 'config').filter((f) => /\.ya?ml$/.test(f));
  t.ok(files.includes('example.yaml'));
  for (const file of files) {
    const path = `${root}config/${file}`;
    try {
      await loadConfigWithProfiles(path);
      t.pass(file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const real = err.lines().filter((l) => !/: cannot read \/etc\/hearth\//.test(l));
      t.same(real, [], file);
    }
    const text = readFileSync(path, 'utf8');
    t.match(text, /^# yaml-language-server: \$schema=\.\/hearth\.schema\.json$/m, `${file} names the schema`);
  }
});

t.test('example.yaml: only the placeholder TLS files are missing', async (t) => {
  const err = await loadConfigWithProfiles(`${root}config/example.yaml`).catch((e: unknown) => e);
  t.type(err, ConfigError);
  t.same((err as ConfigError).lines(), [
    'platform.tls.ca: cannot read /etc/hearth/tls/platform-ca.pem (ENOENT)',
    'platform.tls.cert: cannot read /etc/hearth/tls/lindenstr-4.crt.pem (ENOENT)',
    'platform.tls.key: cannot read /etc/hearth/tls/lindenstr-4.key.pem (ENOENT)',
  ]);
  const { config, profiles } = await loadConfigWithProfiles(`${root}config/example.yaml`, { checkFiles: false });
  t.equal(config.devices.length, profiles.size);
});

t.test('drivers/modbus/sample.yaml is valid and embedded verbatim in the README', async (t) => {
  const { config } = await loadConfigWithProfiles(`${root}drivers/modbus/sample.yaml`);
  t.same(
    config.devices.map((d) => d.profile),
    ['example-smoke-detector', 'example-residual-current-detector'],
  );
  const sample = readFileSync(`${root}drivers/modbus/sample.yaml`, 'utf8');
  const readme = readFileSync(`${root}drivers/modbus/README.md`, 'utf8');
  t.ok(readme.includes('```yaml\n' + sample + '```'), 'README embeds sample.yaml');
});
