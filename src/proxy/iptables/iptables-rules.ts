/**
 * Pure planning for the iptables mode: ProxyState → iptables-restore input in
 * the classic kube-proxy layout (pkg/proxy/iptables/proxier.go):
 *
 * nat:    PREROUTING/OUTPUT → KUBE-SERVICES → KUBE-SVC-* (Cluster policy) /
 *         KUBE-SVL-* (Local policy) / KUBE-EXT-* (NodePort, external, LB IPs) /
 *         KUBE-FW-* (loadBalancerSourceRanges) → KUBE-SEP-* (DNAT);
 *         the last KUBE-SERVICES rule sends local destinations to KUBE-NODEPORTS;
 *         KUBE-MARK-MASQ marks, POSTROUTING → KUBE-POSTROUTING masquerades.
 * filter: KUBE-SERVICES rejects cluster IPs without endpoints,
 *         KUBE-EXTERNAL-SERVICES rejects/drops external destinations without
 *         (local) endpoints, KUBE-NODEPORTS accepts health-check node ports,
 *         KUBE-PROXY-FIREWALL drops LB traffic not let through by KUBE-FW-*,
 *         KUBE-FORWARD accepts marked and established traffic.
 *
 * Load balancing is `-m statistic --mode random --probability 1/(n-i)` over
 * the endpoints in order (the last one takes the rest); source hashing (`sh`)
 * is the `cluster` match, a jhash of the source address into n buckets;
 * ClientIP affinity is `-m recent --rcheck --seconds N --reap` per endpoint.
 */
import { isIPv4 } from 'node:net';
import type { ProxyState, ServicePortState } from '../dataplane.js';
import { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from '../change-tracker/service-port.js';
import { memoize, sha256Base32 } from '../kernel/chain-hash.js';
import { type KernelScheduling, kernelScheduling } from '../kernel/kernel-scheduling.js';
import { type EndpointInfo, type ServicePortInfo, type ServicePortKey, endpointString } from '../types.js';

export type IptTable = 'filter' | 'nat';
export const IPT_TABLES: readonly IptTable[] = ['filter', 'nat'];

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';

export const SVC_PREFIX = 'KUBE-SVC-';
export const SVL_PREFIX = 'KUBE-SVL-';
export const EXT_PREFIX = 'KUBE-EXT-';
export const FW_PREFIX = 'KUBE-FW-';
export const SEP_PREFIX = 'KUBE-SEP-';
const SERVICE_CHAIN_PREFIXES = [SVC_PREFIX, SVL_PREFIX, EXT_PREFIX, FW_PREFIX, SEP_PREFIX];

/** Top-level chains this mode owns, per table, in the order they are written. */
export const TOP_LEVEL_CHAINS: Readonly<Record<IptTable, readonly string[]>> = {
  filter: [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL],
  nat: [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ],
};

export const BUILTIN_CHAINS: Readonly<Record<IptTable, readonly string[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

export const DEFAULT_MASQUERADE_MARK = 0x4000;

/** A rule in a built-in chain that leads into ours (ensured, never rewritten). */
export interface JumpRule {
  readonly table: IptTable;
  readonly chain: string;
  readonly target: string;
  readonly comment: string;
  readonly newOnly: boolean;
}

/** Upstream iptablesJumpChains. */
export const JUMP_RULES: readonly JumpRule[] = [
  { table: 'filter', chain: 'INPUT', target: KUBE_EXTERNAL_SERVICES, comment: 'kubernetes externally-visible service portals', newOnly: true },
  { table: 'filter', chain: 'FORWARD', target: KUBE_EXTERNAL_SERVICES, comment: 'kubernetes externally-visible service portals', newOnly: true },
  { table: 'filter', chain: 'INPUT', target: KUBE_NODEPORTS, comment: 'kubernetes health check service ports', newOnly: false },
  { table: 'filter', chain: 'FORWARD', target: KUBE_SERVICES, comment: 'kubernetes service portals', newOnly: true },
  { table: 'filter', chain: 'OUTPUT', target: KUBE_SERVICES, comment: 'kubernetes service portals', newOnly: true },
  { table: 'filter', chain: 'FORWARD', target: KUBE_FORWARD, comment: 'kubernetes forwarding rules', newOnly: false },
  { table: 'filter', chain: 'INPUT', target: KUBE_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', newOnly: true },
  { table: 'filter', chain: 'FORWARD', target: KUBE_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', newOnly: true },
  { table: 'filter', chain: 'OUTPUT', target: KUBE_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', newOnly: true },
  { table: 'nat', chain: 'OUTPUT', target: KUBE_SERVICES, comment: 'kubernetes service portals', newOnly: false },
  { table: 'nat', chain: 'PREROUTING', target: KUBE_SERVICES, comment: 'kubernetes service portals', newOnly: false },
  { table: 'nat', chain: 'POSTROUTING', target: KUBE_POSTROUTING, comment: 'kubernetes postrouting rules', newOnly: false },
];

/** The rule text (after `-A CHAIN`) of a jump rule. */
export function jumpRuleArgs(j: JumpRule): string {
  return `${j.newOnly ? '-m conntrack --ctstate NEW ' : ''}-m comment --comment ${quote(j.comment)} -j ${j.target}`;
}

export interface IptablesBuildOptions {
  /** Pod network (kube-proxy --cluster-cidr): cluster-IP traffic from outside it is masqueraded. */
  readonly clusterCIDR?: string;
  readonly masqueradeAll?: boolean;
  /** true (default): NodePorts on every local address except 127.0.0.0/8; false: only `state.nodePortAddresses`. */
  readonly nodePortsOnAllLocalAddresses?: boolean;
  readonly defaultScheduler?: string;
  readonly masqueradeMark?: number;
}

/** One rule a Service port adds to a shared top-level chain. */
export interface TopLevelRule {
  readonly table: IptTable;
  readonly chain: string;
  readonly rule: string;
}

/** The rules of one Service port. */
export interface IptServiceRules {
  readonly key: ServicePortKey;
  readonly topLevel: readonly TopLevelRule[];
  /** Its own nat chains (KUBE-SVC/SVL/EXT/FW/SEP) → rules. */
  readonly chains: ReadonlyMap<string, readonly string[]>;
  readonly scheduling: KernelScheduling;
}

export interface IptablesRuleset {
  /** Fixed rules of the top-level chains (before / after the Service ports' rules). */
  readonly head: Readonly<Record<IptTable, ReadonlyMap<string, readonly string[]>>>;
  readonly tail: Readonly<Record<IptTable, ReadonlyMap<string, readonly string[]>>>;
  readonly services: ReadonlyMap<ServicePortKey, IptServiceRules>;
}

/** An argument quoted the way iptables-save prints it (only when it needs quotes). */
export function quote(s: string): string {
  return /^[A-Za-z0-9_./:=,+-]+$/.test(s) ? s : `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `ns/name:port` (upstream ServicePortName.String(); no `:port` for an unnamed port). */
export function servicePortNameString(info: Pick<ServicePortInfo, 'namespace' | 'name' | 'portName'>): string {
  return `${info.namespace}/${info.name}${info.portName ? `:${info.portName}` : ''}`;
}

/** Upstream portProtoHash: 16 base32 characters of sha256(servicePortName + protocol). */
export const portProtoHash = (servicePortName: string, protocol: string): string => hash16(servicePortName + protocol);
const hash16 = memoize((s) => sha256Base32(s, 16));

export const servicePortChainName = (spn: string, proto: string): string => SVC_PREFIX + portProtoHash(spn, proto);
export const servicePortLocalChainName = (spn: string, proto: string): string => SVL_PREFIX + portProtoHash(spn, proto);
export const serviceExternalChainName = (spn: string, proto: string): string => EXT_PREFIX + portProtoHash(spn, proto);
export const serviceFirewallChainName = (spn: string, proto: string): string => FW_PREFIX + portProtoHash(spn, proto);
/** Upstream servicePortEndpointChainName: sha256(servicePortName + protocol + "ip:port"). */
export const servicePortEndpointChainName = (spn: string, proto: string, endpoint: string): string => SEP_PREFIX + hash16(spn + proto + endpoint);

export function isServiceChainName(name: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * Upstream computeProbability: `%0.10f` of 1/n. Go rounds an exact tie (1/n for
 * n a large power of two) to even; toFixed rounds it up, so ties are fixed here.
 */
export function computeProbability(n: number): string {
  const scaled = 1e10 / n;
  if (!Number.isInteger(scaled) && Number.isInteger(scaled * 2)) {
    const down = Math.floor(scaled);
    const even = down % 2 === 0 ? down : down + 1;
    return (even / 1e10).toFixed(10);
  }
  return (1 / n).toFixed(10);
}

const mark = (o: IptablesBuildOptions): string => `0x${(o.masqueradeMark ?? DEFAULT_MASQUERADE_MARK).toString(16)}`;

/** The fixed parts of the top-level chains. */
export function buildIptablesFixed(state: Pick<ProxyState, 'nodePortAddresses'>, o: IptablesBuildOptions = {}): Pick<IptablesRuleset, 'head' | 'tail'> {
  const m = mark(o);
  const nodePortsComment = quote('kubernetes service nodeports; NOTE: this must be the last rule in this chain');
  const nodePorts: string[] = [];
  if (o.nodePortsOnAllLocalAddresses ?? true) {
    // Localhost NodePorts would need route_localnet; they are not served.
    nodePorts.push(`-m comment --comment ${nodePortsComment} -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j ${KUBE_NODEPORTS}`);
  } else {
    for (const ip of [...new Set(state.nodePortAddresses)].sort()) {
      if (isIPv4(ip) && !ip.startsWith('127.')) nodePorts.push(`-m comment --comment ${nodePortsComment} -d ${ip} -j ${KUBE_NODEPORTS}`);
    }
  }
  return {
    head: {
      filter: new Map([
        [
          KUBE_FORWARD,
          [
            '-m conntrack --ctstate INVALID -j DROP',
            `-m comment --comment ${quote('kubernetes forwarding rules')} -m mark --mark ${m}/${m} -j ACCEPT`,
            `-m comment --comment ${quote('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
          ],
        ],
      ]),
      nat: new Map([
        [
          KUBE_POSTROUTING,
          [`-m mark ! --mark ${m}/${m} -j RETURN`, `-j MARK --xor-mark ${m}`, `-m comment --comment ${quote('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`],
        ],
        [KUBE_MARK_MASQ, [`-j MARK --or-mark ${m}`]],
      ]),
    },
    tail: { filter: new Map(), nat: new Map([[KUBE_SERVICES, nodePorts]]) },
  };
}

/** The rules of one Service port (pure). */
export function buildIptablesServiceRules(s: ServicePortState, o: IptablesBuildOptions = {}): IptServiceRules {
  const { info } = s;
  const proto = info.protocol.toLowerCase();
  const spn = servicePortNameString(info);
  const clusterChain = servicePortChainName(spn, proto);
  const localChain = servicePortLocalChainName(spn, proto);
  const externalChain = serviceExternalChainName(spn, proto);
  const fwChain = serviceFirewallChainName(spn, proto);
  const sepOf = new Map<EndpointInfo, string>();
  const sep = (ep: EndpointInfo): string => {
    let n = sepOf.get(ep);
    if (n === undefined) sepOf.set(ep, (n = servicePortEndpointChainName(spn, proto, endpointString(ep))));
    return n;
  };
  const affinity = info.sessionAffinity.type === 'ClientIP' ? info.sessionAffinity.timeoutSeconds : undefined;

  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints } = s.categorized;
  const scheduling = kernelScheduling(info, 'iptables', o.defaultScheduler, Math.max(clusterEndpoints.length, localEndpoints.length));
  const usesClusterChain = clusterEndpoints.length > 0 && usesClusterEndpoints(info);
  const usesLocalChain = localEndpoints.length > 0 && usesLocalEndpoints(info);
  const internalChain = info.internalPolicyLocal ? localChain : clusterChain;
  const hasInternal = hasAnyEndpoints && !(info.internalPolicyLocal && localEndpoints.length === 0);
  const externalPolicyChain = info.externalPolicyLocal ? localChain : clusterChain;
  const hasExternal = hasAnyEndpoints && !(info.externalPolicyLocal && localEndpoints.length === 0);
  const usesExternalChain = hasAnyEndpoints && externallyAccessible(info);
  const usesFirewall = hasAnyEndpoints && info.loadBalancerIPs.length > 0 && info.loadBalancerSourceRanges.length > 0;
  const lbChain = usesFirewall ? fwChain : externalChain;

  let internalTarget = '';
  let internalComment = '';
  let externalTarget = '';
  let externalComment = '';
  if (!hasAnyEndpoints) {
    internalTarget = externalTarget = 'REJECT';
    internalComment = externalComment = quote(`${spn} has no endpoints`);
  } else {
    if (!hasInternal) {
      internalTarget = 'DROP';
      internalComment = quote(`${spn} has no local endpoints`);
    }
    if (!hasExternal) {
      externalTarget = 'DROP';
      externalComment = quote(`${spn} has no local endpoints`);
    }
  }

  const top: TopLevelRule[] = [];
  const chains = new Map<string, string[]>();
  const chain = (name: string): string[] => {
    let rules = chains.get(name);
    if (!rules) chains.set(name, (rules = []));
    return rules;
  };
  const match = (ip: string, port: number): string => `-m ${proto} -p ${proto} -d ${ip} --dport ${port}`;
  const v4 = (ips: readonly string[]): string[] => ips.filter((ip) => isIPv4(ip));

  for (const ip of v4(info.clusterIPs)) {
    if (hasInternal) top.push({ table: 'nat', chain: KUBE_SERVICES, rule: `-m comment --comment ${quote(`${spn} cluster IP`)} ${match(ip, info.port)} -j ${internalChain}` });
    else top.push({ table: 'filter', chain: KUBE_SERVICES, rule: `-m comment --comment ${internalComment} ${match(ip, info.port)} -j ${internalTarget}` });
  }
  for (const ip of v4(info.externalIPs)) {
    if (hasAnyEndpoints) top.push({ table: 'nat', chain: KUBE_SERVICES, rule: `-m comment --comment ${quote(`${spn} external IP`)} ${match(ip, info.port)} -j ${externalChain}` });
    if (!hasExternal) top.push({ table: 'filter', chain: KUBE_EXTERNAL_SERVICES, rule: `-m comment --comment ${externalComment} ${match(ip, info.port)} -j ${externalTarget}` });
  }
  for (const ip of v4(info.loadBalancerIPs)) {
    if (hasAnyEndpoints) top.push({ table: 'nat', chain: KUBE_SERVICES, rule: `-m comment --comment ${quote(`${spn} loadbalancer IP`)} ${match(ip, info.port)} -j ${lbChain}` });
    if (usesFirewall) {
      top.push({ table: 'filter', chain: KUBE_PROXY_FIREWALL, rule: `-m comment --comment ${quote(`${spn} traffic not accepted by ${fwChain}`)} ${match(ip, info.port)} -j DROP` });
    }
  }
  if (!hasExternal) {
    for (const ip of v4(info.loadBalancerIPs)) top.push({ table: 'filter', chain: KUBE_EXTERNAL_SERVICES, rule: `-m comment --comment ${externalComment} ${match(ip, info.port)} -j ${externalTarget}` });
  }
  if (info.nodePort > 0) {
    if (hasAnyEndpoints) top.push({ table: 'nat', chain: KUBE_NODEPORTS, rule: `-m comment --comment ${quote(spn)} -m ${proto} -p ${proto} --dport ${info.nodePort} -j ${externalChain}` });
    if (!hasExternal) {
      top.push({
        table: 'filter',
        chain: KUBE_EXTERNAL_SERVICES,
        rule: `-m comment --comment ${externalComment} -m addrtype --dst-type LOCAL -m ${proto} -p ${proto} --dport ${info.nodePort} -j ${externalTarget}`,
      });
    }
  }
  if (info.healthCheckNodePort > 0) {
    top.push({ table: 'filter', chain: KUBE_NODEPORTS, rule: `-m comment --comment ${quote(`${spn} health check node port`)} -m tcp -p tcp --dport ${info.healthCheckNodePort} -j ACCEPT` });
  }

  if (hasInternal && (o.masqueradeAll || o.clusterCIDR)) {
    for (const ip of v4(info.clusterIPs)) {
      const from = o.masqueradeAll ? '' : ` ! -s ${o.clusterCIDR}`;
      chain(internalChain).push(`-m comment --comment ${quote(`${spn} cluster IP`)} ${match(ip, info.port)}${from} -j ${KUBE_MARK_MASQ}`);
    }
  }

  if (usesExternalChain) {
    const ext = chain(externalChain);
    if (!info.externalPolicyLocal) {
      ext.push(`-m comment --comment ${quote(`masquerade traffic for ${spn} external destinations`)} -j ${KUBE_MARK_MASQ}`);
    } else {
      if (o.clusterCIDR && usesClusterChain) ext.push(`-m comment --comment ${quote(`pod traffic for ${spn} external destinations`)} -s ${o.clusterCIDR} -j ${clusterChain}`);
      ext.push(`-m comment --comment ${quote(`masquerade LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j ${KUBE_MARK_MASQ}`);
      if (usesClusterChain) ext.push(`-m comment --comment ${quote(`route LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j ${clusterChain}`);
    }
    if (hasExternal) ext.push(`-j ${externalPolicyChain}`);
  }

  if (usesFirewall) {
    const fw = chain(fwChain);
    for (const cidr of info.loadBalancerSourceRanges) fw.push(`-m comment --comment ${quote(`${spn} loadbalancer IP`)} -s ${cidr} -j ${externalChain}`);
    // What falls off the end was not DNATed; KUBE-PROXY-FIREWALL drops it in the filter table.
    fw.push(`-m comment --comment ${quote(`other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL`)}`);
  }

  const toEndpoints = (name: string, eps: readonly EndpointInfo[]): void => {
    const rules = chain(name);
    if (affinity !== undefined) {
      for (const ep of eps) {
        rules.push(`-m comment --comment ${quote(`${spn} -> ${endpointString(ep)}`)} -m recent --name ${sep(ep)} --rcheck --seconds ${affinity} --reap -j ${sep(ep)}`);
      }
    }
    const n = eps.length;
    eps.forEach((ep, i) => {
      // The last endpoint takes whatever the others did not (for sh exactly one bucket matches, so this is the same).
      let pick = '';
      if (i < n - 1) {
        pick =
          scheduling.algorithm === 'sh'
            ? ` -m cluster --cluster-total-nodes ${n} --cluster-local-node ${i + 1} --cluster-hash-seed 0`
            : ` -m statistic --mode random --probability ${computeProbability(n - i)}`;
      }
      rules.push(`-m comment --comment ${quote(`${spn} -> ${endpointString(ep)}`)}${pick} -j ${sep(ep)}`);
    });
  };
  if (usesClusterChain) toEndpoints(clusterChain, clusterEndpoints);
  if (usesLocalChain) toEndpoints(localChain, localEndpoints);

  for (const ep of allReachableEndpoints) {
    const rules = chain(sep(ep));
    rules.push(`-m comment --comment ${quote(spn)} -s ${ep.ip} -j ${KUBE_MARK_MASQ}`);
    const recent = affinity !== undefined ? ` -m recent --name ${sep(ep)} --set` : '';
    rules.push(`-m comment --comment ${quote(spn)}${recent} -m ${proto} -p ${proto} -j DNAT --to-destination ${endpointString(ep)}`);
  }

  return { key: info.key, topLevel: top, chains, scheduling };
}

/** The whole ruleset for `state` (pure). */
export function buildIptablesRules(state: ProxyState, o: IptablesBuildOptions = {}): IptablesRuleset {
  const services = new Map<ServicePortKey, IptServiceRules>();
  for (const key of [...state.services.keys()].sort()) {
    const s = state.services.get(key);
    if (s) services.set(key, buildIptablesServiceRules(s, o));
  }
  return { ...buildIptablesFixed(state, o), services };
}

/** Rules of every top-level chain, assembled in order: fixed head, Service ports sorted by key, fixed tail. */
export function topLevelRules(rs: IptablesRuleset): Record<IptTable, Map<string, string[]>> {
  const out: Record<IptTable, Map<string, string[]>> = { filter: new Map(), nat: new Map() };
  for (const t of IPT_TABLES) for (const c of TOP_LEVEL_CHAINS[t]) out[t].set(c, [...(rs.head[t].get(c) ?? [])]);
  const keys = [...rs.services.keys()].sort();
  for (const k of keys) for (const r of rs.services.get(k)?.topLevel ?? []) out[r.table].get(r.chain)?.push(r.rule);
  for (const t of IPT_TABLES) for (const [c, rules] of rs.tail[t]) out[t].get(c)?.push(...rules);
  return out;
}

export interface RestoreScope {
  /** Service ports whose own chains are written; undefined = all. */
  readonly services?: ReadonlySet<ServicePortKey>;
  /** Chains to delete (flushed and removed), per table. */
  readonly stale?: Readonly<Partial<Record<IptTable, readonly string[]>>>;
  /** Jump rules to insert into built-in chains. */
  readonly jumps?: readonly JumpRule[];
}

/**
 * iptables-restore input (to be used with --noflush): every top-level chain
 * is rewritten (its `:CHAIN - [0:0]` line flushes it), plus the chains of the
 * Service ports in scope; chains of other ports are left as they are.
 */
export function renderIptablesRestore(rs: IptablesRuleset, scope: RestoreScope = {}): string {
  const top = topLevelRules(rs);
  const out: string[] = [];
  for (const t of IPT_TABLES) {
    out.push(`*${t}`);
    const declared: string[] = [...TOP_LEVEL_CHAINS[t]];
    const bodies: string[] = [];
    if (t === 'nat') {
      const keys = scope.services ? [...scope.services].sort() : [...rs.services.keys()];
      const own: [string, readonly string[]][] = [];
      for (const k of keys) for (const e of rs.services.get(k)?.chains ?? []) own.push(e);
      own.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [name] of own) declared.push(name);
      for (const [name, rules] of own) for (const r of rules) bodies.push(`-A ${name} ${r}`);
    }
    const stale = [...(scope.stale?.[t] ?? [])].sort();
    declared.push(...stale);
    for (const c of declared) out.push(`:${c} - [0:0]`);
    // Inserted at position 1 in reverse, so they end up in JUMP_RULES order.
    for (const j of [...(scope.jumps ?? [])].filter((x) => x.table === t).reverse()) out.push(`-I ${j.chain} 1 ${jumpRuleArgs(j)}`);
    for (const c of TOP_LEVEL_CHAINS[t]) for (const r of top[t].get(c) ?? []) out.push(`-A ${c} ${r}`);
    for (const b of bodies) out.push(b);
    for (const c of stale) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}

/**
 * The canonical dump (golden files, fake-kernel comparisons): per table the
 * chains we own (top-level, then the rest sorted), the jump rules in built-in
 * chains, then every rule, chain by chain.
 */
export function renderIptablesDump(rs: IptablesRuleset): string {
  const top = topLevelRules(rs);
  const out: string[] = [];
  for (const t of IPT_TABLES) {
    out.push(`*${t}`);
    const own = new Map<string, readonly string[]>();
    if (t === 'nat') for (const s of rs.services.values()) for (const [c, rules] of s.chains) own.set(c, rules);
    const names = [...own.keys()].sort();
    for (const c of [...TOP_LEVEL_CHAINS[t], ...names]) out.push(`:${c} - [0:0]`);
    for (const b of BUILTIN_CHAINS[t]) for (const j of JUMP_RULES) if (j.table === t && j.chain === b) out.push(`-A ${b} ${jumpRuleArgs(j)}`);
    for (const c of TOP_LEVEL_CHAINS[t]) for (const r of top[t].get(c) ?? []) out.push(`-A ${c} ${r}`);
    for (const c of names) for (const r of own.get(c) ?? []) out.push(`-A ${c} ${r}`);
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}
