/**
 * One virtual service of the userspace dataplane (protocol + address + port,
 * as in IPVS): its real servers with connection counts, its scheduler, its
 * ClientIP affinity table and its source-range filter. Socket code lives in
 * tcp-frontend.ts / udp-frontend.ts; this file only decides and counts.
 */
import { BlockList, isIPv6 } from 'node:net';
import type { Clock } from '../../client/clock.js';
import type { FrontendKind, VirtualServiceStatus } from '../dataplane.js';
import { createScheduler } from '../schedulers/create-scheduler.js';
import type { RealServer, Scheduler, SchedulerName } from '../schedulers/scheduler.js';
import { type EndpointInfo, type Protocol, type ServicePortKey, type SessionAffinity, endpointString } from '../types.js';
import { AffinityTable } from './affinity-table.js';
import { LingerCounter } from './linger-counter.js';

export interface VirtualServiceConfig {
  readonly service: ServicePortKey;
  readonly kind: FrontendKind;
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  /** Where the socket is bound (differs from address under the loopback mapping). */
  readonly localAddress: string;
  readonly scheduler: SchedulerName;
  readonly affinity: SessionAffinity;
  readonly sourceRanges: readonly string[];
  readonly endpoints: readonly EndpointInfo[];
}

export interface VirtualServiceDeps {
  readonly clock: Clock;
  /** Endpoint IP → address to connect to. */
  readonly dialAddress: (ip: string) => string;
  /** How long a closed TCP connection still counts as inactive (IPVS TIME_WAIT is 2 minutes). */
  readonly inactiveLingerMs: number;
  readonly random?: () => number;
}

/** A real server and its connection accounting. */
export class Backend implements RealServer {
  readonly key: string;
  readonly ip: string;
  readonly port: number;
  readonly dialIP: string;
  weight = 1;
  activeConns = 0;
  /** TCP connections half-closed, plus UDP flows (IPVS lists UDP under InActConn). */
  private pendingInactive = 0;
  /** Closed TCP connections still counted as inactive (TIME_WAIT), bucketed by time. */
  private readonly closed: LingerCounter;
  private readonly clock: Clock;

  constructor(ip: string, port: number, dialIP: string, clock: Clock, lingerMs: number) {
    this.key = endpointString({ ip, port });
    this.ip = ip;
    this.port = port;
    this.dialIP = dialIP;
    this.clock = clock;
    this.closed = new LingerCounter(lingerMs);
  }

  get inactiveConns(): number {
    return this.pendingInactive + this.closed.count(this.clock.now());
  }

  /** A TCP connection or UDP flow moves between states; counts follow. */
  transition(from: ConnState | undefined, to: ConnState): void {
    if (from === 'active') this.activeConns--;
    else if (from === 'closing' || from === 'flow') this.pendingInactive--;
    if (to === 'active') this.activeConns++;
    else if (to === 'closing' || to === 'flow') this.pendingInactive++;
    else if (to === 'closed' && from !== 'flow') this.closed.add(this.clock.now());
  }

  /** Open connections or flows (the backend is kept while draining). */
  get busy(): boolean {
    return this.activeConns > 0 || this.pendingInactive > 0;
  }
}

/** Schedulers that hash the client's address (and port). */
const CLIENT_HASHING: ReadonlySet<SchedulerName> = new Set<SchedulerName>(['sh', 'maglev']);

/** TCP: active until a side sends FIN, closing until both sockets close. UDP: one `flow` state. */
export type ConnState = 'active' | 'closing' | 'closed' | 'flow';

export class VirtualService {
  private cfg: VirtualServiceConfig;
  private readonly deps: VirtualServiceDeps;
  private scheduler: Scheduler;
  private affinity: AffinityTable | undefined;
  private allowList: BlockList | undefined;
  /** Current endpoints in stable order. */
  private backends: Backend[] = [];
  /** Removed endpoints that still carry connections: shown with weight 0 until they drain (graceful termination). */
  private readonly draining = new Map<string, Backend>();
  private needsClient = false;

  constructor(cfg: VirtualServiceConfig, deps: VirtualServiceDeps) {
    this.cfg = cfg;
    this.deps = deps;
    this.scheduler = createScheduler(cfg.scheduler, { random: deps.random });
    this.update(cfg);
  }

  get config(): VirtualServiceConfig {
    return this.cfg;
  }

  /** Applies new endpoints / settings. Returns the keys of backends that went away. */
  update(cfg: VirtualServiceConfig): string[] {
    const old = new Map(this.backends.map((b) => [b.key, b]));
    if (cfg.scheduler !== this.cfg.scheduler) this.scheduler = createScheduler(cfg.scheduler, { random: this.deps.random });
    this.cfg = cfg;
    this.needsClient = cfg.affinity.type === 'ClientIP' || cfg.sourceRanges.length > 0 || CLIENT_HASHING.has(cfg.scheduler);
    if (cfg.affinity.type === 'ClientIP') {
      if (this.affinity) this.affinity.timeoutMs = cfg.affinity.timeoutSeconds * 1000;
      else this.affinity = new AffinityTable(cfg.affinity.timeoutSeconds, this.deps.clock);
    } else this.affinity = undefined;
    this.allowList = undefined;
    if (cfg.sourceRanges.length > 0) {
      const bl = new BlockList();
      for (const cidr of cfg.sourceRanges) {
        const [net = '', bits = ''] = cidr.split('/');
        const family = isIPv6(net) ? 'ipv6' : 'ipv4';
        try {
          bl.addSubnet(net, Number(bits || (family === 'ipv6' ? 128 : 32)), family);
        } catch {
          // Validation rejects bad CIDRs; ignore any that slip through.
        }
      }
      this.allowList = bl;
    }
    const next: Backend[] = [];
    for (const ep of cfg.endpoints) {
      const key = endpointString(ep);
      const b = old.get(key) ?? this.draining.get(key) ?? new Backend(ep.ip, ep.port, this.deps.dialAddress(ep.ip), this.deps.clock, this.deps.inactiveLingerMs);
      b.weight = 1;
      this.draining.delete(key);
      next.push(b);
      old.delete(key);
    }
    this.backends = next;
    for (const [key, b] of old) {
      b.weight = 0;
      if (b.busy) this.draining.set(key, b);
    }
    this.affinity?.retain(new Set(next.map((b) => b.key)));
    return [...old.keys()];
  }

  /**
   * Whether `allows`/`choose` look at the client's address (source ranges,
   * ClientIP affinity, source-hashing schedulers). When false, TCP skips
   * asking the kernel for the peer address of each accepted connection.
   */
  get needsClientAddress(): boolean {
    return this.needsClient;
  }

  /** True when at least one endpoint can take new connections. */
  hasBackends(): boolean {
    return this.backends.length > 0;
  }

  /** loadBalancerSourceRanges check. */
  allows(clientIP: string): boolean {
    if (!this.allowList) return true;
    const v4 = clientIP.startsWith('::ffff:') ? clientIP.slice(7) : clientIP;
    return this.allowList.check(v4, isIPv6(v4) ? 'ipv6' : 'ipv4');
  }

  /**
   * The backend for a new connection: the client's pinned backend when affinity
   * applies and it is still usable, else the scheduler's choice (pinned then).
   */
  choose(clientIP: string, clientPort: number, exclude?: ReadonlySet<string>): Backend | undefined {
    const affinity = this.affinity;
    const pinned = affinity?.get(clientIP);
    if (pinned !== undefined && !(exclude?.has(pinned) ?? false)) {
      const b = this.byKey(pinned);
      if (b) {
        affinity?.set(clientIP, b.key);
        return b;
      }
    }
    const picked = this.scheduler.pick(this.backends, { clientIP, clientPort, vip: this.cfg.address, vport: this.cfg.port, exclude });
    if (picked === undefined) return undefined;
    // Schedulers pick from the list they are given; the lookup by key only guards a stale pick.
    const b = this.backends.includes(picked as Backend) ? (picked as Backend) : this.byKey(picked.key);
    if (b) affinity?.set(clientIP, b.key);
    return b;
  }

  private byKey(key: string): Backend | undefined {
    for (const b of this.backends) if (b.key === key) return b;
    return undefined;
  }

  /** A connection to `b` failed: forget the client's pin so the retry may go elsewhere. */
  connectFailed(clientIP: string, b: Backend): void {
    if (this.affinity?.get(clientIP) === b.key) this.affinity.delete(clientIP);
  }

  /** Connection accounting; drained backends disappear once idle. */
  transition(b: Backend, from: ConnState | undefined, to: ConnState): void {
    b.transition(from, to);
    if (!b.busy && this.draining.get(b.key) === b) this.draining.delete(b.key);
  }

  /** Whether a backend is still current (UDP flows to removed backends are dropped). */
  isCurrent(b: Backend): boolean {
    return this.backends.includes(b);
  }

  status(): VirtualServiceStatus {
    const servers = [...this.backends, ...this.draining.values()];
    return {
      service: this.cfg.service,
      kind: this.cfg.kind,
      protocol: this.cfg.protocol,
      address: this.cfg.address,
      port: this.cfg.port,
      ...(this.cfg.localAddress !== this.cfg.address ? { localAddress: this.cfg.localAddress } : {}),
      scheduler: this.cfg.scheduler,
      ...(this.cfg.affinity.type === 'ClientIP' ? { persistentTimeoutSeconds: this.cfg.affinity.timeoutSeconds } : {}),
      realServers: servers.map((b) => ({ address: b.ip, port: b.port, forward: 'Masq', weight: b.weight, activeConns: b.activeConns, inactiveConns: b.inactiveConns })),
    };
  }
}
