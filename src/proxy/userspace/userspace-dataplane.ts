/**
 * The userspace dataplane: Node.js sockets on every Service address. Portable
 * and, with the loopback address mapping, rootless. Each Service port's
 * frontends (cluster IPs, node ports, external and LB IPs) become virtual
 * services with their own listener; a partial sync touches only the listed
 * service ports, and an unchanged frontend keeps its socket, scheduler state,
 * affinity table and counters.
 */
import type { Clock } from '../../client/clock.js';
import { realClock } from '../../client/clock.js';
import type { Logger } from '../../log/logger.js';
import type { AddressMapper } from '../address-mapper.js';
import type { Dataplane, ProxyState, RealServerStatus, SyncFailure, SyncResult, VirtualServiceStatus } from '../dataplane.js';
import { type Frontend, frontendId, frontendsOf } from '../frontends.js';
import { type SchedulerName, parseSchedulerName } from '../schedulers/scheduler.js';
import type { ServicePortInfo, ServicePortKey } from '../types.js';
import { DEFAULT_DIAL_TIMEOUTS_MS, type Destroyable, TcpFrontend } from './tcp-frontend.js';
import { UdpFrontend } from './udp-frontend.js';
import { VirtualService, type VirtualServiceConfig } from './virtual-service.js';
import { WorkerPool } from './worker-pool.js';

export interface UserspaceDataplaneOptions {
  readonly mapper: AddressMapper;
  readonly log?: Logger;
  readonly clock?: Clock;
  /** Scheduler when a Service has no `switchyard.io/scheduler` annotation (default rr, as IPVS kube-proxy). */
  readonly defaultScheduler?: SchedulerName;
  /** Idle time after which a UDP flow is forgotten (default 30 s). */
  readonly udpIdleTimeoutMs?: number;
  readonly dialTimeoutsMs?: readonly number[];
  /** How long closed TCP connections count as InActConn (default 120 s, IPVS TIME_WAIT). */
  readonly inactiveLingerMs?: number;
  readonly random?: () => number;
  /**
   * Processes serving TCP (default 1: everything in this process). With N > 1,
   * N worker processes accept on the shared listeners of Services without
   * session affinity, each with its own scheduler state (rr/lc are per worker);
   * UDP flows and ClientIP-affinity Services stay in this process so a flow or
   * a client is pinned by one table.
   */
  readonly workers?: number;
}

interface Entry {
  readonly vs: VirtualService;
  readonly tcp?: TcpFrontend;
  readonly udp?: UdpFrontend;
  /** Served by the worker processes under this id. */
  readonly remote?: number;
}

export class UserspaceDataplane implements Dataplane {
  readonly mode = 'userspace' as const;
  private readonly opts: UserspaceDataplaneOptions;
  private readonly clock: Clock;
  private readonly byService = new Map<ServicePortKey, Map<string, Entry>>();
  private readonly connections = new Set<Destroyable>();
  private readonly warned = new Set<string>();
  private readonly pool: WorkerPool | undefined;
  private remoteIds = 0;

  constructor(opts: UserspaceDataplaneOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? realClock;
    const workers = opts.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`proxy workers must be a positive integer, got ${workers}`);
    if (workers > 1) {
      this.pool = new WorkerPool({
        workers,
        log: opts.log,
        settings: { dialTimeoutsMs: opts.dialTimeoutsMs ?? DEFAULT_DIAL_TIMEOUTS_MS, inactiveLingerMs: opts.inactiveLingerMs ?? 120_000, countsIntervalMs: 200 },
      });
    }
  }

  async sync(state: ProxyState): Promise<SyncResult> {
    const keys = state.changed ? [...state.changed] : [...new Set([...state.services.keys(), ...this.byService.keys()])];
    const failures: SyncFailure[] = [];
    // Worker changes are batched: every service port is looked at first, then all workers are awaited.
    const pending: Promise<void>[] = [];
    for (const key of keys.sort()) {
      const s = state.services.get(key);
      await this.syncServicePort(key, s ? frontendsOf(s, state.nodePortAddresses) : [], s?.info, failures, pending);
    }
    await Promise.all(pending);
    return failures.length > 0 ? { ok: false, failures } : { ok: true };
  }

  /** Process ids of the worker processes (empty with one process). */
  workerPids(): number[] {
    return this.pool?.pids() ?? [];
  }

  status(): VirtualServiceStatus[] {
    const out: VirtualServiceStatus[] = [];
    for (const entries of this.byService.values()) for (const e of entries.values()) out.push(e.remote === undefined ? e.vs.status() : this.remoteStatus(e.vs, e.remote));
    const rank = (v: VirtualServiceStatus): string => `${v.protocol}|${v.address.padStart(39, ' ')}|${String(v.port).padStart(5, '0')}`;
    return out.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
  }

  async close(): Promise<void> {
    await this.pool?.shutdown();
    for (const key of [...this.byService.keys()]) await this.syncServicePort(key, [], undefined, [], []);
    for (const c of this.connections) c.destroy();
    this.connections.clear();
  }

  /** Number of UDP flows over all virtual services (tests, metrics). */
  udpFlowCount(): number {
    let n = 0;
    for (const entries of this.byService.values()) for (const e of entries.values()) n += e.udp?.flowCount ?? 0;
    return n;
  }

  /** The primary's view (config, endpoints) with the connection counts the workers reported. */
  private remoteStatus(vs: VirtualService, id: number): VirtualServiceStatus {
    const base = vs.status();
    const counts = this.pool?.counts(id) ?? new Map();
    const realServers: RealServerStatus[] = base.realServers.map((r) => {
      const key = `${r.address}|${r.port}`;
      const c = counts.get(key);
      counts.delete(key);
      return { ...r, activeConns: c?.active ?? 0, inactiveConns: c?.inactive ?? 0 };
    });
    // Endpoints gone from the Service that still carry connections in some worker: draining, weight 0.
    for (const c of counts.values()) realServers.push({ address: c.ip, port: c.port, forward: 'Masq', weight: 0, activeConns: c.active, inactiveConns: c.inactive });
    return { ...base, realServers };
  }

  private schedulerFor(info: ServicePortInfo | undefined): SchedulerName {
    const fallback = this.opts.defaultScheduler ?? 'rr';
    if (!info?.scheduler) return fallback;
    const name = parseSchedulerName(info.scheduler);
    if (name) return name;
    this.warnOnce(`sched|${info.key}|${info.scheduler}`, `service ${info.key}: unknown scheduler ${JSON.stringify(info.scheduler)}, using ${fallback}`);
    return fallback;
  }

  private warnOnce(id: string, msg: string): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.opts.log?.warn(msg);
  }

  private dialMap(cfg: VirtualServiceConfig): Record<string, string> {
    return Object.fromEntries(cfg.endpoints.map((ep) => [ep.ip, this.opts.mapper.dialAddress(ep.ip)]));
  }

  private async syncServicePort(key: ServicePortKey, wanted: readonly Frontend[], info: ServicePortInfo | undefined, failures: SyncFailure[], pending: Promise<void>[]): Promise<void> {
    const current = this.byService.get(key) ?? new Map<string, Entry>();
    const next = new Map<string, Entry>();
    const scheduler = this.schedulerFor(info);
    for (const f of wanted) {
      if (f.protocol === 'SCTP') {
        this.warnOnce(`sctp|${key}`, `service ${key}: SCTP is not supported by the userspace proxy`);
        continue;
      }
      // Node addresses are real local addresses; only virtual ones go through the mapper.
      const localAddress = f.kind === 'NodePort' ? f.address : this.opts.mapper.listenAddress(f.address);
      if (localAddress === undefined) {
        this.warnOnce(`map|${f.address}`, `service ${key}: ${f.address} cannot be served with the ${this.opts.mapper.name} address mapping`);
        continue;
      }
      const cfg: VirtualServiceConfig = {
        service: key,
        kind: f.kind,
        protocol: f.protocol,
        address: f.address,
        port: f.port,
        localAddress,
        scheduler,
        affinity: info?.sessionAffinity ?? { type: 'None' },
        sourceRanges: f.sourceRanges,
        endpoints: f.endpoints,
      };
      const id = frontendId(f);
      const existing = current.get(id);
      const remote = this.pool !== undefined && cfg.protocol === 'TCP' && cfg.affinity.type === 'None';
      const failed = (err: unknown): void => {
        failures.push({ service: key, protocol: f.protocol, address: f.address, port: f.port, error: (err as Error).message });
      };
      if (existing && existing.vs.config.localAddress === localAddress && (existing.remote !== undefined) === remote) {
        existing.vs.update(cfg);
        existing.udp?.pruneRemovedBackends();
        if (existing.remote !== undefined && this.pool) pending.push(this.pool.open(existing.remote, cfg, this.dialMap(cfg)).catch(failed));
        next.set(id, existing);
        continue;
      }
      if (existing) await this.closeEntry(existing);
      current.delete(id);
      try {
        const entry = await this.openEntry(cfg, remote);
        next.set(id, entry);
        if (entry.remote !== undefined && this.pool) {
          pending.push(
            this.pool.open(entry.remote, cfg, this.dialMap(cfg)).catch(async (err: unknown) => {
              failed(err);
              const m = this.byService.get(key);
              if (m?.get(id) === entry) {
                m.delete(id);
                if (m.size === 0) this.byService.delete(key);
              }
              if (cfg.kind !== 'NodePort') await this.opts.mapper.release(cfg.localAddress).catch(() => {});
            }),
          );
        }
      } catch (err) {
        failed(err);
      }
    }
    for (const [id, e] of current) if (!next.has(id)) await this.closeEntry(e);
    if (next.size > 0) this.byService.set(key, next);
    else this.byService.delete(key);
  }

  /** Opens a frontend here, or (remote) only acquires its address and leaves the listener to the workers. */
  private async openEntry(cfg: VirtualServiceConfig, remote: boolean): Promise<Entry> {
    const vs = new VirtualService(cfg, {
      clock: this.clock,
      dialAddress: (ip) => this.opts.mapper.dialAddress(ip),
      inactiveLingerMs: this.opts.inactiveLingerMs ?? 120_000,
      random: this.opts.random,
    });
    const managed = cfg.kind !== 'NodePort';
    if (managed) await this.opts.mapper.acquire(cfg.localAddress);
    if (remote) return { vs, remote: ++this.remoteIds };
    try {
      if (cfg.protocol === 'UDP') {
        const udp = new UdpFrontend(vs, { clock: this.clock, idleTimeoutMs: this.opts.udpIdleTimeoutMs ?? 30_000, log: this.opts.log });
        await udp.listen();
        return { vs, udp };
      }
      const tcp = new TcpFrontend(vs, { log: this.opts.log, dialTimeoutsMs: this.opts.dialTimeoutsMs ?? DEFAULT_DIAL_TIMEOUTS_MS, connections: this.connections });
      await tcp.listen();
      return { vs, tcp };
    } catch (err) {
      if (managed) await this.opts.mapper.release(cfg.localAddress).catch(() => {});
      throw err;
    }
  }

  private async closeEntry(e: Entry): Promise<void> {
    if (e.remote !== undefined) await this.pool?.close(e.remote);
    e.tcp?.close();
    e.udp?.close();
    if (e.vs.config.kind !== 'NodePort') await this.opts.mapper.release(e.vs.config.localAddress).catch((err: unknown) => this.opts.log?.warn(String(err)));
  }
}
