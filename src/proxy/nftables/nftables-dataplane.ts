/**
 * The nftables dataplane: programs the `ip kube-proxy` table (nft-rules.ts)
 * with `nft -f -`, one transaction per sync. The first sync (and any sync
 * after a failure) rewrites the table; later ones send only the difference
 * for the Service ports the proxier lists as changed. Stale UDP conntrack
 * entries are deleted after each sync. Refuses to run where the rules would
 * land in the host's network namespace (kernel/netns-guard.ts).
 */
import type { Logger } from '../../log/logger.js';
import type { NetnsCheck } from '../address-mapper.js';
import type { Dataplane, ProxyState, ServicePortState, SyncFailure, SyncResult, VirtualServiceStatus } from '../dataplane.js';
import { type CommandRunner, ExecCommandRunner, describeFailure } from '../kernel/command-runner.js';
import { planConntrackCleanup, runConntrackCleanup } from '../kernel/conntrack.js';
import { kernelScheduling } from '../kernel/kernel-scheduling.js';
import { kernelStatus } from '../kernel/kernel-status.js';
import { checkKernelNetns } from '../kernel/netns-guard.js';
import { ANNOTATION_SCHEDULER, type ServicePortKey } from '../types.js';
import { ElementClaims, elementId } from './element-claims.js';
import { EndpointSlots } from './endpoint-slots.js';
import { NFT_FAMILY, NFT_TABLE, SERVICES_CHAIN, type NftBaseRules, type NftBuildOptions, type NftElement, type NftServiceRules, buildNftBase, buildNftServiceRules } from './nft-rules.js';
import { type ElementOp, type NetlinkBatch, encodeElementBatch, errnoText, netlinkElement } from './nft-netlink.js';
import { planNftDiff, planNftRewrite } from './nft-transaction.js';
import { NetlinkRelay } from '../kernel/netlink-relay.js';

export interface NftablesDataplaneOptions extends NftBuildOptions {
  /** Runs nft / conntrack; default: the real tools, inside `netns` when set. */
  readonly runner?: CommandRunner;
  /** Program the rules into this named network namespace (`ip netns exec`). */
  readonly netns?: string;
  /** Dedicated node: allow the host's initial network namespace. */
  readonly allowHostNetns?: boolean;
  /** Replaces the namespace check (tests with a fake runner). */
  readonly netnsCheck?: () => NetnsCheck;
  readonly log?: Logger;
  /** Skip conntrack cleanup (tests, or machines without conntrack-tools). */
  readonly conntrackCleanup?: boolean;
  /**
   * Element-only changes (an endpoint replaced) straight over netlink instead of `nft -f`
   * (nft-netlink.ts). Default: on with the real tools, off with a custom `runner`.
   */
  readonly netlinkElements?: boolean;
  /** Opens the netlink socket (tests); default: a NetlinkRelay in `netns`. */
  readonly netlinkSender?: () => Promise<NetlinkSender | undefined>;
}

/** Where element batches go (NetlinkRelay). */
export interface NetlinkSender {
  readonly alive: boolean;
  send(batch: Buffer, marker: Buffer, markerSeq: number): Promise<{ readonly errno: number; readonly seq: number }>;
  close(): void;
}

/** What the last sync did (tests and the benchmark). */
export interface NftSyncStats {
  readonly kind: 'rewrite' | 'diff' | 'noop' | 'failed';
  /** How the transaction reached the kernel. */
  readonly via: 'nft' | 'netlink' | 'none';
  readonly servicePorts: number;
  readonly touched: number;
  readonly scriptLines: number;
  readonly scriptBytes: number;
  readonly buildMs: number;
  readonly applyMs: number;
  readonly conntrackDeletions: number;
}

interface Applied {
  base: NftBaseRules;
  readonly services: Map<ServicePortKey, NftServiceRules>;
  /** Programmed map and set elements by id. */
  readonly elements: Map<string, NftElement>;
}

export class NftablesDataplane implements Dataplane {
  readonly mode = 'nftables' as const;
  private readonly opts: NftablesDataplaneOptions;
  private readonly runner: CommandRunner;
  private applied: Applied | undefined;
  private claims = new ElementClaims();
  /** Endpoint map ranges of the programmed Service ports (see endpoint-slots.ts). */
  private slots = new EndpointSlots();
  private readonly states = new Map<ServicePortKey, ServicePortState>();
  private lastState: ProxyState | undefined;
  private readonly warned = new Set<string>();
  /** The netlink socket for element-only transactions: undefined = not tried yet, null = unavailable. */
  private netlink: NetlinkSender | null | undefined;
  private netlinkSeq = (Date.now() & 0xffff) << 12;
  lastSyncStats: NftSyncStats | undefined;

  /** Throws when the rules would land in the host's network namespace (see netns-guard). */
  constructor(opts: NftablesDataplaneOptions = {}) {
    this.opts = opts;
    const check = opts.netnsCheck ? opts.netnsCheck() : checkKernelNetns({ ...(opts.netns !== undefined ? { netns: opts.netns } : {}), allowHostNetns: opts.allowHostNetns ?? false });
    if (!check.ok) throw new Error(`nftables proxy mode: ${check.reason}`);
    this.runner = opts.runner ?? new ExecCommandRunner(opts.netns !== undefined ? { netns: opts.netns } : {});
    const fallback = kernelScheduling({}, 'nftables', opts.defaultScheduler);
    if (fallback.unavailable !== undefined) {
      opts.log?.warn(`default scheduler ${fallback.unavailable} is not available in nftables mode (random and sh are); Services without the ${ANNOTATION_SCHEDULER} annotation use random`);
    }
  }

  async sync(state: ProxyState): Promise<SyncResult> {
    const t0 = performance.now();
    if (this.applied && !state.changed && !(await this.tableExists())) {
      this.opts.log?.warn(`table ${NFT_FAMILY} ${NFT_TABLE} is gone; rewriting it`);
      this.applied = undefined;
    }
    const prev = this.applied;
    const keys = new Set<ServicePortKey>(prev && state.changed ? state.changed : [...state.services.keys(), ...(prev?.services.keys() ?? [])]);
    // A rewrite allocates endpoint slots afresh (sorted order, as buildNftRules); a failed sync drops the allocation with the table.
    const slots = prev ? this.slots : new EndpointSlots();
    const nextRules = new Map<ServicePortKey, NftServiceRules | undefined>();
    for (const key of prev ? keys : [...keys].sort(cmpKeys)) {
      const s = state.services.get(key);
      if (!s) {
        slots.release(`${key}|cluster`);
        slots.release(`${key}|local`);
      }
      nextRules.set(key, s ? buildNftServiceRules(s, this.opts, slots) : undefined);
      // The default scheduler's fallback was logged once at startup; here only what a Service asked for.
      const r = nextRules.get(key);
      if (r?.scheduling.unavailable !== undefined && s?.info.scheduler !== undefined) {
        this.warnOnce(`sched|${key}|${r.scheduling.unavailable}`, `service ${key}: scheduler ${r.scheduling.unavailable} is not available in nftables mode, using random`);
      }
    }
    const base = buildNftBase(state, this.opts, slots.maps());
    // Without a programmed table the claims start over; on failure they are dropped with it.
    const claims = prev ? this.claims : new ElementClaims();
    const touchedIds = new Set<string>();
    for (const key of keys) for (const id of claims.set(key, nextRules.get(key)?.elements ?? [])) touchedIds.add(id);
    const wanted = new Map<string, NftElement>();
    for (const id of touchedIds) {
      const w = claims.winner(id);
      if (!w) continue;
      wanted.set(id, w.element);
      for (const loser of w.losers) this.warnOnce(`conflict|${loser}|${id}`, `service ${loser}: ${w.element.key} in ${w.element.map} is already used by ${w.owner}; ignored`);
    }
    for (const e of base.elements) {
      touchedIds.add(elementId(e));
      wanted.set(elementId(e), e);
    }

    let kind: NftSyncStats['kind'];
    let script: string;
    let elementsOnly: ElementOp[] | undefined;
    const nextServices = new Map<ServicePortKey, NftServiceRules>();
    for (const [k, r] of nextRules) if (r) nextServices.set(k, r);
    if (!prev) {
      kind = 'rewrite';
      const services = new Map([...nextServices].sort(([a], [b]) => cmpKeys(a, b)));
      script = planNftRewrite({ base, services }, [...wanted.values()]);
    } else {
      for (const e of prev.base.elements) touchedIds.add(elementId(e));
      const prevServices = new Map<ServicePortKey, NftServiceRules>();
      for (const k of keys) {
        const r = prev.services.get(k);
        if (r) prevServices.set(k, r);
      }
      const diff = planNftDiff({
        previous: { base: prev.base, services: prevServices },
        next: { base, services: nextServices },
        touched: keys,
        previousElements: prev.elements,
        nextElements: wanted,
        touchedElements: touchedIds,
      });
      script = diff.script;
      kind = script === '' ? 'noop' : 'diff';
      if (diff.elementsOnly) elementsOnly = netlinkOps(diff.elementsOnly.deletes, diff.elementsOnly.adds);
    }
    const t1 = performance.now();
    let via: NftSyncStats['via'] = 'none';
    const stats = (k: NftSyncStats['kind'], conntrackDeletions: number, t2: number): NftSyncStats => ({
      kind: k,
      via,
      servicePorts: this.applied?.services.size ?? nextServices.size,
      touched: keys.size,
      scriptLines: countLines(script),
      scriptBytes: script.length,
      buildMs: t1 - t0,
      applyMs: t2 - t1,
      conntrackDeletions,
    });
    if (script !== '') {
      let error: string | undefined;
      const sender = elementsOnly ? await this.netlinkSender() : undefined;
      if (sender && elementsOnly) {
        via = 'netlink';
        error = await this.sendElements(sender, encodeElementBatch(elementsOnly, this.nextSeq(elementsOnly.length + 3)));
      } else {
        via = 'nft';
        const argv = ['nft', '-f', '-'];
        try {
          const r = await this.runner.run(argv, { input: script, timeoutMs: 300_000 });
          if (r.code !== 0) error = describeFailure(argv, r);
        } catch (e) {
          error = (e as Error).message;
        }
      }
      if (error !== undefined) {
        // The kernel state is unknown now: the next sync rewrites the table.
        this.applied = undefined;
        this.claims = new ElementClaims();
        this.slots = new EndpointSlots();
        this.opts.log?.error(`nftables sync failed: ${error}`);
        const failures: SyncFailure[] = [...keys].map((key) => failureFor(key, state.services.get(key) ?? this.states.get(key), error ?? ''));
        if (failures.length === 0) failures.push({ service: '', protocol: 'TCP', address: '', port: 0, error });
        this.lastSyncStats = stats('failed', 0, performance.now());
        return { ok: false, failures };
      }
    }
    if (!prev) {
      this.applied = { base, services: nextServices, elements: wanted };
      this.claims = claims;
      this.slots = slots;
    } else {
      prev.base = base;
      for (const [k, r] of nextRules) {
        if (r) prev.services.set(k, r);
        else prev.services.delete(k);
      }
      for (const id of touchedIds) {
        const e = wanted.get(id);
        if (e) prev.elements.set(id, e);
        else prev.elements.delete(id);
      }
    }
    const t2 = performance.now();

    const changes = [...keys].map((k) => ({ previous: this.states.get(k), current: state.services.get(k) }));
    for (const k of keys) {
      const s = state.services.get(k);
      if (s) this.states.set(k, s);
      else this.states.delete(k);
    }
    this.lastState = state;
    let deletions = 0;
    if (this.opts.conntrackCleanup ?? true) {
      const plan = planConntrackCleanup(
        changes.map((c) => ({ ...(c.previous ? { previous: c.previous } : {}), ...(c.current ? { current: c.current } : {}) })),
        state,
      );
      deletions = plan.length;
      if (plan.length > 0) await runConntrackCleanup(this.runner, plan, this.opts.log);
    }
    this.lastSyncStats = stats(kind, deletions, t2);
    return { ok: true };
  }

  /** A copy of the endpoint slot allocation (tests rebuild the expected table with it). */
  endpointSlots(): EndpointSlots {
    return this.slots.clone();
  }

  status(): VirtualServiceStatus[] {
    return kernelStatus(this.lastState, (info) => kernelScheduling(info, 'nftables', this.opts.defaultScheduler).label);
  }

  private nextSeq(count: number): number {
    const seq = this.netlinkSeq;
    this.netlinkSeq = (this.netlinkSeq + count) % 0x7fffffff;
    return seq;
  }

  /** The netlink socket, opened on first use; undefined when element updates go through nft. */
  private async netlinkSender(): Promise<NetlinkSender | undefined> {
    if (this.netlink === undefined) {
      const enabled = this.opts.netlinkElements ?? this.opts.runner === undefined;
      const open = this.opts.netlinkSender ?? (() => NetlinkRelay.start({ ...(this.opts.netns !== undefined ? { netns: this.opts.netns } : {}), ...(this.opts.log ? { log: this.opts.log } : {}) }));
      this.netlink = enabled ? ((await open()) ?? null) : null;
      if (this.netlink) this.opts.log?.info('nftables: endpoint changes that touch map elements only are sent over netlink; rules go through nft');
    }
    if (this.netlink && !this.netlink.alive) this.netlink = null;
    return this.netlink ?? undefined;
  }

  /** Sends one element batch; the error text (nft-like) or undefined on success. */
  private async sendElements(sender: NetlinkSender, b: NetlinkBatch): Promise<string | undefined> {
    try {
      const r = await sender.send(b.batch, b.marker, b.markerSeq);
      if (r.errno === 0) return undefined;
      return `netlink: ${b.described.get(r.seq) ?? 'element batch'}: ${errnoText(r.errno)}`;
    } catch (e) {
      return `netlink: ${(e as Error).message}`;
    }
  }

  async close(): Promise<void> {
    this.netlink?.close();
    this.netlink = undefined;
    this.applied = undefined;
    this.lastState = undefined;
    this.states.clear();
    const argv = ['nft', 'delete', 'table', NFT_FAMILY, NFT_TABLE];
    const r = await this.runner.run(argv).catch((e: unknown) => ({ code: 1, stdout: '', stderr: (e as Error).message }));
    if (r.code !== 0 && !/No such file or directory/.test(r.stderr)) this.opts.log?.warn(describeFailure(argv, r));
  }

  /**
   * Whether our table is still there. `nft list tables` would do, but nft 1.0.6
   * fetches the whole ruleset for it (half a minute at 100,000 chains), so
   * this asks to create a chain that must exist: "File exists" means the
   * table is intact; success means it was not (the rewrite removes the chain).
   */
  private async tableExists(): Promise<boolean> {
    const r = await this.runner.run(['nft', 'create', 'chain', NFT_FAMILY, NFT_TABLE, SERVICES_CHAIN]).catch(() => undefined);
    // When nft cannot be run we cannot tell; assume it is there (the diff fails and forces a rewrite if not).
    if (!r) return true;
    if (r.code !== 0) return /File exists/.test(r.stderr) || !/No such file or directory/.test(r.stderr);
    return false;
  }

  private warnOnce(id: string, msg: string): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.opts.log?.warn(msg);
  }
}

function failureFor(key: ServicePortKey, s: ServicePortState | undefined, error: string): SyncFailure {
  return { service: key, protocol: s?.info.protocol ?? 'TCP', address: s?.info.clusterIPs[0] ?? '', port: s?.info.port ?? 0, error };
}

const cmpKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The netlink form of an element-only change; undefined when an element is not one nft-netlink.ts can encode. */
function netlinkOps(deletes: readonly NftElement[], adds: readonly NftElement[]): ElementOp[] | undefined {
  const ops: ElementOp[] = [];
  for (const [verb, list] of [['delete', deletes], ['add', adds]] as const) {
    for (const e of list) {
      const element = netlinkElement(e);
      if (!element) return undefined;
      ops.push({ verb, element });
    }
  }
  return ops;
}
