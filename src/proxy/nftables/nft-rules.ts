/**
 * Pure planning for the nftables mode: ProxyState → the rules of one table,
 * `ip kube-proxy`, laid out after upstream kube-proxy's nftables proxier
 * (pkg/proxy/nftables/proxier.go):
 *
 * - base chains `filter-{prerouting,input,forward,output}` (before DNAT) and
 *   `nat-{prerouting,output,postrouting}`;
 * - `services` dispatches with the verdict map `service-ips`
 *   (`ip daddr . meta l4proto . th dport`) and, for local destinations,
 *   `service-nodeports` (`meta l4proto . th dport`);
 * - per Service port: `service-HASH-ns/name/proto/port` (Cluster policy),
 *   `local-...` (Local policy), `external-...` (NodePort / external / LB IPs),
 *   `firewall-...` (loadBalancerSourceRanges);
 * - the endpoint is picked in the Service chain by one rule,
 *   `dnat to numgen random mod N offset O map @endpoint-slots-PROTO-P` (or
 *   `jhash ip saddr` for `sh`), from slots of shared named maps
 *   (endpoint-slots.ts explains why). Unlike upstream there are no
 *   per-endpoint chains, except for `sessionAffinity: ClientIP` Services,
 *   which need one per endpoint to update its `affinity-*` set;
 * - hairpin (a pod reaching itself through a Service): the set
 *   `hairpin-endpoints` holds `ip . ip` for every endpoint, and postrouting
 *   masquerades DNATed packets with `ip saddr . ip daddr` in it (after DNAT
 *   the destination is the endpoint);
 * - Services without endpoints are rejected at once from the filter hooks
 *   through `no-endpoint-services` / `no-endpoint-nodeports`;
 * - masquerading: `mark-for-masquerade` sets a mark, `masquerading` (postrouting)
 *   masquerades marked packets.
 *
 * Why the layout differs from upstream (nft 1.0.6, measured at 10,000 Services /
 * 100,000 endpoints): every `nft` run that adds a rule or element or deletes
 * anything first dumps all chains of the namespace (the kernel's dump restarts
 * its walk per batch, ~1.5 s at 110,000 chains, 20 ms at 10,000), and a
 * transaction that adds a rule with `dnat`/`goto` makes the kernel revalidate
 * every chain reachable from the base chains (~200 ms at 110,000 chains).
 *
 * The ruleset is kept per Service port so that a sync can rebuild and diff
 * only the ports that changed (nft-transaction.ts).
 */
import { isIPv4 } from 'node:net';
import type { ProxyState, ServicePortState } from '../dataplane.js';
import { externallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from '../change-tracker/service-port.js';
import { memoize, sha256Base32 } from '../kernel/chain-hash.js';
import { type KernelScheduling, kernelScheduling } from '../kernel/kernel-scheduling.js';
import type { EndpointInfo, ServicePortInfo, ServicePortKey } from '../types.js';
import { EndpointSlots, SLOTS_PER_OWNER } from './endpoint-slots.js';

export const NFT_FAMILY = 'ip';
export const NFT_TABLE = 'kube-proxy';
export const TABLE_COMMENT = 'rules for kube-proxy';

// Top-level chains, maps and sets (upstream names).
export const SERVICES_CHAIN = 'services';
export const SERVICE_IPS_MAP = 'service-ips';
export const SERVICE_NODEPORTS_MAP = 'service-nodeports';
export const NODEPORT_IPS_SET = 'nodeport-ips';
export const ENDPOINTS_CHECK_CHAIN = 'endpoints-check';
export const NO_ENDPOINT_SERVICES_MAP = 'no-endpoint-services';
export const NO_ENDPOINT_NODEPORTS_MAP = 'no-endpoint-nodeports';
export const REJECT_CHAIN = 'reject-chain';
export const FIREWALL_IPS_MAP = 'firewall-ips';
export const FIREWALL_CHECK_CHAIN = 'firewall-check';
export const MARK_MASQ_CHAIN = 'mark-for-masquerade';
export const MASQUERADING_CHAIN = 'masquerading';
export const HAIRPIN_SET = 'hairpin-endpoints';

// Per-Service-port prefixes.
export const CLUSTER_CHAIN_PREFIX = 'service-';
export const LOCAL_CHAIN_PREFIX = 'local-';
export const EXTERNAL_CHAIN_PREFIX = 'external-';
export const FIREWALL_CHAIN_PREFIX = 'firewall-';
export const ENDPOINT_CHAIN_PREFIX = 'endpoint-';
export const AFFINITY_SET_PREFIX = 'affinity-';

/** Upstream's masquerade bit 14. */
export const DEFAULT_MASQUERADE_MARK = 0x4000;

/** nft 1.0.6 rejects `priority dstnat` on the output hook, so every priority is numeric. */
const DSTNAT = -100;
const SRCNAT = 100;
const FILTER_BEFORE_DNAT = DSTNAT - 10;

/** Longest chain name nft accepts (knftables NameLengthMax) minus the longest prefix we add. */
const CHAIN_NAME_BASE_MAX = 256 - 16;

export interface NftBuildOptions {
  /** Pod network (kube-proxy --cluster-cidr): cluster-IP traffic from outside it is masqueraded. */
  readonly clusterCIDR?: string;
  /** Masquerade all cluster-IP traffic (kube-proxy --masquerade-all). */
  readonly masqueradeAll?: boolean;
  /**
   * true (default, as upstream without --nodeport-addresses): NodePorts on every
   * local address (`fib daddr type local`, except 127.0.0.0/8). false: only on
   * `state.nodePortAddresses` (the `nodeport-ips` set).
   */
  readonly nodePortsOnAllLocalAddresses?: boolean;
  /** Scheduler for Services without the annotation (random when unset). */
  readonly defaultScheduler?: string;
  readonly masqueradeMark?: number;
}

/** A map or set element; `value` is undefined for set elements. */
export interface NftElement {
  readonly map: string;
  readonly key: string;
  readonly value?: string;
}

export interface NftChain {
  /** `type nat hook output priority -100 ;` for base chains. */
  readonly hook?: string;
  readonly rules: readonly string[];
}

/** The rules of one Service port. */
export interface NftServiceRules {
  readonly key: ServicePortKey;
  readonly chains: ReadonlyMap<string, NftChain>;
  /** Affinity sets: name → declaration body. */
  readonly sets: ReadonlyMap<string, string>;
  readonly elements: readonly NftElement[];
  readonly scheduling: KernelScheduling;
}

/** Everything not specific to a Service port. */
export interface NftBaseRules {
  readonly chains: ReadonlyMap<string, NftChain>;
  /** Maps and sets: name → declaration body (`type ... ;`). */
  readonly maps: ReadonlyMap<string, string>;
  readonly sets: ReadonlyMap<string, string>;
  readonly elements: readonly NftElement[];
}

export interface NftRuleset {
  readonly base: NftBaseRules;
  readonly services: ReadonlyMap<ServicePortKey, NftServiceRules>;
}

const mark = (o: NftBuildOptions): string => `0x${(o.masqueradeMark ?? DEFAULT_MASQUERADE_MARK).toString(16)}`;

/** Upstream hashAndTruncate: 8 base32 characters of sha256(name), a dash, the name (cut to fit). */
export const hashAndTruncate: (name: string) => string = memoize((name) => {
  const out = `${sha256Base32(name, 8)}-${name}`;
  return out.length > CHAIN_NAME_BASE_MAX ? `${out.slice(0, CHAIN_NAME_BASE_MAX - 3)}...` : out;
});

/** `HASH-ns/name/proto/portName` (upstream servicePortChainNameBase). */
export function servicePortChainNameBase(info: Pick<ServicePortInfo, 'namespace' | 'name' | 'protocol' | 'portName'>): string {
  return hashAndTruncate(`${info.namespace}/${info.name}/${info.protocol.toLowerCase()}/${info.portName}`);
}

/** `HASH-ns/name/proto/portName__ip/port` (upstream servicePortEndpointChainNameBase). */
export function servicePortEndpointChainNameBase(info: Pick<ServicePortInfo, 'namespace' | 'name' | 'protocol' | 'portName'>, ep: Pick<EndpointInfo, 'ip' | 'port'>): string {
  return hashAndTruncate(`${info.namespace}/${info.name}/${info.protocol.toLowerCase()}/${info.portName}__${ep.ip.replaceAll(':', '.')}/${ep.port}`);
}

/**
 * The parts of the ruleset that do not depend on one Service port. `slotMaps`
 * (EndpointSlots.maps()) are the endpoint maps the Service ports use.
 */
export function buildNftBase(state: Pick<ProxyState, 'nodePortAddresses'>, o: NftBuildOptions = {}, slotMaps: ReadonlyMap<string, string> = new Map()): NftBaseRules {
  const allLocal = o.nodePortsOnAllLocalAddresses ?? true;
  const m = mark(o);
  const chains = new Map<string, NftChain>([
    ['filter-prerouting', { hook: `type filter hook prerouting priority ${FILTER_BEFORE_DNAT} ;`, rules: [`ct state new jump ${FIREWALL_CHECK_CHAIN}`] }],
    ['filter-input', { hook: `type filter hook input priority ${FILTER_BEFORE_DNAT} ;`, rules: [`ct state new jump ${ENDPOINTS_CHECK_CHAIN}`] }],
    ['filter-forward', { hook: `type filter hook forward priority ${FILTER_BEFORE_DNAT} ;`, rules: [`ct state new jump ${ENDPOINTS_CHECK_CHAIN}`] }],
    [
      'filter-output',
      { hook: `type filter hook output priority ${FILTER_BEFORE_DNAT} ;`, rules: [`ct state new jump ${ENDPOINTS_CHECK_CHAIN}`, `ct state new jump ${FIREWALL_CHECK_CHAIN}`] },
    ],
    ['nat-prerouting', { hook: `type nat hook prerouting priority ${DSTNAT} ;`, rules: [`jump ${SERVICES_CHAIN}`] }],
    ['nat-output', { hook: `type nat hook output priority ${DSTNAT} ;`, rules: [`jump ${SERVICES_CHAIN}`] }],
    ['nat-postrouting', { hook: `type nat hook postrouting priority ${SRCNAT} ;`, rules: [`jump ${MASQUERADING_CHAIN}`] }],
    [MARK_MASQ_CHAIN, { rules: [`mark set mark or ${m}`] }],
    [
      MASQUERADING_CHAIN,
      {
        rules: [
          // Hairpin: a pod DNATed to itself would get the reply straight from its own address.
          `ct status dnat ip saddr . ip daddr @${HAIRPIN_SET} jump ${MARK_MASQ_CHAIN}`,
          `mark and ${m} == 0 return`,
          `mark set mark xor ${m}`,
          'masquerade fully-random',
        ],
      },
    ],
    [REJECT_CHAIN, { rules: ['reject'] }],
    [FIREWALL_CHECK_CHAIN, { rules: [`ip daddr . meta l4proto . th dport vmap @${FIREWALL_IPS_MAP}`] }],
    [
      ENDPOINTS_CHECK_CHAIN,
      {
        rules: [
          `ip daddr . meta l4proto . th dport vmap @${NO_ENDPOINT_SERVICES_MAP}`,
          allLocal
            ? `fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`
            : `ip daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`,
        ],
      },
    ],
    [
      SERVICES_CHAIN,
      {
        rules: [
          `ip daddr . meta l4proto . th dport vmap @${SERVICE_IPS_MAP}`,
          allLocal
            ? `fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`
            : `ip daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`,
        ],
      },
    ],
  ]);
  const vipMap = 'type ipv4_addr . inet_proto . inet_service : verdict ;';
  const portMap = 'type inet_proto . inet_service : verdict ;';
  const maps = new Map<string, string>([
    [SERVICE_IPS_MAP, `${vipMap} comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ;`],
    [SERVICE_NODEPORTS_MAP, `${portMap} comment "NodePort traffic" ;`],
    [NO_ENDPOINT_SERVICES_MAP, `${vipMap} comment "vmap to drop or reject packets to services with no endpoints" ;`],
    [NO_ENDPOINT_NODEPORTS_MAP, `${portMap} comment "vmap to drop or reject packets to service nodeports with no endpoints" ;`],
    [FIREWALL_IPS_MAP, `${vipMap} comment "destinations that are subject to LoadBalancerSourceRanges" ;`],
    ...slotMaps,
  ]);
  const sets = new Map<string, string>([[HAIRPIN_SET, 'type ipv4_addr . ipv4_addr ; comment "endpoint . endpoint: masquerade a pod reaching itself through a Service" ;']]);
  const elements: NftElement[] = [];
  if (!allLocal) {
    sets.set(NODEPORT_IPS_SET, 'type ipv4_addr ; comment "IPs that accept NodePort traffic" ;');
    for (const ip of [...new Set(state.nodePortAddresses)].sort()) {
      // Localhost NodePorts would need route_localnet, which kube-proxy's nftables mode does not support either.
      if (isIPv4(ip) && !ip.startsWith('127.')) elements.push({ map: NODEPORT_IPS_SET, key: ip });
    }
  }
  return { chains, maps, sets, elements };
}

/**
 * The rules of one Service port. Pure except for `slots`, where the port's
 * endpoint-picking chains acquire their map range (and release it when
 * unused); without `slots` a throwaway allocator is used.
 */
export function buildNftServiceRules(s: ServicePortState, o: NftBuildOptions = {}, slots: EndpointSlots = new EndpointSlots()): NftServiceRules {
  const { info } = s;
  const proto = info.protocol.toLowerCase();
  const base = servicePortChainNameBase(info);
  const clusterChain = CLUSTER_CHAIN_PREFIX + base;
  const localChain = LOCAL_CHAIN_PREFIX + base;
  const externalChain = EXTERNAL_CHAIN_PREFIX + base;
  const firewallChain = FIREWALL_CHAIN_PREFIX + base;
  const epBases = new Map<EndpointInfo, string>();
  const epBase = (ep: EndpointInfo): string => {
    let b = epBases.get(ep);
    if (b === undefined) epBases.set(ep, (b = servicePortEndpointChainNameBase(info, ep)));
    return b;
  };
  const scheduling = kernelScheduling(info, 'nftables', o.defaultScheduler);
  const affinity = info.sessionAffinity.type === 'ClientIP' ? info.sessionAffinity.timeoutSeconds : undefined;

  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints } = s.categorized;
  const usesClusterChain = clusterEndpoints.length > 0 && usesClusterEndpoints(info);
  const usesLocalChain = localEndpoints.length > 0 && usesLocalEndpoints(info);
  const internalChain = info.internalPolicyLocal ? localChain : clusterChain;
  const hasInternal = hasAnyEndpoints && !(info.internalPolicyLocal && localEndpoints.length === 0);
  const externalPolicyChain = info.externalPolicyLocal ? localChain : clusterChain;
  const hasExternal = hasAnyEndpoints && !(info.externalPolicyLocal && localEndpoints.length === 0);
  const usesExternalChain = hasAnyEndpoints && externallyAccessible(info);
  const usesFirewall = hasAnyEndpoints && info.loadBalancerIPs.length > 0 && info.loadBalancerSourceRanges.length > 0;
  // No endpoints anywhere: reject at once. Endpoints elsewhere only (Local policy): drop what is not short-circuited.
  const internalFilter = !hasAnyEndpoints ? `goto ${REJECT_CHAIN}` : !hasInternal ? 'drop' : undefined;
  const externalFilter = !hasAnyEndpoints ? `goto ${REJECT_CHAIN}` : !hasExternal ? 'drop' : undefined;

  const chains = new Map<string, string[]>();
  const chain = (name: string): string[] => {
    let rules = chains.get(name);
    if (!rules) chains.set(name, (rules = []));
    return rules;
  };
  const elements: NftElement[] = [];
  const vip = (ip: string, port: number): string => `${ip} . ${proto} . ${port}`;
  const v4 = (ips: readonly string[]): string[] => ips.filter((ip) => isIPv4(ip));

  for (const ip of v4(info.clusterIPs)) {
    if (hasInternal) elements.push({ map: SERVICE_IPS_MAP, key: vip(ip, info.port), value: `goto ${internalChain}` });
    else if (internalFilter) elements.push({ map: NO_ENDPOINT_SERVICES_MAP, key: vip(ip, info.port), value: internalFilter });
  }
  for (const ip of v4(info.externalIPs)) {
    if (hasAnyEndpoints) elements.push({ map: SERVICE_IPS_MAP, key: vip(ip, info.port), value: `goto ${externalChain}` });
    if (externalFilter) elements.push({ map: NO_ENDPOINT_SERVICES_MAP, key: vip(ip, info.port), value: externalFilter });
  }
  for (const ip of v4(info.loadBalancerIPs)) {
    if (hasAnyEndpoints) elements.push({ map: SERVICE_IPS_MAP, key: vip(ip, info.port), value: `goto ${externalChain}` });
    if (usesFirewall) elements.push({ map: FIREWALL_IPS_MAP, key: vip(ip, info.port), value: `goto ${firewallChain}` });
    if (externalFilter) elements.push({ map: NO_ENDPOINT_SERVICES_MAP, key: vip(ip, info.port), value: externalFilter });
  }
  if (info.nodePort > 0) {
    if (hasAnyEndpoints) elements.push({ map: SERVICE_NODEPORTS_MAP, key: `${proto} . ${info.nodePort}`, value: `goto ${externalChain}` });
    if (externalFilter) elements.push({ map: NO_ENDPOINT_NODEPORTS_MAP, key: `${proto} . ${info.nodePort}`, value: externalFilter });
  }

  // Cluster-IP traffic from outside the pod network may leave the node again: masquerade it.
  if (hasInternal && (o.masqueradeAll || o.clusterCIDR)) {
    for (const ip of v4(info.clusterIPs)) {
      const from = o.masqueradeAll ? '' : ` ip saddr != ${o.clusterCIDR}`;
      chain(internalChain).push(`ip daddr ${ip} ${proto} dport ${info.port}${from} jump ${MARK_MASQ_CHAIN}`);
    }
  }

  if (usesExternalChain) {
    const ext = chain(externalChain);
    if (!info.externalPolicyLocal) {
      // Cluster policy may send the packet to another node: masquerade so replies come back here.
      ext.push(`jump ${MARK_MASQ_CHAIN}`);
    } else {
      // Local policy keeps the client address, except for traffic from this node and its pods,
      // which goes to any endpoint (as if it had left through a load balancer and come back).
      if (o.clusterCIDR && usesClusterChain) ext.push(`ip saddr ${o.clusterCIDR} goto ${clusterChain}`);
      ext.push(`fib saddr type local jump ${MARK_MASQ_CHAIN}`);
      if (usesClusterChain) ext.push(`fib saddr type local goto ${clusterChain}`);
    }
    if (hasExternal) ext.push(`goto ${externalPolicyChain}`);
  }

  if (usesFirewall) chain(firewallChain).push(`ip saddr != { ${info.loadBalancerSourceRanges.join(', ')} } drop`);

  const sets = new Map<string, string>();
  // Slot owners: the endpoint-picking chains (affinity Services pick by per-endpoint chains instead).
  const slotOwner = (which: 'cluster' | 'local'): string => `${info.key}|${which}`;
  const toEndpoints = (name: string, eps: readonly EndpointInfo[]): void => {
    const rules = chain(name);
    const n = eps.length;
    if (affinity !== undefined) {
      for (const ep of eps) rules.push(`ip saddr @${AFFINITY_SET_PREFIX}${epBase(ep)} goto ${ENDPOINT_CHAIN_PREFIX}${epBase(ep)}`);
      // One rule per endpoint (no anonymous vmap: those make a large transaction quadratic in the
      // kernel). Random: rule i matches with probability 1/(n-i), so each endpoint gets 1/n;
      // sh: exactly one bucket of the hash matches.
      eps.forEach((ep, i) => {
        const target = `goto ${ENDPOINT_CHAIN_PREFIX}${epBase(ep)}`;
        if (i === n - 1) rules.push(target);
        else if (scheduling.algorithm === 'sh') rules.push(`jhash ip saddr mod ${n} seed 0x0 ${i} ${target}`);
        else rules.push(`numgen random mod ${n - i} 0 ${target}`);
      });
      return;
    }
    const r = slots.acquire(slotOwner(name === localChain ? 'local' : 'cluster'), proto);
    // A range holds SLOTS_PER_OWNER endpoints; beyond that (65,536 of one Service port) the rest are left out.
    const picked = eps.slice(0, SLOTS_PER_OWNER);
    const pick = scheduling.algorithm === 'sh' ? `jhash ip saddr mod ${picked.length} seed 0x0` : `numgen random mod ${picked.length}`;
    rules.push(`meta l4proto ${proto} dnat to ${pick} offset ${r.offset} map @${r.map}`);
    picked.forEach((ep, i) => elements.push({ map: r.map, key: String(r.offset + i), value: `${ep.ip} . ${ep.port}` }));
  };
  if (usesClusterChain) toEndpoints(clusterChain, clusterEndpoints);
  if (!usesClusterChain || affinity !== undefined) slots.release(slotOwner('cluster'));
  if (usesLocalChain) toEndpoints(localChain, localEndpoints);
  if (!usesLocalChain || affinity !== undefined) slots.release(slotOwner('local'));

  for (const ep of allReachableEndpoints) {
    if (isIPv4(ep.ip)) elements.push({ map: HAIRPIN_SET, key: `${ep.ip} . ${ep.ip}` });
    if (affinity === undefined) continue;
    const b = epBase(ep);
    const rules = chain(ENDPOINT_CHAIN_PREFIX + b);
    sets.set(AFFINITY_SET_PREFIX + b, `type ipv4_addr ; flags dynamic,timeout ; timeout ${affinity}s ;`);
    rules.push(`update @${AFFINITY_SET_PREFIX}${b} { ip saddr }`);
    rules.push(`meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
  }

  return {
    key: info.key,
    chains: new Map([...chains].map(([k, rules]) => [k, { rules }])),
    sets,
    elements,
    scheduling,
  };
}

/** The whole ruleset for `state` (pure but for the allocation in `slots`, fresh by default). */
export function buildNftRules(state: ProxyState, o: NftBuildOptions = {}, slots: EndpointSlots = new EndpointSlots()): NftRuleset {
  const services = new Map<ServicePortKey, NftServiceRules>();
  for (const key of [...state.services.keys()].sort()) {
    const s = state.services.get(key);
    if (s) services.set(key, buildNftServiceRules(s, o, slots));
  }
  return { base: buildNftBase(state, o, slots.maps()), services };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const obj = `${NFT_FAMILY} ${NFT_TABLE}`;

/** `{ k : v, ... }` for one `add element` (sorted). */
export function elementList(elements: readonly NftElement[]): string {
  return elements
    .map((e) => (e.value !== undefined ? `${e.key} : ${e.value}` : e.key))
    .sort(cmp)
    .join(', ');
}

/**
 * The whole ruleset as an `nft -f` script in canonical order (table, chains,
 * maps and sets, rules, elements; everything sorted by name). Used as the
 * golden dump and as the body of a full rewrite. Element conflicts between
 * Service ports (two Services claiming the same address and port) are left
 * to the caller: see `resolveElementOwners`.
 */
export function renderNftRuleset(rs: NftRuleset, elements: readonly NftElement[] = allElements(rs)): string {
  const lines: string[] = [`add table ${obj} { comment "${TABLE_COMMENT}" ; }`];
  const chains = new Map<string, NftChain>(rs.base.chains);
  const sets = new Map<string, string>(rs.base.sets);
  for (const svc of rs.services.values()) {
    for (const [k, c] of svc.chains) chains.set(k, c);
    for (const [k, d] of svc.sets) sets.set(k, d);
  }
  const names = [...chains.keys()].sort(cmp);
  for (const name of names) {
    const c = chains.get(name);
    lines.push(c?.hook ? `add chain ${obj} ${name} { ${c.hook} }` : `add chain ${obj} ${name}`);
  }
  for (const [name, decl] of [...rs.base.maps].sort(([a], [b]) => cmp(a, b))) lines.push(`add map ${obj} ${name} { ${decl} }`);
  for (const [name, decl] of [...sets].sort(([a], [b]) => cmp(a, b))) lines.push(`add set ${obj} ${name} { ${decl} }`);
  for (const name of names) for (const r of chains.get(name)?.rules ?? []) lines.push(`add rule ${obj} ${name} ${r}`);
  const byMap = new Map<string, NftElement[]>();
  for (const e of elements) {
    const list = byMap.get(e.map) ?? [];
    list.push(e);
    byMap.set(e.map, list);
  }
  for (const map of [...byMap.keys()].sort(cmp)) {
    for (const e of [...(byMap.get(map) ?? [])].sort((a, b) => cmp(a.key, b.key))) lines.push(`add element ${obj} ${map} { ${elementList([e])} }`);
  }
  return `${lines.join('\n')}\n`;
}

/** Base elements plus every Service port's, first claimant (sorted by Service port key) winning a key. */
export function allElements(rs: NftRuleset): NftElement[] {
  return resolveElementOwners(rs).elements;
}

export interface ElementConflict {
  readonly service: ServicePortKey;
  readonly owner: ServicePortKey;
  readonly element: NftElement;
}

/** Assigns each `map|key` to one Service port (sorted order wins) and lists the losers. */
export function resolveElementOwners(rs: NftRuleset): { elements: NftElement[]; owners: Map<string, ServicePortKey>; conflicts: ElementConflict[] } {
  const elements: NftElement[] = [...rs.base.elements];
  const owners = new Map<string, ServicePortKey>();
  const values = new Map<string, string | undefined>();
  const conflicts: ElementConflict[] = [];
  for (const key of [...rs.services.keys()].sort(cmp)) {
    for (const e of rs.services.get(key)?.elements ?? []) {
      const id = `${e.map}|${e.key}`;
      const owner = owners.get(id);
      if (owner !== undefined) {
        // Shared elements (one endpoint behind several Services) are no conflict.
        if (owner !== key && values.get(id) !== e.value) conflicts.push({ service: key, owner, element: e });
        continue;
      }
      values.set(id, e.value);
      owners.set(id, key);
      elements.push(e);
    }
  }
  return { elements, owners, conflicts };
}
