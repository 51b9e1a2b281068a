/**
 * Defaulting for Services: upstream SetDefaults_Service
 * (pkg/apis/core/v1/defaults.go) plus the contextual ip-family defaulting that
 * upstream does at allocation time (initIPFamilyFields in
 * pkg/registry/core/service/storage/alloc.go).
 */
import { type KubeObject, isRecord } from '../../../api/object.js';
import { type FieldError, invalid } from '../../field-errors.js';
import { parseIPv4Sloppy } from '../../validation/names.js';
import {
  CLUSTER_IP_NONE,
  type JsonRecord,
  TYPE_CLUSTER_IP,
  TYPE_EXTERNAL_NAME,
  TYPE_LOAD_BALANCER,
  TYPE_NODE_PORT,
  externallyAccessible,
  portsOf,
  selectorIsEmpty,
  specOf,
  statusOf,
  str,
  strList,
  svcType,
} from './service-spec.js';

/** Upstream DefaultClientIPServiceAffinitySeconds (3 hours). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

/**
 * Upstream SetDefaults_Service, in place: type ClusterIP, sessionAffinity None
 * (and its config dropped) or the ClientIP timeout, ports protocol TCP and
 * targetPort = port, externalTrafficPolicy Cluster for externally reachable
 * services, internalTrafficPolicy Cluster (not ExternalName),
 * allocateLoadBalancerNodePorts true for LoadBalancer, ipMode VIP on LB ingress
 * IPs, and `status.loadBalancer: {}`. Idempotent. ipFamilies/ipFamilyPolicy are
 * contextual and set by {@link defaultIPFamilies} at allocation time.
 */
export function defaultService(svc: KubeObject): void {
  const spec = specOf(svc);

  if (str(spec, 'sessionAffinity') === '') spec['sessionAffinity'] = 'None';
  if (spec['sessionAffinity'] === 'None') delete spec['sessionAffinityConfig'];
  if (spec['sessionAffinity'] === 'ClientIP') {
    const cfg = spec['sessionAffinityConfig'];
    const clientIP = isRecord(cfg) ? cfg['clientIP'] : undefined;
    if (!isRecord(clientIP) || typeof clientIP['timeoutSeconds'] !== 'number') {
      spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
    }
  }

  if (str(spec, 'type') === '') spec['type'] = TYPE_CLUSTER_IP;

  for (const port of portsOf(spec)) {
    if (str(port, 'protocol') === '') port['protocol'] = 'TCP';
    const target = port['targetPort'];
    if (target === undefined || target === null || target === 0 || target === '') {
      // An absent port stays absent rather than becoming 0; validation reports it.
      if (port['port'] !== undefined) port['targetPort'] = port['port'];
    }
  }

  if (externallyAccessible(spec) && str(spec, 'externalTrafficPolicy') === '') spec['externalTrafficPolicy'] = 'Cluster';

  const type = svcType(spec);
  if (spec['internalTrafficPolicy'] === undefined || spec['internalTrafficPolicy'] === null) {
    if (type === TYPE_NODE_PORT || type === TYPE_LOAD_BALANCER || type === TYPE_CLUSTER_IP) spec['internalTrafficPolicy'] = 'Cluster';
  }

  if (type === TYPE_LOAD_BALANCER && typeof spec['allocateLoadBalancerNodePorts'] !== 'boolean') {
    spec['allocateLoadBalancerNodePorts'] = true;
  }

  const status = statusOf(svc);
  if (!isRecord(status['loadBalancer'])) status['loadBalancer'] = {};
  if (type === TYPE_LOAD_BALANCER) {
    const ingress = (status['loadBalancer'] as JsonRecord)['ingress'];
    if (Array.isArray(ingress)) {
      for (const ing of ingress) {
        if (isRecord(ing) && str(ing, 'ip') !== '' && ing['ipMode'] === undefined) ing['ipMode'] = 'VIP';
      }
    }
  }
}

export type IPFamily = 'IPv4' | 'IPv6';

const familyOf = (ip: string): string => (parseIPv4Sloppy(ip) !== null ? 'IPv4' : ip.includes(':') ? 'IPv6' : 'unknown');

/**
 * Contextual ip-family defaulting after upstream initIPFamilyFields, for a
 * cluster whose service CIDRs cover `clusterFamilies` (first = default family).
 * Fills `ipFamilyPolicy` (old policy on update, RequireDualStack for headless
 * services without selector, else SingleStack) and `ipFamilies` (from clusterIPs,
 * else the default family; headless+selectorless non-single-stack get both).
 * Returns upstream's errors for combinations this cluster cannot serve.
 * Expects clusterIP/clusterIPs to be normalized already. ExternalName is left alone.
 */
export function defaultIPFamilies(svc: KubeObject, old: KubeObject | undefined, clusterFamilies: readonly IPFamily[]): FieldError[] {
  const spec = specOf(svc);
  if (svcType(spec) === TYPE_EXTERNAL_NAME) return [];
  const oldSpec = old ? specOf(old) : undefined;

  // A PreferDualStack service whose IP fields did not change keeps them as they are.
  if (oldSpec && isUnchangedPreferDualStack(spec, oldSpec)) return [];

  if (typeof spec['ipFamilyPolicy'] !== 'string') {
    const oldPolicy = oldSpec ? oldSpec['ipFamilyPolicy'] : undefined;
    if (typeof oldPolicy === 'string') spec['ipFamilyPolicy'] = oldPolicy;
    else if (str(spec, 'clusterIP') === CLUSTER_IP_NONE && selectorIsEmpty(spec)) spec['ipFamilyPolicy'] = 'RequireDualStack';
    else spec['ipFamilyPolicy'] = 'SingleStack';
  }
  const policy = (): string => str(spec, 'ipFamilyPolicy');

  const errs: FieldError[] = [];
  const clusterIPs = (): string[] => strList(spec, 'clusterIPs');
  const families = (): string[] => strList(spec, 'ipFamilies');

  if (oldSpec) {
    if (policy() === 'SingleStack') {
      // Setting SingleStack while leaving the lists alone means "drop the secondary".
      if (sameListField(spec, oldSpec, 'clusterIPs') && clusterIPs().length > 1) spec['clusterIPs'] = clusterIPs().slice(0, 1);
      if (sameListField(spec, oldSpec, 'ipFamilies') && families().length > 1) spec['ipFamilies'] = families().slice(0, 1);
    } else {
      const reduced = (k: string): boolean => strList(spec, k).length > 0 && strList(spec, k).length < strList(oldSpec, k).length;
      if (reduced('clusterIPs')) {
        errs.push(invalid('spec.ipFamilyPolicy', policy(), "must be 'SingleStack' to release the secondary cluster IP"));
      }
      if (reduced('ipFamilies')) {
        errs.push(invalid('spec.ipFamilyPolicy', policy(), "must be 'SingleStack' to release the secondary IP family"));
      }
    }
  }

  if (policy() === 'SingleStack') {
    if (clusterIPs().length === 2) {
      errs.push(invalid('spec.ipFamilyPolicy', policy(), "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    }
    if (families().length === 2) {
      errs.push(invalid('spec.ipFamilyPolicy', policy(), "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
  }

  // Infer families from the given IPs.
  const ips = clusterIPs();
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i] ?? '';
    if (ip === CLUSTER_IP_NONE) break;
    if (i >= families().length) {
      const fam = familyOf(ip);
      if (!clusterFamilies.includes(fam as IPFamily)) {
        errs.push(invalid(`spec.clusterIPs[${i}]`, ips, `${fam} is not configured on this cluster`));
      } else {
        spec['ipFamilies'] = [...families(), fam];
      }
    }
  }
  if (errs.length > 0) return errs;

  const defaultFamily = clusterFamilies[0] ?? 'IPv4';
  const other = (f: string): IPFamily => (f === 'IPv4' ? 'IPv6' : 'IPv4');

  // Headless without selector may carry families the cluster does not serve.
  if (str(spec, 'clusterIP') === CLUSTER_IP_NONE && selectorIsEmpty(spec)) {
    if (families().length === 0) spec['ipFamilies'] = [defaultFamily];
    const fams = families();
    if (fams.length < 2 && policy() !== 'SingleStack') spec['ipFamilies'] = [...fams, other(fams[0] ?? defaultFamily)];
    return [];
  }

  if (policy() === 'RequireDualStack' && clusterFamilies.length < 2) {
    errs.push(invalid('spec.ipFamilyPolicy', policy(), 'this cluster is not configured for dual-stack services'));
  }
  families().forEach((f, i) => {
    if (!clusterFamilies.includes(f as IPFamily)) errs.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (errs.length > 0) return errs;

  if (families().length === 0) spec['ipFamilies'] = [defaultFamily];
  const fams = families();
  if (policy() !== 'SingleStack' && fams.length === 1 && clusterFamilies.length === 2) spec['ipFamilies'] = [...fams, other(fams[0] ?? '')];
  return [];
}

function sameListField(a: JsonRecord, b: JsonRecord, key: string): boolean {
  const x = strList(a, key);
  const y = strList(b, key);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function isUnchangedPreferDualStack(spec: JsonRecord, oldSpec: JsonRecord): boolean {
  if (typeof spec['ipFamilyPolicy'] !== 'string') return false;
  if (svcType(spec) !== svcType(oldSpec)) return false;
  if (svcType(spec) === TYPE_EXTERNAL_NAME) return false;
  if (spec['ipFamilyPolicy'] !== 'PreferDualStack') return false;
  if (typeof oldSpec['ipFamilyPolicy'] === 'string' && oldSpec['ipFamilyPolicy'] !== 'PreferDualStack') return false;
  return sameListField(spec, oldSpec, 'clusterIPs') && sameListField(spec, oldSpec, 'ipFamilies');
}
