/**
 * A pod's /etc/resolv.conf from its dnsPolicy and dnsConfig (kubelet's dns.Configurer):
 * - ClusterFirst: the cluster DNS server, search `<ns>.svc.<zone> svc.<zone> <zone>` followed by
 *   the node's own search domains, `options ndots:5`. With hostNetwork it behaves as Default.
 * - ClusterFirstWithHostNet: ClusterFirst, also for hostNetwork pods.
 * - Default: the node's resolv.conf.
 * - None: only what dnsConfig says.
 * dnsConfig is then merged in: nameservers and searches appended without duplicates, options
 * merged by name (the pod's value wins). Upstream limits apply: 3 nameservers, 32 search
 * domains of at most 2048 characters in all.
 */
import type { PodDNSConfig } from './pod-types.js';

export interface DnsSettings {
  readonly nameservers: readonly string[];
  readonly searches: readonly string[];
  /** `name` or `name:value`. */
  readonly options: readonly string[];
}

export interface PodDnsInputs {
  readonly dnsPolicy?: string;
  readonly hostNetwork?: boolean;
  readonly dnsConfig?: PodDNSConfig;
  readonly namespace: string;
  readonly clusterDomain: string;
  /** Cluster DNS server addresses (kubelet --cluster-dns); empty makes ClusterFirst fall back to Default. */
  readonly clusterDNS: readonly string[];
  /** The node's resolver configuration (parsed /etc/resolv.conf). */
  readonly host: DnsSettings;
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;

/** Parse resolv.conf text (nameserver / search / domain / options lines; comments ignored). */
export function parseResolvConf(text: string): DnsSettings {
  const nameservers: string[] = [];
  let searches: string[] = [];
  const options: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) nameservers.push(rest[0]);
    // The last search or domain line wins, as in glibc.
    else if (key === 'search') searches = rest;
    else if (key === 'domain' && rest[0]) searches = [rest[0]];
    else if (key === 'options') options.push(...rest);
  }
  return { nameservers, searches, options };
}

function uniq(list: readonly string[]): string[] {
  return [...new Set(list)];
}

function mergeOptions(base: readonly string[], extra: PodDNSConfig['options']): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0] ?? o, o);
  for (const o of extra ?? []) {
    if (!o.name) continue;
    byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  }
  return [...byName.values()];
}

function limitSearches(searches: readonly string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const s of searches.slice(0, MAX_SEARCHES)) {
    chars += s.length + (out.length ? 1 : 0);
    if (chars > MAX_SEARCH_CHARS) break;
    out.push(s);
  }
  return out;
}

/** The effective policy: ClusterFirst without a cluster DNS server, or with hostNetwork, is Default. */
export function effectiveDnsPolicy(i: Pick<PodDnsInputs, 'dnsPolicy' | 'hostNetwork' | 'clusterDNS'>): 'ClusterFirst' | 'Default' | 'None' {
  const policy = i.dnsPolicy || 'ClusterFirst';
  if (policy === 'None') return 'None';
  if (policy === 'Default') return 'Default';
  if (policy === 'ClusterFirst' && i.hostNetwork) return 'Default';
  return i.clusterDNS.length > 0 ? 'ClusterFirst' : 'Default';
}

export function podDnsSettings(i: PodDnsInputs): DnsSettings {
  let nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  switch (effectiveDnsPolicy(i)) {
    case 'ClusterFirst': {
      const zone = i.clusterDomain.replace(/\.$/, '');
      nameservers = [...i.clusterDNS];
      searches = [`${i.namespace}.svc.${zone}`, `svc.${zone}`, zone, ...i.host.searches];
      options = ['ndots:5'];
      break;
    }
    case 'Default':
      nameservers = [...i.host.nameservers];
      searches = [...i.host.searches];
      options = [...i.host.options];
      break;
    case 'None':
      break;
  }
  if (i.dnsConfig) {
    nameservers.push(...(i.dnsConfig.nameservers ?? []));
    searches.push(...(i.dnsConfig.searches ?? []));
    options = mergeOptions(options, i.dnsConfig.options);
  }
  return {
    nameservers: uniq(nameservers).slice(0, MAX_NAMESERVERS),
    searches: limitSearches(uniq(searches.filter((s) => s !== '' && s !== '.'))),
    options,
  };
}

/** resolv.conf text: search, nameserver lines, options (the order container runtimes write). */
export function formatResolvConf(s: DnsSettings): string {
  const lines: string[] = [];
  if (s.searches.length) lines.push(`search ${s.searches.join(' ')}`);
  for (const n of s.nameservers) lines.push(`nameserver ${n}`);
  if (s.options.length) lines.push(`options ${s.options.join(' ')}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
