import { Agent, request } from 'node:http';

/**
 * An open-loop HTTP load generator, run as a child process so its own work does not share the
 * server's event loop. Requests are scheduled at a fixed rate whatever the server does; latency
 * is measured from when a request was DUE (no coordinated omission). Bounded: at most `maxInFlight`
 * outstanding (beyond that a request is counted as dropped), and it stops after `durationS`.
 *
 * Input (IPC message): { url, headers, rate, durationS, maxInFlight }.
 * Output (IPC message): { latenciesMs: number[], errors, dropped }.
 */
interface Job {
  url: string;
  headers: Record<string, string>;
  rate: number;
  durationS: number;
  maxInFlight: number;
}

process.once('message', (job: Job) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(job.url);
  const latencies: number[] = [];
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  const total = Math.round(job.rate * job.durationS);
  const interval = 1000 / job.rate;
  const t0 = performance.now();
  let sent = 0;
  let settled = 0;
  const finish = (): void => {
    agent.destroy();
    process.send!({ latenciesMs: latencies, errors, dropped }, () => process.exit(0));
  };
  const fire = (due: number): void => {
    if (inFlight >= job.maxInFlight) {
      dropped++;
      settled++;
      return;
    }
    inFlight++;
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: job.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        else latencies.push(performance.now() - due);
        done();
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      errors++;
      done();
    });
    req.end();
  };
  const done = (): void => {
    inFlight--;
    settled++;
    if (settled === total) finish();
  };
  const tick = (): void => {
    const now = performance.now();
    while (sent < total && t0 + sent * interval <= now) {
      fire(t0 + sent * interval);
      sent++;
    }
    if (sent < total) setTimeout(tick, Math.max(0, t0 + sent * interval - performance.now()));
    else if (settled === total) finish();
  };
  tick();
});
