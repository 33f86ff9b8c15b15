import t from 'tap';
import { DeferredFaults } from '../../src/faults/deferred-faults.js';
import type { FaultReporter } from '../../src/faults/gateway-faults.js';

/** Faults raised while the daemon is being composed reach the reporter once it exists, in order. */

t.test('held until attached, then handed on in order; afterwards passed straight through', async (t) => {
  const seen: string[] = [];
  const target: FaultReporter = {
    raise: (key, message) => void seen.push(`raise ${key}: ${message}`),
    clear: (key) => void seen.push(`clear ${key}`),
    active: (key) => key === 'live',
  };
  const d = new DeferredFaults();
  d.raise('state:a.json', 'moved aside');
  d.raise('state:a.json', 'again');
  d.raise('state:b.json', 'unreadable');
  d.clear('state:b.json');
  d.clear('never-raised');
  t.equal(d.active('state:a.json'), true);
  t.equal(d.active('state:b.json'), false);
  t.same(seen, [], 'nothing before attach');
  d.attach(target);
  t.same(seen, ['raise state:a.json: moved aside', 'raise state:b.json: unreadable', 'clear state:b.json']);
  d.raise('api', 'port in use');
  t.equal(seen.at(-1), 'raise api: port in use');
  t.equal(d.active('live'), true, 'active() asks the real reporter');
});
