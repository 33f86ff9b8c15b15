import { randomBytes } from 'node:crypto';
import type { BusConfig } from '../config/types.js';
import type { ModbusBus } from '../bus/modbus/types.js';
import { scanBus, validateScanRange } from '../bus/modbus/scan.js';
import { apiError } from './errors.js';
import type { ScanJob, ScanRequest } from './gateway-facade.js';

/**
 * Bus scans started from the API run in the background, one per bus at a time; their progress is
 * polled or pushed to the live feed. A bus the gateway already polls is shared (at a priority
 * behind every poll); on such a serial bus only its configured baud rate can be scanned, because
 * re-opening the port at another rate would take the line away from the devices on it.
 */
export interface ScanJobsDeps {
  busConfig(id: string): BusConfig | undefined;
  liveBus(id: string): ModbusBus | undefined;
  createBus(cfg: BusConfig): ModbusBus;
  now(): number;
  onUpdate(job: ScanJob): void;
}

const KEEP_JOBS = 20;

export class ScanJobs {
  private readonly jobs = new Map<string, ScanJob>();
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly deps: ScanJobsDeps) {}

  start(req: ScanRequest): ScanJob {
    const cfg = this.deps.busConfig(req.bus);
    if (cfg === undefined) throw apiError('API_NOT_FOUND', `no bus '${req.bus}'`);
    validateScanRange(cfg, req.from, req.to);
    if ([...this.jobs.values()].some((j) => j.bus === req.bus && j.state === 'running')) {
      throw apiError('SCAN_BUSY', `a scan of bus '${req.bus}' is already running`);
    }
    const live = this.deps.liveBus(req.bus);
    if (live !== undefined && cfg.type === 'modbus-rtu' && (req.baudRates ?? []).some((b) => b !== cfg.baudRate)) {
      throw apiError('SCAN_BUS_IN_USE', `bus '${req.bus}' is polling devices at ${cfg.baudRate} baud; only that rate can be scanned while they run`);
    }
    const rates = cfg.type === 'modbus-rtu' && live === undefined ? (req.baudRates?.length ? req.baudRates : [cfg.baudRate]) : [undefined];
    const job: ScanJob = {
      id: randomBytes(6).toString('hex'),
      bus: req.bus,
      state: 'running',
      startedAt: this.deps.now(),
      progress: { done: 0, total: (req.to - req.from + 1) * rates.length, found: 0 },
      found: [],
    };
    this.jobs.set(job.id, job);
    this.trim();
    const abort = new AbortController();
    this.aborts.add(abort);
    const opts: Parameters<typeof scanBus>[0] = {
      bus: cfg,
      from: req.from,
      to: req.to,
      createBus: this.deps.createBus,
      signal: abort.signal,
      onHit: (hit) => job.found.push(hit),
      onProgress: (p) => {
        job.progress = p;
        this.deps.onUpdate(job);
      },
    };
    if (live !== undefined) opts.liveBus = live;
    if (req.baudRates !== undefined) opts.baudRates = req.baudRates;
    if (req.timeoutMs !== undefined) opts.timeoutMs = req.timeoutMs;
    // Hits are pushed as they are found, so the console lists them while the scan goes on.
    scanBus(opts)
      .then(() => {
        job.state = 'done';
      })
      .catch((err: unknown) => {
        job.state = 'failed';
        job.error = (err as Error).message;
      })
      .finally(() => {
        this.aborts.delete(abort);
        this.deps.onUpdate(job);
      })
      .catch(() => undefined); // onUpdate's listeners catch their own errors (DaemonFacade.publish)
    return job;
  }

  get(id: string): ScanJob | undefined {
    return this.jobs.get(id);
  }

  /** Ends running scans (daemon stop). */
  stopAll(): void {
    for (const a of this.aborts) a.abort();
  }

  private trim(): void {
    while (this.jobs.size > KEEP_JOBS) {
      const oldest = [...this.jobs.values()].find((j) => j.state !== 'running');
      if (oldest === undefined) break;
      this.jobs.delete(oldest.id);
    }
  }
}
