import t from 'tap';
import { EventBus } from '../../src/events/bus.js';

t.test('delivers in order by topic; a throwing listener is logged and the others still run', async (t) => {
  const errors: unknown[] = [];
  const bus = new EventBus<{ a: number; b: string }>({ debug() {}, info() {}, warn() {}, error: (o) => errors.push(o) });
  const seen: string[] = [];
  bus.on('a', (n) => seen.push(`1:${n}`));
  bus.on('a', () => {
    throw new Error('broken listener');
  });
  const off = bus.on('a', (n) => seen.push(`3:${n}`));
  bus.on('b', (s) => seen.push(`b:${s}`));
  t.doesNotThrow(() => bus.emit('a', 7));
  off();
  bus.emit('a', 8);
  bus.emit('b', 'x');
  t.same(seen, ['1:7', '3:7', '1:8', 'b:x']);
  t.equal(errors.length, 2);
  t.equal(bus.count('a'), 2);
});
