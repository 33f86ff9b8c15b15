import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { HearthError } from '../errors.js';
import { ignoreFaults, type FaultReporter } from '../faults/gateway-faults.js';
import type { Logger } from '../log/logger.js';
import { buildApi, DEFAULT_FAILURES } from './app.js';
import { DaemonFacade } from './daemon-facade.js';
import type { GatewayParts } from './gateway-parts.js';
import { ConsoleState } from './local-state.js';
import { TokenStore, tokenPath } from './token.js';
import { UserStore } from './access/user-store.js';
import { AuditLog } from '../remote/audit-log.js';

const RETRY_MS = 10_000;
/** The fault of the API itself (cannot listen, TLS files missing); state files have their own. */
export const API_FAULT = 'api';

/**
 * The API as a daemon component: token (made on first start), console state, the port over the
 * daemon's parts, then listen on the configured address. Started after the devices, stopped first.
 *
 * The console is not needed to detect, sound or forward alarms, so nothing here stops the
 * gateway: start() never rejects. An unusable token or console-state file is replaced (their own
 * `state:<file>` faults); TLS files that cannot be read, a port in use or an address that is not
 * there are logged with the fix, raised as the fault `api` and retried every 10 s (certificates
 * may be provisioned later); the first successful listen clears the fault.
 */
export class ApiServer {
  private app: FastifyInstance | undefined;
  private gateway: DaemonFacade | undefined;
  private state: ConsoleState | undefined;
  private tokens: TokenStore | undefined;
  private users: UserStore | undefined;
  private retry: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;
  private scheme: 'http' | 'https' = 'http';
  private stopped = false;

  constructor(
    private readonly parts: GatewayParts,
    private readonly faults: FaultReporter = ignoreFaults,
  ) {}

  async start(): Promise<void> {
    const { config, logger } = this.parts;
    const log = logger.child({ component: 'api' });
    const files = { faults: this.faults, logger: log };
    this.stopped = false;
    this.tokens = new TokenStore(config.gateway.stateDir, 1000, files);
    this.users = new UserStore(config.gateway.stateDir, 1000, files);
    this.state = await ConsoleState.open(config.gateway.stateDir, files);
    this.gateway = new DaemonFacade({ ...this.parts, logger: log }, this.state);
    this.gateway.attach();
    await this.attempt(log);
  }

  /** Builds the app (once) and listens; on failure says why and how to fix it, and tries again later. */
  private async attempt(log: Logger): Promise<void> {
    if (this.stopped || this.gateway === undefined || this.tokens === undefined) return;
    const { config } = this.parts;
    const api = config.api;
    try {
      if (this.app === undefined) {
        const https = readTls(api.tls);
        this.app = await buildApi({
          gateway: this.gateway,
          tokens: this.tokens,
          ...(this.users ? { users: this.users } : {}),
          // The daemon's one audit log (API actions beside remote commands); a log of its own otherwise.
          audit: this.parts.audit ?? new AuditLog(config.gateway.stateDir, { faults: this.faults, logger: log }),
          ...(this.parts.commands ? { commands: this.parts.commands } : {}),
          ...(this.parts.maintenance ? { maintenance: this.parts.maintenance } : {}),
          logger: log,
          sessionTtlMs: (api.sessionTtlMinutes ?? 480) * 60_000,
          failures: { max: api.maxFailedLogins ?? DEFAULT_FAILURES.max, windowMs: DEFAULT_FAILURES.windowMs },
          ...(https ? { https } : {}),
        });
        this.scheme = https ? 'https' : 'http';
      }
      await this.app.listen({ host: api.host, port: api.port });
    } catch (err) {
      const problem = explain(err, api.host, api.port, config.sourcePath ?? 'the configuration file');
      // The first failure (and a change of reason) at error; the same one again at debug.
      if (problem !== this.lastProblem) log.error({ err, host: api.host, port: api.port, code: codeOf(err) }, `console and API not available: ${problem}; retrying every ${RETRY_MS / 1000} s`);
      else log.debug({ code: codeOf(err) }, 'console and API: retry failed');
      this.lastProblem = problem;
      this.faults.raise(API_FAULT, `console and API not available: ${problem}`, { severity: 'minor' });
      if (this.stopped) return;
      this.retry = setTimeout(() => {
        this.attempt(log).catch((e: unknown) => log.error({ err: e }, 'console and API: retry failed unexpectedly'));
      }, RETRY_MS);
      this.retry.unref();
      return;
    }
    const shown = api.host === '0.0.0.0' || api.host === '::' ? 'localhost' : api.host;
    log.info({ url: `${this.scheme}://${shown}:${this.boundPort()}/`, tokenFile: tokenPath(config.gateway.stateDir) }, 'console and API listening (log in with the token: hearth token)');
    if (this.lastProblem !== undefined) this.faults.clear(API_FAULT, 'console and API listening');
    this.lastProblem = undefined;
  }

  /** The gateway as the console sees it (alarm acks, outputs, report), for remote commands; undefined before start. */
  facade(): DaemonFacade | undefined {
    return this.gateway;
  }

  /** The port actually bound (differs from the config when it asked for 0). */
  boundPort(): number {
    const addr = this.app?.server.address();
    return addr !== null && typeof addr === 'object' ? addr.port : this.parts.config.api.port;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.gateway?.detach();
    await this.app?.close();
    this.app = undefined;
    await this.state?.close();
  }
}

function readTls(tls: { cert?: string; key?: string } | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (tls?.cert === undefined || tls.key === undefined) return undefined;
  try {
    return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new HearthError('API_TLS_FILES', `cannot read ${e.path ?? 'the certificate or key'} (${e.code ?? 'error'}): provide api.tls.cert and api.tls.key (readable by the service), or remove api.tls`, { cause: err });
  }
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** What went wrong and what to change, by error code (never by message text). */
function explain(err: unknown, host: string, port: number, configPath: string): string {
  switch (codeOf(err)) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is in use: stop what holds it, or set api.port in ${configPath}`;
    case 'EADDRNOTAVAIL':
      return `address ${host} is not on this machine: set api.host in ${configPath}`;
    case 'EACCES':
      return `port ${port} needs privileges the service does not have: set api.port to 1024 or above in ${configPath}`;
    case 'API_TLS_FILES':
      return `api.tls in ${configPath}: ${(err as Error).message}`;
    default:
      return `${(err as Error).message ?? String(err)} (check api in ${configPath})`;
  }
}
