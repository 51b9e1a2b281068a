/**
 * ClusterIP and NodePort bookkeeping for Services, after upstream's service
 * REST allocators (pkg/registry/core/service/storage/alloc.go). Allocation
 * happens in place on the object being written and is transactional: the caller
 * commits after the storage write succeeds or rolls back if anything fails.
 *
 * State lives in memory only; `restore()` rebuilds it from the stored Services at
 * startup, which is how allocations survive restarts (upstream keeps a bitmap
 * snapshot plus a repair loop; the stored Services are the source of truth in
 * both).
 *
 * Intended call order per write: strategy (defaults, prepare, validate), then
 * allocateCreate/allocateUpdate, then the storage write, then commit() or
 * rollback(). Both entry points re-run the idempotent clusterIP normalization
 * and update inference themselves, so the order relative to prepare is not
 * critical.
 */
import type { KubeObject } from '../../../api/object.js';
import { type FieldError, invalid } from '../../field-errors.js';
import { parseIPv4Sloppy } from '../../validation/names.js';
import { ClusterIPAllocator } from './ip-allocator.js';
import { NodePortAllocator } from './port-allocator.js';
import { defaultIPFamilies } from './service-defaults.js';
import { normalizeClusterIPs, prepareServiceUpdate } from './service-prepare.js';
import {
  CLUSTER_IP_NONE,
  type JsonRecord,
  TYPE_CLUSTER_IP,
  TYPE_EXTERNAL_NAME,
  TYPE_LOAD_BALANCER,
  TYPE_NODE_PORT,
  collectNodePorts,
  int,
  isHeadless,
  needsHealthCheck,
  needsNodePort,
  portsOf,
  specOf,
  strList,
  svcType,
} from './service-spec.js';

/**
 * Outcome of an allocation. On failure nothing stays allocated. `internalError`
 * is set when upstream answers 500 InternalError rather than 422 (a full range);
 * `errors` then holds the same text as an Internal field error for callers that
 * only build 422s.
 */
export type AllocationResult =
  | { readonly ok: true; commit(): void; rollback(): void }
  | { readonly ok: false; readonly errors: FieldError[]; readonly internalError?: string };

export interface ServiceAllocationsOptions {
  /** Service CIDR (IPv4), e.g. `10.96.0.0/12`. */
  readonly serviceCIDR: string;
  /** Node port range, e.g. `30000-32767`. */
  readonly nodePortRange: string;
  /** Randomness for dynamic allocation (tests). */
  readonly random?: () => number;
}

/** Allocation failure carried through the helpers below. */
class AllocationFailure {
  constructor(
    readonly errors: FieldError[],
    readonly internalError?: string,
  ) {}
  static internal(field: string, message: string): AllocationFailure {
    return new AllocationFailure([{ type: 'Internal', field, detail: message }], message);
  }
}

/**
 * Records what one write allocated and what it will free, so the write can be
 * undone (rollback) or completed (commit). Dry runs allocate tentatively to get
 * realistic values and give everything back either way.
 */
class Transaction {
  private readonly ips: string[] = [];
  private readonly ports: number[] = [];
  private readonly releaseIPs: string[] = [];
  private readonly releasePorts: number[] = [];
  private done = false;

  constructor(
    private readonly ipAlloc: ClusterIPAllocator,
    private readonly portAlloc: NodePortAllocator,
    private readonly dryRun: boolean,
  ) {}

  allocatedIP(ip: string): void {
    this.ips.push(ip);
  }
  allocatedPort(port: number): void {
    this.ports.push(port);
  }
  deferIPRelease(ip: string): void {
    this.releaseIPs.push(ip);
  }
  deferPortRelease(port: number): void {
    this.releasePorts.push(port);
  }

  commit(): void {
    if (this.done) return;
    this.done = true;
    if (this.dryRun) {
      this.undoAllocations();
      return;
    }
    for (const ip of this.releaseIPs) this.ipAlloc.release(ip);
    for (const p of this.releasePorts) this.portAlloc.release(p);
  }

  rollback(): void {
    if (this.done) return;
    this.done = true;
    this.undoAllocations();
  }

  private undoAllocations(): void {
    for (const ip of this.ips) this.ipAlloc.release(ip);
    for (const p of this.ports) this.portAlloc.release(p);
  }
}

const CLUSTER_FAMILIES = ['IPv4'] as const;

export class ServiceAllocations {
  private ipAlloc: ClusterIPAllocator;
  private portAlloc: NodePortAllocator;
  private readonly opts: ServiceAllocationsOptions;

  constructor(opts: ServiceAllocationsOptions) {
    this.opts = opts;
    this.ipAlloc = this.newIPAllocator();
    this.portAlloc = this.newPortAllocator();
  }

  private newIPAllocator(): ClusterIPAllocator {
    return new ClusterIPAllocator(this.opts.serviceCIDR, this.opts.random ? { random: this.opts.random } : {});
  }

  private newPortAllocator(): NodePortAllocator {
    return new NodePortAllocator(this.opts.nodePortRange, this.opts.random ? { random: this.opts.random } : {});
  }

  /** The ClusterIP pool (for inspection). */
  get clusterIPs(): ClusterIPAllocator {
    return this.ipAlloc;
  }

  /** The NodePort pool (for inspection). */
  get nodePorts(): NodePortAllocator {
    return this.portAlloc;
  }

  /** The first usable service IP (`10.96.0.1` for `10.96.0.0/12`), reserved by convention for `kubernetes`. */
  firstServiceIP(): string {
    return this.ipAlloc.firstIP();
  }

  /**
   * Forget all state and mark everything the stored Services hold as allocated:
   * clusterIPs (not for ExternalName or headless), every non-zero nodePort, and
   * the healthCheckNodePort where one is needed. Conflicting or out-of-range
   * values are skipped (upstream's repair loop would report them).
   */
  restore(services: readonly KubeObject[]): void {
    this.ipAlloc = this.newIPAllocator();
    this.portAlloc = this.newPortAllocator();
    for (const svc of services) {
      const spec = specOf(structuredClone(svc));
      if (svcType(spec) !== TYPE_EXTERNAL_NAME && !isHeadless(spec)) {
        for (const ip of clusterIPsOf(spec)) if (parseIPv4Sloppy(ip) !== null) this.ipAlloc.allocate(ip);
      }
      for (const port of collectNodePorts(spec)) this.portAlloc.allocate(port);
      if (needsHealthCheck(spec) && int(spec, 'healthCheckNodePort') !== 0) this.portAlloc.allocate(int(spec, 'healthCheckNodePort'));
    }
  }

  /**
   * Allocate for a new Service, in place: ip family fields, `clusterIP` +
   * `clusterIPs` (requested or random; none for headless and ExternalName),
   * `ports[].nodePort` for NodePort/LoadBalancer (unless a LoadBalancer has
   * allocateLoadBalancerNodePorts false; explicit requests are honoured, and
   * ports sharing a `port` number share a node port), and
   * `healthCheckNodePort` for LoadBalancer with externalTrafficPolicy Local.
   */
  allocateCreate(svc: KubeObject, dryRun: boolean): AllocationResult {
    normalizeClusterIPs(svc, undefined);
    const famErrs = defaultIPFamilies(svc, undefined, CLUSTER_FAMILIES);
    if (famErrs.length > 0) return { ok: false, errors: famErrs };
    const spec = specOf(svc);
    const txn = new Transaction(this.ipAlloc, this.portAlloc, dryRun);
    try {
      this.allocClusterIPs(spec, txn);
      if (needsNodePort(spec)) this.initNodePorts(spec, txn);
      if (needsHealthCheck(spec)) this.allocHealthCheckNodePort(spec, txn);
    } catch (e) {
      txn.rollback();
      if (e instanceof AllocationFailure) return failure(e);
      throw e;
    }
    return okResult(txn);
  }

  /**
   * Allocate for an update, in place, given the stored object: keeps existing
   * clusterIPs and node ports (filling in ones the client left empty),
   * allocates a clusterIP when leaving ExternalName, frees it (on commit) when
   * becoming ExternalName, frees node ports that are no longer used (all of
   * them when going to ClusterIP/ExternalName), allocates new node ports, and
   * allocates or frees the healthCheckNodePort as its need changes.
   */
  allocateUpdate(svc: KubeObject, old: KubeObject, dryRun: boolean): AllocationResult {
    prepareServiceUpdate(svc, old);
    const famErrs = defaultIPFamilies(svc, old, CLUSTER_FAMILIES);
    if (famErrs.length > 0) return { ok: false, errors: famErrs };
    const spec = specOf(svc);
    const oldSpec = specOf(old);
    const txn = new Transaction(this.ipAlloc, this.portAlloc, dryRun);
    try {
      this.updateClusterIPs(spec, oldSpec, txn);
      this.updateNodePorts(spec, oldSpec, txn);
      this.updateHealthCheckNodePort(spec, oldSpec, txn);
    } catch (e) {
      txn.rollback();
      if (e instanceof AllocationFailure) return failure(e);
      throw e;
    }
    return okResult(txn);
  }

  /** Free everything a deleted Service held. */
  release(svc: KubeObject): void {
    const spec = specOf(structuredClone(svc));
    if (svcType(spec) !== TYPE_EXTERNAL_NAME && !isHeadless(spec)) {
      for (const ip of clusterIPsOf(spec)) this.ipAlloc.release(ip);
    }
    for (const port of collectNodePorts(spec)) this.portAlloc.release(port);
    if (needsHealthCheck(spec) && int(spec, 'healthCheckNodePort') !== 0) this.portAlloc.release(int(spec, 'healthCheckNodePort'));
  }

  // --- cluster IPs ---------------------------------------------------------

  private allocClusterIPs(spec: JsonRecord, txn: Transaction): void {
    if (svcType(spec) === TYPE_EXTERNAL_NAME || isHeadless(spec)) return;
    const families = strList(spec, 'ipFamilies');
    const ips = strList(spec, 'clusterIPs');
    for (let i = 0; i < families.length; i++) {
      if (families[i] !== 'IPv4') continue; // family checks already refused what this cluster cannot serve
      const wanted = ips[i] ?? '';
      if (i >= ips.length) ips.push('');
      let ip: string;
      if (wanted === '') {
        const r = this.ipAlloc.allocateNext();
        if (!r.ok) throw AllocationFailure.internal('spec.clusterIPs', `failed to allocate a serviceIP: ${r.message}`);
        ip = r.ip;
      } else {
        const r = this.ipAlloc.allocate(wanted);
        if (!r.ok) throw new AllocationFailure([invalid('spec.clusterIPs', [...ips], `failed to allocate IP ${wanted}: ${r.message}`)]);
        ip = wanted;
      }
      txn.allocatedIP(ip);
      ips[i] = ip;
      if (i === 0) spec['clusterIP'] = ip;
    }
    spec['clusterIPs'] = ips;
  }

  private updateClusterIPs(spec: JsonRecord, oldSpec: JsonRecord, txn: Transaction): void {
    const oldType = svcType(oldSpec);
    const newType = svcType(spec);
    // Leaving ExternalName: a fresh allocation.
    if (oldType === TYPE_EXTERNAL_NAME && newType !== TYPE_EXTERNAL_NAME) {
      this.allocClusterIPs(spec, txn);
      return;
    }
    if (isHeadless(oldSpec)) return;
    // Becoming ExternalName: free the old IPs once the write succeeds.
    if (oldType !== TYPE_EXTERNAL_NAME && newType === TYPE_EXTERNAL_NAME) {
      for (const ip of clusterIPsOf(oldSpec)) txn.deferIPRelease(ip);
    }
    // Dual-stack upgrades and downgrades cannot happen on this single-family cluster.
  }

  // --- node ports ------------------------------------------------------------

  private shouldAllocateNodePorts(spec: JsonRecord): boolean {
    const t = svcType(spec);
    if (t === TYPE_NODE_PORT) return true;
    if (t === TYPE_LOAD_BALANCER) return spec['allocateLoadBalancerNodePorts'] !== false;
    return false;
  }

  private allocatePort(port: number, index: number, txn: Transaction): void {
    const r = this.portAlloc.allocate(port);
    if (!r.ok) throw new AllocationFailure([invalid(`spec.ports[${index}].nodePort`, port, r.message)]);
    txn.allocatedPort(port);
  }

  private allocateNextPort(txn: Transaction): number {
    const r = this.portAlloc.allocateNext();
    if (!r.ok) throw AllocationFailure.internal('spec.ports', `failed to allocate a nodePort: ${r.message}`);
    txn.allocatedPort(r.port);
    return r.port;
  }

  // Upstream initNodePorts: ports with the same `port` number (e.g. TCP and UDP 53) share one node port.
  private initNodePorts(spec: JsonRecord, txn: Transaction): void {
    const ports = portsOf(spec);
    const byServicePort = new Map<number, number>();
    const shouldAllocate = this.shouldAllocateNodePorts(spec);
    ports.forEach((p, i) => {
      const nodePort = int(p, 'nodePort');
      if (nodePort === 0 && !shouldAllocate) return;
      const svcPort = int(p, 'port');
      const assigned = byServicePort.get(svcPort) ?? 0;
      if (assigned === 0) {
        const requested = ports.find((q) => int(q, 'port') === svcPort && int(q, 'nodePort') !== 0);
        const np = requested ? int(requested, 'nodePort') : 0;
        if (np !== 0) {
          this.allocatePort(np, i, txn);
          p['nodePort'] = np;
          byServicePort.set(svcPort, np);
        } else {
          const next = this.allocateNextPort(txn);
          p['nodePort'] = next;
          byServicePort.set(svcPort, next);
        }
      } else if (nodePort !== assigned) {
        if (nodePort === 0) p['nodePort'] = assigned;
        else this.allocatePort(nodePort, i, txn);
      }
    });
  }

  private updateNodePorts(spec: JsonRecord, oldSpec: JsonRecord, txn: Transaction): void {
    const newType = svcType(spec);
    const oldNodePorts = collectNodePorts(oldSpec);
    if (needsNodePort(oldSpec) && (newType === TYPE_EXTERNAL_NAME || newType === TYPE_CLUSTER_IP)) {
      for (const p of oldNodePorts) txn.deferPortRelease(p);
    }
    if (!needsNodePort(spec)) return;
    const shouldAllocate = this.shouldAllocateNodePorts(spec);
    const claimed = new Set<number>();
    portsOf(spec).forEach((p, i) => {
      const nodePort = int(p, 'nodePort');
      if (nodePort === 0 && !shouldAllocate) return;
      if (nodePort !== 0) {
        if (!oldNodePorts.includes(nodePort) && !claimed.has(nodePort)) {
          this.allocatePort(nodePort, i, txn);
          claimed.add(nodePort);
        }
      } else {
        p['nodePort'] = this.allocateNextPort(txn);
      }
    });
    const kept = collectNodePorts(spec);
    for (const p of oldNodePorts) if (!kept.includes(p)) txn.deferPortRelease(p);
  }

  // --- health check node port ----------------------------------------------

  private allocHealthCheckNodePort(spec: JsonRecord, txn: Transaction): void {
    const requested = int(spec, 'healthCheckNodePort');
    if (requested !== 0) {
      const r = this.portAlloc.allocate(requested);
      if (!r.ok) {
        throw AllocationFailure.internal('spec.healthCheckNodePort', `failed to allocate requested HealthCheck NodePort ${requested}: ${r.message}`);
      }
      txn.allocatedPort(requested);
      return;
    }
    const r = this.portAlloc.allocateNext();
    if (!r.ok) throw AllocationFailure.internal('spec.healthCheckNodePort', `failed to allocate a HealthCheck NodePort 0: ${r.message}`);
    txn.allocatedPort(r.port);
    spec['healthCheckNodePort'] = r.port;
  }

  private updateHealthCheckNodePort(spec: JsonRecord, oldSpec: JsonRecord, txn: Transaction): void {
    const needed = needsHealthCheck(oldSpec);
    const needs = needsHealthCheck(spec);
    if (!needed && needs) this.allocHealthCheckNodePort(spec, txn);
    else if (needed && !needs && int(oldSpec, 'healthCheckNodePort') !== 0) txn.deferPortRelease(int(oldSpec, 'healthCheckNodePort'));
  }
}

function clusterIPsOf(spec: JsonRecord): string[] {
  const ips = strList(spec, 'clusterIPs');
  if (ips.length > 0) return ips.filter((ip) => ip !== '' && ip !== CLUSTER_IP_NONE);
  const one = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
  return one !== '' && one !== CLUSTER_IP_NONE ? [one] : [];
}

function okResult(txn: Transaction): AllocationResult {
  return { ok: true, commit: () => txn.commit(), rollback: () => txn.rollback() };
}

function failure(f: AllocationFailure): AllocationResult {
  return f.internalError !== undefined ? { ok: false, errors: f.errors, internalError: f.internalError } : { ok: false, errors: f.errors };
}
