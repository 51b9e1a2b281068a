/**
 * The iptables dataplane: programs the classic kube-proxy chains
 * (iptables-rules.ts) with `iptables-restore --noflush`, one restore per sync.
 *
 * - Full sync (first, after a failure, or a periodic resync): reads the
 *   tables with iptables-save, writes every chain, deletes KUBE-* Service
 *   chains that are no longer wanted, and inserts the jump rules from the
 *   built-in chains that are missing.
 * - Partial sync (the proxier lists changed Service ports): rewrites the
 *   top-level chains (they list every Service, as upstream) plus the chains
 *   of the changed ports, and deletes the chains those ports no longer use.
 *
 * Prefers `iptables-legacy-restore` when installed (much faster loads), unless
 * the namespace already holds our chains in the nft variant: the two
 * variants are never mixed in one namespace. Stale UDP conntrack entries are
 * deleted after each sync. Refuses to run where the rules would land in the
 * host's network namespace (kernel/netns-guard.ts).
 */
import type { Logger } from '../../log/logger.js';
import type { NetnsCheck } from '../address-mapper.js';
import type { Dataplane, ProxyState, ServicePortState, SyncFailure, SyncResult, VirtualServiceStatus } from '../dataplane.js';
import { type CommandRunner, ExecCommandRunner, describeFailure, findExecutable } from '../kernel/command-runner.js';
import { planConntrackCleanup, runConntrackCleanup } from '../kernel/conntrack.js';
import { kernelScheduling } from '../kernel/kernel-scheduling.js';
import { kernelStatus } from '../kernel/kernel-status.js';
import { checkKernelNetns } from '../kernel/netns-guard.js';
import { ANNOTATION_SCHEDULER, type ServicePortKey } from '../types.js';
import {
  IPT_TABLES,
  type IptServiceRules,
  type IptTable,
  type IptablesBuildOptions,
  type IptablesRuleset,
  JUMP_RULES,
  type JumpRule,
  TOP_LEVEL_CHAINS,
  buildIptablesFixed,
  buildIptablesServiceRules,
  isServiceChainName,
  jumpRuleArgs,
  renderIptablesRestore,
} from './iptables-rules.js';

export type IptablesVariant = 'legacy' | 'nft';

export interface IptablesDataplaneOptions extends IptablesBuildOptions {
  /** Runs iptables-restore / -save / conntrack; default: the real tools, inside `netns` when set. */
  readonly runner?: CommandRunner;
  /** Program the rules into this named network namespace (`ip netns exec`). */
  readonly netns?: string;
  /** Dedicated node: allow the host's initial network namespace. */
  readonly allowHostNetns?: boolean;
  /** Replaces the namespace check (tests with a fake runner). */
  readonly netnsCheck?: () => NetnsCheck;
  /** Which iptables to use; default: legacy when installed, unless our chains already live in the nft variant. */
  readonly variant?: IptablesVariant;
  readonly log?: Logger;
  /** Skip conntrack cleanup (tests, or machines without conntrack-tools). */
  readonly conntrackCleanup?: boolean;
}

/** What the last sync did (tests and the benchmark). */
export interface IptSyncStats {
  readonly kind: 'full' | 'partial' | 'failed';
  readonly servicePorts: number;
  readonly touched: number;
  readonly restoreLines: number;
  readonly restoreBytes: number;
  readonly buildMs: number;
  readonly applyMs: number;
  readonly conntrackDeletions: number;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Chains (per table) and jump rules found in iptables-save output. */
export function parseSave(text: string): { chains: Record<IptTable, Set<string>>; jumps: Set<string> } {
  const chains: Record<IptTable, Set<string>> = { filter: new Set(), nat: new Set() };
  const jumps = new Set<string>();
  let table: IptTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      const t = line.slice(1).trim();
      table = (IPT_TABLES as readonly string[]).includes(t) ? (t as IptTable) : undefined;
    } else if (!table) continue;
    else if (line.startsWith(':')) chains[table].add(line.slice(1).split(/\s+/)[0] ?? '');
    else if (line.startsWith('-A ')) {
      const chain = line.split(/\s+/)[1] ?? '';
      const target = /\s-j\s+(\S+)/.exec(line)?.[1];
      if (target) jumps.add(`${table}|${chain}|${target}`);
    }
  }
  return { chains, jumps };
}

const jumpId = (j: JumpRule): string => `${j.table}|${j.chain}|${j.target}`;

export class IptablesDataplane implements Dataplane {
  readonly mode = 'iptables' as const;
  private readonly opts: IptablesDataplaneOptions;
  private readonly runner: CommandRunner;
  private variant: IptablesVariant | undefined;
  /** Rules as programmed; undefined means the next sync is a full one. */
  private applied: IptablesRuleset | undefined;
  private readonly states = new Map<ServicePortKey, ServicePortState>();
  private lastState: ProxyState | undefined;
  private readonly warned = new Set<string>();
  lastSyncStats: IptSyncStats | undefined;

  /** Throws when the rules would land in the host's network namespace (see netns-guard). */
  constructor(opts: IptablesDataplaneOptions = {}) {
    this.opts = opts;
    const check = opts.netnsCheck ? opts.netnsCheck() : checkKernelNetns({ ...(opts.netns !== undefined ? { netns: opts.netns } : {}), allowHostNetns: opts.allowHostNetns ?? false });
    if (!check.ok) throw new Error(`iptables proxy mode: ${check.reason}`);
    this.runner = opts.runner ?? new ExecCommandRunner(opts.netns !== undefined ? { netns: opts.netns } : {});
    if (opts.variant) this.variant = opts.variant;
    const fallback = kernelScheduling({}, 'iptables', opts.defaultScheduler);
    if (fallback.unavailable !== undefined) {
      opts.log?.warn(`default scheduler ${fallback.unavailable} is not available in iptables mode (random and sh are); Services without the ${ANNOTATION_SCHEDULER} annotation use random`);
    }
  }

  /** The variant in use (decided at the first sync when not configured). */
  get iptablesVariant(): IptablesVariant | undefined {
    return this.variant;
  }

  async sync(state: ProxyState): Promise<SyncResult> {
    const t0 = performance.now();
    const prev = this.applied;
    const partial = prev !== undefined && state.changed !== undefined;
    const keys = new Set<ServicePortKey>(partial ? state.changed : [...state.services.keys(), ...(prev?.services.keys() ?? [])]);
    const services = new Map<ServicePortKey, IptServiceRules>(partial ? prev.services : []);
    for (const key of partial ? keys : state.services.keys()) {
      const s = state.services.get(key);
      if (s) services.set(key, buildIptablesServiceRules(s, this.opts));
      else services.delete(key);
    }
    const sorted = new Map([...services].sort(([a], [b]) => cmp(a, b)));
    const next: IptablesRuleset = { ...buildIptablesFixed(state, this.opts), services: sorted };
    for (const key of keys) {
      // The default scheduler's fallback was logged once at startup; here only what a Service asked for.
      const r = services.get(key);
      if (r?.scheduling.unavailable !== undefined && state.services.get(key)?.info.scheduler !== undefined) {
        this.warnOnce(`sched|${key}|${r.scheduling.label}`, `service ${key}: scheduler ${r.scheduling.label}`);
      }
    }

    let input: string;
    let error: string | undefined;
    try {
      const variant = await this.chooseVariant();
      if (partial) {
        const stale = new Set<string>();
        for (const key of keys) {
          const had = prev.services.get(key);
          const now = services.get(key);
          for (const c of had?.chains.keys() ?? []) if (!now?.chains.has(c)) stale.add(c);
        }
        // A chain can move between ports only if two ports hash alike; never delete one that is still wanted.
        for (const key of keys) for (const c of services.get(key)?.chains.keys() ?? []) stale.delete(c);
        const scope = new Set([...keys].filter((k) => services.has(k)));
        input = renderIptablesRestore(next, { services: scope, stale: { nat: [...stale] } });
      } else {
        const save = await this.run([this.tool(variant, 'save')]);
        const existing = parseSave(save);
        const wanted = new Set<string>();
        for (const s of services.values()) for (const c of s.chains.keys()) wanted.add(c);
        const stale: Partial<Record<IptTable, string[]>> = {};
        for (const t of IPT_TABLES) stale[t] = [...existing.chains[t]].filter((c) => isServiceChainName(c) && !wanted.has(c) && !TOP_LEVEL_CHAINS[t].includes(c));
        const jumps = JUMP_RULES.filter((j) => !existing.jumps.has(jumpId(j)));
        input = renderIptablesRestore(next, { stale, jumps });
      }
      const t1 = performance.now();
      const argv = [this.tool(variant, 'restore'), '--noflush', ...(variant === 'legacy' ? ['-w', '5'] : [])];
      const r = await this.runner.run(argv, { input, timeoutMs: 300_000 });
      if (r.code !== 0) error = describeFailure(argv, r);
      if (error === undefined) {
        this.applied = next;
        this.recordStats(partial ? 'partial' : 'full', next, keys, input, t0, t1, 0);
      } else this.recordStats('failed', next, keys, input, t0, t1, 0);
    } catch (e) {
      error = (e as Error).message;
      input = '';
    }
    if (error !== undefined) {
      // The kernel state is unknown now: the next sync is a full one.
      this.applied = undefined;
      this.opts.log?.error(`iptables sync failed: ${error}`);
      const failures: SyncFailure[] = [...keys].map((k) => failureFor(k, state.services.get(k) ?? this.states.get(k), error ?? ''));
      if (failures.length === 0) failures.push({ service: '', protocol: 'TCP', address: '', port: 0, error });
      return { ok: false, failures };
    }

    const changes = [...keys].map((k) => ({ previous: this.states.get(k), current: state.services.get(k) }));
    for (const k of keys) {
      const s = state.services.get(k);
      if (s) this.states.set(k, s);
      else this.states.delete(k);
    }
    if (!partial) for (const k of [...this.states.keys()]) if (!state.services.has(k)) this.states.delete(k);
    this.lastState = state;
    if (this.opts.conntrackCleanup ?? true) {
      const plan = planConntrackCleanup(
        changes.map((c) => ({ ...(c.previous ? { previous: c.previous } : {}), ...(c.current ? { current: c.current } : {}) })),
        state,
      );
      if (plan.length > 0) await runConntrackCleanup(this.runner, plan, this.opts.log);
      if (this.lastSyncStats) this.lastSyncStats = { ...this.lastSyncStats, conntrackDeletions: plan.length };
    }
    return { ok: true };
  }

  status(): VirtualServiceStatus[] {
    const labels = new Map([...(this.applied?.services ?? [])].map(([k, r]) => [k, r.scheduling.label]));
    return kernelStatus(this.lastState, (info) => labels.get(info.key) ?? 'random');
  }

  /** Removes the jump rules and every chain of ours (top-level and per Service). */
  async close(): Promise<void> {
    this.applied = undefined;
    this.lastState = undefined;
    this.states.clear();
    let variant: IptablesVariant;
    try {
      variant = await this.chooseVariant();
      const existing = parseSave(await this.run([this.tool(variant, 'save')]));
      const out: string[] = [];
      for (const t of IPT_TABLES) {
        const ours = [...existing.chains[t]].filter((c) => isServiceChainName(c) || TOP_LEVEL_CHAINS[t].includes(c)).sort(cmp);
        out.push(`*${t}`);
        for (const c of ours) out.push(`:${c} - [0:0]`);
        for (const j of JUMP_RULES) if (j.table === t && existing.jumps.has(jumpId(j))) out.push(`-D ${j.chain} ${jumpRuleArgs(j)}`);
        for (const c of ours) out.push(`-X ${c}`);
        out.push('COMMIT');
      }
      const argv = [this.tool(variant, 'restore'), '--noflush', ...(variant === 'legacy' ? ['-w', '5'] : [])];
      const r = await this.runner.run(argv, { input: `${out.join('\n')}\n` });
      if (r.code !== 0) this.opts.log?.warn(describeFailure(argv, r));
    } catch (e) {
      this.opts.log?.warn(`iptables cleanup: ${(e as Error).message}`);
    }
  }

  private tool(variant: IptablesVariant, what: 'save' | 'restore'): string {
    return `iptables-${variant}-${what}`;
  }

  private async run(argv: string[]): Promise<string> {
    const r = await this.runner.run(argv, { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(describeFailure(argv, r));
    return r.stdout;
  }

  private async chooseVariant(): Promise<IptablesVariant> {
    if (this.variant) return this.variant;
    let v: IptablesVariant = 'nft';
    if (findExecutable('iptables-legacy-restore') !== undefined) {
      // Our chains already in the nft variant (another proxy run chose it): keep using it, never mix.
      const r = await this.runner.run(['iptables-nft-save', '-t', 'nat']).catch(() => undefined);
      v = r && r.code === 0 && /^:KUBE-SERVICES /m.test(r.stdout) ? 'nft' : 'legacy';
    }
    this.variant = v;
    this.opts.log?.info(`iptables mode uses iptables-${v}`);
    return v;
  }

  private recordStats(kind: IptSyncStats['kind'], rs: IptablesRuleset, keys: ReadonlySet<string>, input: string, t0: number, t1: number, conntrack: number): void {
    let lines = 0;
    for (let i = 0; i < input.length; i++) if (input.charCodeAt(i) === 10) lines++;
    this.lastSyncStats = {
      kind,
      servicePorts: rs.services.size,
      touched: keys.size,
      restoreLines: lines,
      restoreBytes: input.length,
      buildMs: t1 - t0,
      applyMs: performance.now() - t1,
      conntrackDeletions: conntrack,
    };
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
