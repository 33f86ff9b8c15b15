import t from 'tap';
import { loadConfigWithProfiles } from '../../src/config/load.js';
import { repoPath } from '../../test/helpers/repo.js';

t.test('the sample config is valid', async (t) => {
  const { config } = await loadConfigWithProfiles(repoPath('drivers/tag-reader/sample.yaml'), { checkFiles: false });
  t.same(config.tags?.readers.map((r) => r.protocol), ['rdm6300', 'ascii-line', 'uhf-m100']);
  t.equal(config.tags?.readers[1]?.alarmSeverity, 'minor');
});
