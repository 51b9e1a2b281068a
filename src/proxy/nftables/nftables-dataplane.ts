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
import {
  NFT_FAMILY,
  NFT_TABLE,
  type NftBuildOptions,
  type NftElement,
  type NftRuleset,
  type NftServiceRules,
  buildNftBase,
  buildNftServiceRules,
  resolveElementOwners,
} from './nft-rules.js';
import { elementId, indexElements, planNftDiff, planNftRewrite } from './nft-transaction.js';

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
}

/** What the last sync did (tests and the benchmark). */
export interface NftSyncStats {
  readonly kind: 'rewrite' | 'diff' | 'noop' | 'failed';
  readonly servicePorts: number;
  readonly touched: number;
  readonly scriptLines: number;
  readonly scriptBytes: number;
  readonly buildMs: number;
  readonly applyMs: number;
  readonly conntrackDeletions: number;
}

interface Applied {
  readonly ruleset: NftRuleset;
  readonly elements: Map<string, NftElement>;
}

export class NftablesDataplane implements Dataplane {
  readonly mode = 'nftables' as const;
  private readonly opts: NftablesDataplaneOptions;
  private readonly runner: CommandRunner;
  private applied: Applied | undefined;
  private readonly states = new Map<ServicePortKey, ServicePortState>();
  private lastState: ProxyState | undefined;
  private readonly warned = new Set<string>();
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
    const prev = this.applied;
    const keys = new Set<ServicePortKey>(state.changed ?? [...state.services.keys(), ...(prev?.ruleset.services.keys() ?? [])]);
    const services = new Map<ServicePortKey, NftServiceRules>(prev && state.changed ? prev.ruleset.services : []);
    const rebuild = prev && state.changed ? keys : new Set(state.services.keys());
    for (const key of rebuild) {
      const s = state.services.get(key);
      if (s) services.set(key, buildNftServiceRules(s, this.opts));
      else services.delete(key);
    }
    const next: NftRuleset = { base: buildNftBase(state, this.opts), services };
    const owned = resolveElementOwners(next);
    for (const c of owned.conflicts) this.warnOnce(`conflict|${c.service}|${elementId(c.element)}`, `service ${c.service}: ${c.element.key} in ${c.element.map} is already used by ${c.owner}; ignored`);
    for (const key of keys) {
      // The default scheduler's fallback was logged once at startup; here only what a Service asked for.
      const r = services.get(key);
      if (r?.scheduling.unavailable !== undefined && state.services.get(key)?.info.scheduler !== undefined) {
        this.warnOnce(`sched|${key}|${r.scheduling.unavailable}`, `service ${key}: scheduler ${r.scheduling.unavailable} is not available in nftables mode, using random`);
      }
    }
    const nextElements = indexElements(owned.elements);

    let kind: NftSyncStats['kind'];
    let script: string;
    if (prev && !state.changed && !(await this.tableExists())) {
      this.opts.log?.warn(`table ${NFT_FAMILY} ${NFT_TABLE} is gone; rewriting it`);
      this.applied = undefined;
      return this.sync(state);
    }
    if (!prev) {
      kind = 'rewrite';
      script = planNftRewrite(next, owned.elements);
    } else {
      const touchedElements = new Set<string>();
      for (const key of keys) {
        for (const e of prev.ruleset.services.get(key)?.elements ?? []) touchedElements.add(elementId(e));
        for (const e of services.get(key)?.elements ?? []) touchedElements.add(elementId(e));
      }
      for (const e of [...prev.ruleset.base.elements, ...next.base.elements]) touchedElements.add(elementId(e));
      script = planNftDiff({ previous: prev.ruleset, next, touched: keys, previousElements: prev.elements, nextElements, touchedElements }).script;
      kind = script === '' ? 'noop' : 'diff';
    }
    const t1 = performance.now();
    const failures: SyncFailure[] = [];
    if (script !== '') {
      const argv = ['nft', '-f', '-'];
      let error: string | undefined;
      try {
        const r = await this.runner.run(argv, { input: script, timeoutMs: 120_000 });
        if (r.code !== 0) error = describeFailure(argv, r);
      } catch (e) {
        error = (e as Error).message;
      }
      if (error !== undefined) {
        // The kernel state is unknown now: the next sync rewrites the table.
        this.applied = undefined;
        this.opts.log?.error(`nftables sync failed: ${error}`);
        for (const key of keys) failures.push(failureFor(key, state.services.get(key) ?? this.states.get(key), error));
        if (failures.length === 0) failures.push({ service: '', protocol: 'TCP', address: '', port: 0, error });
        this.lastSyncStats = { kind: 'failed', servicePorts: services.size, touched: keys.size, scriptLines: countLines(script), scriptBytes: script.length, buildMs: t1 - t0, applyMs: performance.now() - t1, conntrackDeletions: 0 };
        return { ok: false, failures };
      }
    }
    this.applied = { ruleset: next, elements: nextElements };
    const t2 = performance.now();

    const changes = [...keys].map((k) => ({ previous: this.states.get(k), current: state.services.get(k) }));
    for (const k of keys) {
      const s = state.services.get(k);
      if (s) this.states.set(k, s);
      else this.states.delete(k);
    }
    if (!state.changed) for (const k of [...this.states.keys()]) if (!state.services.has(k)) this.states.delete(k);
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
    this.lastSyncStats = {
      kind,
      servicePorts: services.size,
      touched: keys.size,
      scriptLines: countLines(script),
      scriptBytes: script.length,
      buildMs: t1 - t0,
      applyMs: t2 - t1,
      conntrackDeletions: deletions,
    };
    return { ok: true };
  }

  status(): VirtualServiceStatus[] {
    return kernelStatus(this.lastState, (info) => kernelScheduling(info, 'nftables', this.opts.defaultScheduler).label);
  }

  async close(): Promise<void> {
    this.applied = undefined;
    this.lastState = undefined;
    this.states.clear();
    const argv = ['nft', 'delete', 'table', NFT_FAMILY, NFT_TABLE];
    const r = await this.runner.run(argv).catch((e: unknown) => ({ code: 1, stdout: '', stderr: (e as Error).message }));
    if (r.code !== 0 && !/No such file or directory/.test(r.stderr)) this.opts.log?.warn(describeFailure(argv, r));
  }

  private async tableExists(): Promise<boolean> {
    const r = await this.runner.run(['nft', 'list', 'tables', NFT_FAMILY]).catch(() => undefined);
    // When listing fails we cannot tell; assume it is there (the diff will fail and force a rewrite if not).
    if (!r || r.code !== 0) return true;
    return new RegExp(`^table ${NFT_FAMILY} ${NFT_TABLE}$`, 'm').test(r.stdout);
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

function countLines(s: string): number {
  if (s === '') return 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}
