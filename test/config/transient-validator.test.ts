import t from 'tap';
import { TransientValidator } from '../../src/config/transient-validator.js';
import { waitFor } from '../helpers/net.js';

/**
 * A compiled schema validator is held only around its uses (src/config/transient-validator.ts):
 * reused while uses follow each other, released after the keep time, compiled again on the next use.
 */

const schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false };

t.test('compiled on first use, reused within the keep time, released after it and compiled again', async (t) => {
  const v = new TransientValidator(schema, 200);
  t.notOk(v.held(), 'nothing compiled before the first use');
  const first = v.get();
  t.ok(first({ id: 'a' }), 'validates');
  t.notOk(first({ id: 1 }), 'and rejects');
  t.equal(v.get(), first, 'the same validator for a use that follows');
  await waitFor(() => !v.held(), 5_000);
  const again = v.get();
  t.not(again, first, 'a new validator after the release');
  t.ok(again({ id: 'b' }), 'which validates the same');
});

t.test('each use extends the keep time', async (t) => {
  const v = new TransientValidator(schema, 1_000);
  const first = v.get();
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 100));
    t.equal(v.get(), first, `use ${i + 1} within the keep time of the one before`);
  }
  await waitFor(() => !v.held(), 5_000);
  t.pass('released once the uses stopped');
});
