import t from 'tap';
import { pointTitle } from '../../src/model/point.js';

t.test('a point is named by its label, else by its humanized name, made once per point', async (t) => {
  t.equal(pointTitle({ name: 'smoke_density', label: 'Smoke' }), 'Smoke', 'the label as given');
  const spec = { name: 'residual_current' };
  t.equal(pointTitle(spec), 'Residual current');
  t.equal(pointTitle(spec), 'Residual current', 'the same title the second time (from the cache)');
  t.equal(pointTitle({ name: 'cableTemperature-1' }), 'Cable temperature 1', 'another point, its own title');
  spec.name = 'leakage_current';
  t.equal(pointTitle(spec), 'Leakage current', 'a spec renamed in place is not named by its old title');
});
