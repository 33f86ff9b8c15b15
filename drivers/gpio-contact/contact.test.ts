import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { activeLevel, contactPointSpec } from './contact.js';
import { repoPath } from '../../test/helpers/repo.js';

t.test('active level per contact type and wiring', async (t) => {
  t.equal(activeLevel('NO', 'pull-up'), 0);
  t.equal(activeLevel('NC', 'pull-up'), 1);
  t.equal(activeLevel('NO', 'pull-down'), 1);
  t.equal(activeLevel('NC', 'pull-down'), 0);
  t.equal(contactPointSpec({ point: 'x', role: 'alarm', contact: 'NO', wiring: 'pull-up' }).activeLow, true);
});

t.test('the sample config is valid', async (t) => {
  const { config } = await loadConfigWithProfiles(repoPath('drivers/gpio-contact/sample.yaml'), { checkFiles: false });
  t.equal(config.gpio?.inputs.length, 2);
  t.equal(config.actions?.length, 2);
});
