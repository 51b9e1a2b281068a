/**
 * Node IPAM with the range allocator (upstream `nodeipam` controller, RangeAllocator): every
 * node without spec.podCIDR gets the next free subnet of the cluster CIDR (one per family for a
 * dual-stack `a,b` cluster CIDR). Occupancy is rebuilt from the nodes before the first
 * allocation, so a subnet is never handed out twice; subnets of deleted nodes are released.
 * One worker: allocation is serialized.
 */
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';
import { runController } from '../../client/controller.js';
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/kube-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerContext } from '../controller-context.js';
import { NODES } from '../resources.js';
import { CidrSet } from './cidr-set.js';

const FIELD_MANAGER = 'node-ipam-controller';
/** Upstream's --node-cidr-mask-size-ipv6 default. */
const IPV6_MASK_SIZE = 64;

export function podCidrsOf(node: KubeObject): string[] {
  const spec = isRecord(node.spec) ? node.spec : {};
  const list = Array.isArray(spec.podCIDRs) ? spec.podCIDRs.filter((c): c is string => typeof c === 'string' && c !== '') : [];
  if (list.length > 0) return list;
  return typeof spec.podCIDR === 'string' && spec.podCIDR ? [spec.podCIDR] : [];
}

/** One CidrSet per family of the cluster CIDR (`10.244.0.0/16` or `10.244.0.0/16,fd00:10:244::/56`). */
export function cidrSetsFor(clusterCIDR: string, maskSizeV4: number): CidrSet[] {
  return clusterCIDR
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((c) => new CidrSet(c, c.includes(':') ? IPV6_MASK_SIZE : maskSizeV4));
}

export class NodeIpam {
  private readonly sets: CidrSet[];
  /** Subnets handed to a node whose informer copy may not show them yet. */
  private readonly pending = new Map<string, string[]>();
  readonly queue: WorkQueue<string>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly nodes: Informer,
  ) {
    this.sets = cidrSetsFor(ctx.config.clusterCIDR, ctx.config.nodeCIDRMaskSize);
    this.queue = new WorkQueue<string>({ name: 'node_ipam', clock: ctx.clock });
  }

  private occupy(cidrs: readonly string[]): void {
    for (const c of cidrs) for (const s of this.sets) s.occupy(c);
  }

  private release(cidrs: readonly string[]): void {
    for (const c of cidrs) for (const s of this.sets) s.release(c);
  }

  async run(): Promise<void> {
    const { ctx, nodes } = this;
    nodes.addEventHandler({
      onAdd: (n) => this.onNode(n),
      onUpdate: (_o, n) => this.onNode(n),
      onDelete: (n) => {
        const name = n.metadata.name ?? '';
        this.release([...podCidrsOf(n), ...(this.pending.get(name) ?? [])]);
        this.pending.delete(name);
      },
    });
    if (!(await nodes.waitForSync(ctx.signal))) return;
    // Rebuild occupancy before handing anything out.
    for (const n of nodes.list()) this.occupy(podCidrsOf(n));
    await runController({
      name: 'nodeipam',
      workers: 1,
      queue: this.queue,
      reconcile: (name) => this.reconcile(name),
      signal: ctx.signal,
      log: ctx.log,
    });
  }

  private onNode(n: KubeObject): void {
    const cidrs = podCidrsOf(n);
    if (cidrs.length > 0) {
      // Someone else may have set the node's CIDRs first: give back what we had reserved.
      const reserved = this.pending.get(n.metadata.name ?? '');
      if (reserved) this.release(reserved.filter((c) => !cidrs.includes(c)));
      this.pending.delete(n.metadata.name ?? '');
      this.occupy(cidrs);
    } else if (n.metadata.name) {
      this.queue.add(n.metadata.name);
    }
  }

  private async reconcile(name: string): Promise<void> {
    const node = this.nodes.get('', name);
    if (!node || node.metadata.deletionTimestamp || podCidrsOf(node).length > 0) return;
    let cidrs = this.pending.get(name);
    if (!cidrs) {
      const got: string[] = [];
      for (const s of this.sets) {
        const c = s.allocateNext();
        if (c === undefined) {
          this.release(got);
          this.ctx.log.warn(`node ${name}: no pod CIDR left in ${s.clusterCidr} (CIDRNotAvailable)`);
          throw new Error(`CIDR range ${s.clusterCidr} is full`);
        }
        got.push(c);
      }
      cidrs = got;
      this.pending.set(name, cidrs);
    }
    try {
      await this.ctx.client.patch(NODES, undefined, name, { spec: { podCIDR: cidrs[0], podCIDRs: cidrs } }, 'merge', { fieldManager: FIELD_MANAGER });
      this.ctx.log.info(`node ${name}: assigned pod CIDR ${cidrs.join(',')}`);
    } catch (e) {
      if (isNotFound(e)) {
        this.release(cidrs);
        this.pending.delete(name);
        return;
      }
      throw e;
    }
  }
}
