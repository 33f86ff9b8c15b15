import t from 'tap';
import { scanProgressReporter } from '../../src/cli/scan-progress.js';

/** On a terminal the scan's progress is one line rewritten in place, ended before anything else is printed. */

t.test('a terminal gets one line rewritten in place', async (t) => {
  let written = '';
  const out = { isTTY: true, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
  const report = scanProgressReporter({ out, from: 1, to: 3, timeoutMs: 150 });
  report.rateStarts(9600);
  for (let done = 1; done <= 3; done++) report.progress({ done, total: 3, baudRate: 9600, found: 0 });
  report.end();
  t.match(written, /^scanning units 1-3 at 9600 baud \(3 addresses, at most 1 s\)\n/);
  t.match(written, /\r {2}3\/3 at 9600 baud, found 0 {3}\n$/);
  t.equal(written.split('\n').length, 3, 'the header, the progress line, the end');
});
