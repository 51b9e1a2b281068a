/**
 * Service validation after upstream ValidateService / ValidateServiceUpdate /
 * ValidateServiceStatusUpdate (pkg/apis/core/validation/validation.go, 1.32),
 * with the same field paths, messages and order. Expects a defaulted object
 * whose clusterIP/clusterIPs were normalized (see service-prepare.ts).
 */
import { BlockList, isIPv6 } from 'node:net';
import { type KubeObject, isRecord } from '../../../api/object.js';
import {
  type FieldError,
  FieldPath,
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
  tooMany,
} from '../../field-errors.js';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  nameIsDns1035Label,
  parseIPv4Sloppy,
} from '../../validation/names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../../validation/object-meta.js';
import {
  CLUSTER_IP_NONE,
  type JsonRecord,
  TYPE_CLUSTER_IP,
  TYPE_EXTERNAL_NAME,
  TYPE_LOAD_BALANCER,
  TYPE_NODE_PORT,
  externallyAccessible,
  int,
  isHeadless,
  needsHealthCheck,
  portsOf,
  str,
  strList,
  svcType,
} from './service-spec.js';

/** Upstream core.MaxClientIPServiceAffinitySeconds (1 day). */
export const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
/** Upstream (1.21) core.MaxServiceTopologyKeys. */
export const MAX_SERVICE_TOPOLOGY_KEYS = 16;

const ANNOTATION_TOPOLOGY_HINTS = 'service.kubernetes.io/topology-aware-hints';
const ANNOTATION_TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const ANNOTATION_LB_SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';

// Upstream lists these sorted (sets.List) in "supported values" messages.
const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SUPPORTED_AFFINITY = ['ClientIP', 'None'];
const SUPPORTED_TYPES = [TYPE_CLUSTER_IP, TYPE_EXTERNAL_NAME, TYPE_LOAD_BALANCER, TYPE_NODE_PORT];
const SUPPORTED_TRAFFIC_POLICIES = ['Cluster', 'Local'];
const SUPPORTED_IP_FAMILIES = ['IPv4', 'IPv6'];
const SUPPORTED_IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const SUPPORTED_TRAFFIC_DISTRIBUTION = ['PreferClose'];
const SUPPORTED_LB_IP_MODES = ['Proxy', 'VIP'];

const VALID_CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

const SPEC = FieldPath.root('spec');

// --- small value checks ------------------------------------------------------------

function isIP(v: string): boolean {
  return isValidIP(v).length === 0;
}

function isIPv4(v: string): boolean {
  return parseIPv4Sloppy(v) !== null;
}

/** Upstream IsValidCIDR (sloppy parse: leading zeros tolerated). */
export function isValidCIDR(v: string): string[] {
  const slash = v.indexOf('/');
  if (slash > 0) {
    const addr = v.slice(0, slash);
    const prefix = v.slice(slash + 1);
    if (/^[0-9]{1,3}$/.test(prefix)) {
      const n = Number(prefix);
      if (isIPv4(addr) && n <= 32) return [];
      if (isIPv6(addr) && n <= 128) return [];
    }
  }
  return [VALID_CIDR_MSG];
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');
const LINK_LOCAL_MULTICAST = new BlockList();
LINK_LOCAL_MULTICAST.addSubnet('224.0.0.0', 24, 'ipv4');
LINK_LOCAL_MULTICAST.addSubnet('ff02::', 16, 'ipv6');

/** Canonical form for node's address checks (which reject leading zeros in IPv4). */
function canonical(ip: string): { text: string; family: 'ipv4' | 'ipv6' } | undefined {
  const n = parseIPv4Sloppy(ip);
  if (n !== null) return { text: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'), family: 'ipv4' };
  if (isIPv6(ip)) return { text: ip, family: 'ipv6' };
  return undefined;
}

/** Upstream ValidateNonSpecialIP: no unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(ip: string, fieldPath: string): FieldError[] {
  const c = canonical(ip);
  if (!c) return [invalid(fieldPath, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const unspecified = c.family === 'ipv4' ? c.text === '0.0.0.0' : /^[0:]+$/.test(c.text);
  if (unspecified) errs.push(invalid(fieldPath, ip, `may not be unspecified (${ip})`));
  if (LOOPBACK.check(c.text, c.family)) errs.push(invalid(fieldPath, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (LINK_LOCAL.check(c.text, c.family)) errs.push(invalid(fieldPath, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (LINK_LOCAL_MULTICAST.check(c.text, c.family)) {
    errs.push(invalid(fieldPath, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

/** Required only when `list` has the value; `list` is a sorted "supported values" list. */
function requiredOrSupported(fieldPath: string, value: string, list: readonly string[]): FieldError[] {
  if (value === '') return [required(fieldPath)];
  return list.includes(value) ? [] : [notSupported(fieldPath, value, list)];
}

// --- ports -----------------------------------------------------------------------------

function validateServicePort(port: JsonRecord, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(port, 'name');
  if (requireName && name === '') {
    errs.push(required(path.child('name').toString()));
  } else if (name !== '') {
    for (const m of isDns1123Label(name)) errs.push(invalid(path.child('name').toString(), name, m));
    if (names.has(name)) errs.push(duplicate(path.child('name').toString(), name));
    else names.add(name);
  }

  const portValue = port['port'] ?? 0;
  const portNum = typeof portValue === 'number' ? portValue : Number.NaN;
  for (const m of isValidPortNum(portNum)) errs.push(invalid(path.child('port').toString(), portValue, m));

  errs.push(...requiredOrSupported(path.child('protocol').toString(), str(port, 'protocol'), SUPPORTED_PROTOCOLS));

  // IntOrString: a JSON string is a port name (even "8080"), anything else a number.
  const target = port['targetPort'];
  const targetPath = path.child('targetPort').toString();
  if (typeof target === 'string') {
    for (const m of isValidPortName(target)) errs.push(invalid(targetPath, target, m));
  } else {
    const n = typeof target === 'number' ? target : 0;
    for (const m of isValidPortNum(n)) errs.push(invalid(targetPath, n, m));
  }

  if (typeof port['appProtocol'] === 'string') {
    const ap = port['appProtocol'];
    for (const m of isQualifiedName(ap)) errs.push(invalid(path.child('appProtocol').toString(), ap, m));
  }
  return errs;
}

// --- cluster IPs and families -------------------------------------------------------

/** Upstream ValidateServiceClusterIPsRelatedFields (used by validation and allocation). */
export function validateClusterIPsRelatedFields(spec: JsonRecord): FieldError[] {
  if (svcType(spec) === TYPE_EXTERNAL_NAME) return [];
  const errs: FieldError[] = [];
  const clusterIPsPath = SPEC.child('clusterIPs');
  const clusterIP = str(spec, 'clusterIP');
  const clusterIPs = strList(spec, 'clusterIPs');

  if (clusterIP !== '') {
    if (clusterIPs.length === 0) errs.push(required(clusterIPsPath.toString()));
    else if (clusterIPs[0] !== clusterIP) errs.push(invalid(clusterIPsPath.toString(), clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length !== 0) {
    errs.push(invalid(clusterIPsPath.toString(), clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }

  const seen = new Set<string>();
  strList(spec, 'ipFamilies').forEach((fam, i) => {
    const p = SPEC.child('ipFamilies').index(i).toString();
    if (!SUPPORTED_IP_FAMILIES.includes(fam)) errs.push(notSupported(p, fam, SUPPORTED_IP_FAMILIES));
    if (seen.has(fam)) errs.push(duplicate(p, fam));
    seen.add(fam);
  });

  if (typeof spec['ipFamilyPolicy'] === 'string' && !SUPPORTED_IP_FAMILY_POLICIES.includes(spec['ipFamilyPolicy'])) {
    errs.push(notSupported(SPEC.child('ipFamilyPolicy').toString(), spec['ipFamilyPolicy'], SUPPORTED_IP_FAMILY_POLICIES));
  }

  let hasInvalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === CLUSTER_IP_NONE) {
      if (clusterIPs.length > 1) {
        hasInvalidIPs = true;
        errs.push(invalid(clusterIPsPath.toString(), clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = isValidIP(ip);
    if (msgs.length > 0) hasInvalidIPs = true;
    for (const m of msgs) errs.push(invalid(clusterIPsPath.index(i).toString(), ip, m));
  });
  if (clusterIPs.length > 2) errs.push(invalid(clusterIPsPath.toString(), clusterIPs, 'may only hold up to 2 values'));
  if (hasInvalidIPs) return errs;

  if (clusterIPs.length > 1) {
    const v4 = clusterIPs.filter(isIPv4).length;
    const dualStack = clusterIPs.length === 2 && v4 === 1;
    if (!dualStack) errs.push(invalid(clusterIPsPath.toString(), clusterIPs, 'may specify no more than one IP for each IP family'));
  }

  const families = strList(spec, 'ipFamilies');
  if (!isHeadless(spec) && clusterIPs.length > 0 && families.length > 0) {
    clusterIPs.forEach((ip, i) => {
      if (i > families.length - 1) return;
      const v6 = !isIPv4(ip) && isIPv6(ip);
      if (families[i] === 'IPv4' && v6) {
        errs.push(invalid(clusterIPsPath.index(i).toString(), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      }
      if (families[i] === 'IPv6' && !v6) {
        errs.push(invalid(clusterIPsPath.index(i).toString(), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
      }
    });
  }
  return errs;
}

// --- assorted spec sections --------------------------------------------------------

function validateClientIPAffinityConfig(spec: JsonRecord): FieldError[] {
  const path = SPEC.child('sessionAffinityConfig');
  const when = 'when session affinity type is ClientIP';
  const cfg = spec['sessionAffinityConfig'];
  if (!isRecord(cfg)) return [required(path.toString(), when)];
  const clientIP = cfg['clientIP'];
  if (!isRecord(clientIP)) return [required(path.child('clientIP').toString(), when)];
  const timeoutPath = path.child('clientIP').child('timeoutSeconds').toString();
  const timeout = clientIP['timeoutSeconds'];
  if (timeout === undefined || timeout === null) return [required(timeoutPath, when)];
  if (typeof timeout !== 'number' || timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS) {
    return [invalid(timeoutPath, timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`)];
  }
  return [];
}

function validateSourceRanges(svc: KubeObject, spec: JsonRecord): FieldError[] {
  const errs: FieldError[] = [];
  const ranges = strList(spec, 'loadBalancerSourceRanges');
  const isLB = svcType(spec) === TYPE_LOAD_BALANCER;
  // Upstream's path really is capitalised here.
  if (ranges.length > 0) {
    const p = SPEC.child('LoadBalancerSourceRanges');
    if (!isLB) errs.push(forbidden(p.toString(), "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      const v = r.trim();
      for (const m of isValidCIDR(v)) errs.push(invalid(p.index(i).toString(), v, m));
    });
    return errs;
  }
  const annotations = svc.metadata.annotations;
  if (annotations && Object.prototype.hasOwnProperty.call(annotations, ANNOTATION_LB_SOURCE_RANGES)) {
    const p = FieldPath.root('metadata').child('annotations').key(ANNOTATION_LB_SOURCE_RANGES).toString();
    if (!isLB) errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    const val = String(annotations[ANNOTATION_LB_SOURCE_RANGES] ?? '').trim();
    if (val !== '') {
      for (const part of val.split(',')) {
        const v = part.trim();
        for (const m of isValidCIDR(v)) errs.push(invalid(p, v, m));
      }
    }
  }
  return errs;
}

function validateLoadBalancerClass(spec: JsonRecord): FieldError[] {
  const p = SPEC.child('loadBalancerClass').toString();
  const cls = spec['loadBalancerClass'];
  if (typeof cls !== 'string') return [];
  if (svcType(spec) === TYPE_LOAD_BALANCER) return isQualifiedName(cls).map((m) => invalid(p, cls, m));
  return [forbidden(p, "may only be used when `type` is 'LoadBalancer'")];
}

function validateExternalTrafficPolicy(spec: JsonRecord): FieldError[] {
  const errs: FieldError[] = [];
  const etpPath = SPEC.child('externalTrafficPolicy').toString();
  const etp = str(spec, 'externalTrafficPolicy');
  if (!externallyAccessible(spec)) {
    if (etp !== '') errs.push(invalid(etpPath, etp, 'may only be set for externally-accessible services'));
  } else {
    errs.push(...requiredOrSupported(etpPath, etp, SUPPORTED_TRAFFIC_POLICIES));
  }
  const hcPath = SPEC.child('healthCheckNodePort').toString();
  const hc = int(spec, 'healthCheckNodePort');
  if (!needsHealthCheck(spec)) {
    if (hc !== 0) {
      errs.push(invalid(hcPath, hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (hc === 0) {
    // Upstream allocates before validating, so it requires the field here. This
    // server validates first and the allocator fills it, so 0 means "allocate".
  } else {
    for (const m of isValidPortNum(hc)) errs.push(invalid(hcPath, hc, m));
  }
  return errs;
}

function validateInternalTrafficPolicy(spec: JsonRecord): FieldError[] {
  const p = SPEC.child('internalTrafficPolicy').toString();
  const itp = spec['internalTrafficPolicy'];
  const t = svcType(spec);
  if (itp === undefined || itp === null) {
    // Not required for ExternalName, for compatibility with objects stored before it existed.
    return t === TYPE_NODE_PORT || t === TYPE_LOAD_BALANCER || t === TYPE_CLUSTER_IP ? [required(p)] : [];
  }
  const v = typeof itp === 'string' ? itp : String(itp);
  return SUPPORTED_TRAFFIC_POLICIES.includes(v) ? [] : [notSupported(p, v, SUPPORTED_TRAFFIC_POLICIES)];
}

/**
 * The deprecated alpha `spec.topologyKeys` (removed from the API in 1.22) is
 * accepted and checked the way 1.21 did: at most 16 keys, no duplicates, each a
 * qualified name or "*", and "*" only last.
 */
function validateTopologyKeys(spec: JsonRecord): FieldError[] {
  const keys = strList(spec, 'topologyKeys');
  if (keys.length === 0) return [];
  const errs: FieldError[] = [];
  const p = SPEC.child('topologyKeys');
  if (str(spec, 'externalTrafficPolicy') === 'Local') {
    errs.push(forbidden(p.toString(), 'may not be specified when `externalTrafficPolicy=Local`'));
  }
  if (keys.length > MAX_SERVICE_TOPOLOGY_KEYS) errs.push(tooMany(p.toString(), keys.length, MAX_SERVICE_TOPOLOGY_KEYS));
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    const kp = p.index(i).toString();
    if (seen.has(key)) errs.push(duplicate(kp, key));
    seen.add(key);
    if (key === '*' && i !== keys.length - 1) errs.push(invalid(kp, key, '"*" must be the last value specified'));
    if (key !== '*') for (const m of isQualifiedName(key)) errs.push(invalid(kp, key, m));
  });
  return errs;
}

// --- entry points ----------------------------------------------------------------------

/** The spec to validate, read only (validation never changes the object, so no copy is needed). */
function readSpec(svc: KubeObject): JsonRecord {
  const spec = svc['spec'];
  return isRecord(spec) ? (spec as JsonRecord) : {};
}

/** Upstream ValidateService: metadata (name a DNS-1035 label) and spec. */
export function validateService(svc: KubeObject): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDns1035Label });
  const spec = readSpec(svc);
  const annotations = svc.metadata.annotations ?? {};

  const hints = annotations[ANNOTATION_TOPOLOGY_HINTS];
  const mode = annotations[ANNOTATION_TOPOLOGY_MODE];
  if (hints !== undefined && mode !== undefined && hints !== mode) {
    errs.push(
      invalid(
        FieldPath.root('metadata').child('annotations').key(ANNOTATION_TOPOLOGY_MODE).toString(),
        mode,
        `must match annotations[${ANNOTATION_TOPOLOGY_HINTS}] when both are specified`,
      ),
    );
  }

  const type = svcType(spec);
  const ports = portsOf(spec);
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && type !== TYPE_EXTERNAL_NAME) errs.push(required(SPEC.child('ports').toString()));

  const firstIPPath = SPEC.child('clusterIPs').index(0).toString();
  if (type === TYPE_LOAD_BALANCER && headless) {
    errs.push(invalid(firstIPPath, CLUSTER_IP_NONE, "may not be set to 'None' for LoadBalancer services"));
  } else if (type === TYPE_NODE_PORT && headless) {
    errs.push(invalid(firstIPPath, CLUSTER_IP_NONE, "may not be set to 'None' for NodePort services"));
  } else if (type === TYPE_EXTERNAL_NAME) {
    if (strList(spec, 'clusterIPs').length > 0) errs.push(forbidden(SPEC.child('clusterIPs').toString(), 'may not be set for ExternalName services'));
    if (strList(spec, 'ipFamilies').length > 0) errs.push(forbidden(SPEC.child('ipFamilies').toString(), 'may not be set for ExternalName services'));
    if (spec['ipFamilyPolicy'] !== undefined && spec['ipFamilyPolicy'] !== null) {
      errs.push(forbidden(SPEC.child('ipFamilyPolicy').toString(), 'may not be set for ExternalName services'));
    }
    // A trailing dot marks the CNAME as fully qualified.
    const cname = str(spec, 'externalName').replace(/\.$/, '');
    const p = SPEC.child('externalName').toString();
    if (cname.length > 0) errs.push(...isDns1123Subdomain(cname).map((m) => invalid(p, cname, m)));
    else errs.push(required(p));
  }

  const names = new Set<string>();
  ports.forEach((port, i) => errs.push(...validateServicePort(port, ports.length > 1, names, SPEC.child('ports').index(i))));

  if (spec['selector'] !== undefined && spec['selector'] !== null) errs.push(...validateLabels(spec['selector'], SPEC.child('selector').toString()));

  const affinity = str(spec, 'sessionAffinity');
  errs.push(...requiredOrSupported(SPEC.child('sessionAffinity').toString(), affinity, SUPPORTED_AFFINITY));
  if (affinity === 'ClientIP') {
    errs.push(...validateClientIPAffinityConfig(spec));
  } else if (affinity === 'None' && spec['sessionAffinityConfig'] !== undefined && spec['sessionAffinityConfig'] !== null) {
    errs.push(forbidden(SPEC.child('sessionAffinityConfig').toString(), 'must not be set when session affinity is None'));
  }

  errs.push(...validateClusterIPsRelatedFields(spec));

  strList(spec, 'externalIPs').forEach((ip, i) => {
    const p = SPEC.child('externalIPs').index(i).toString();
    const msgs = isValidIP(ip);
    if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(p, ip, m)));
    else errs.push(...validateNonSpecialIP(ip, p));
  });

  errs.push(...requiredOrSupported(SPEC.child('type').toString(), type, SUPPORTED_TYPES));

  if (type === TYPE_CLUSTER_IP) {
    ports.forEach((port, i) => {
      if (int(port, 'nodePort') !== 0) {
        errs.push(forbidden(SPEC.child('ports').index(i).child('nodePort').toString(), "may not be used when `type` is 'ClusterIP'"));
      }
    });
  }

  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const np = int(port, 'nodePort');
    if (np === 0) return;
    const key = `${str(port, 'protocol')}/${np}`;
    if (nodePorts.has(key)) errs.push(duplicate(SPEC.child('ports').index(i).child('nodePort').toString(), np));
    nodePorts.add(key);
  });

  const portKeys = new Set<string>();
  ports.forEach((port, i) => {
    const key = `${str(port, 'protocol')}/${int(port, 'port')}`;
    // Upstream prints the Go struct {Protocol, Port} here; the JSON form carries the same facts.
    if (portKeys.has(key)) errs.push(duplicate(SPEC.child('ports').index(i).toString(), { protocol: str(port, 'protocol'), port: int(port, 'port') }));
    portKeys.add(key);
  });

  errs.push(...validateSourceRanges(svc, spec));

  const alloc = spec['allocateLoadBalancerNodePorts'];
  if (alloc !== undefined && alloc !== null && type !== TYPE_LOAD_BALANCER) {
    errs.push(forbidden(SPEC.child('allocateLoadBalancerNodePorts').toString(), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === TYPE_LOAD_BALANCER && (alloc === undefined || alloc === null)) {
    // Upstream's path lacks the `spec.` prefix here.
    errs.push(required('allocateLoadBalancerNodePorts'));
  }

  errs.push(...validateLoadBalancerClass(spec));
  errs.push(...validateExternalTrafficPolicy(spec));
  errs.push(...validateInternalTrafficPolicy(spec));

  const td = spec['trafficDistribution'];
  if (td !== undefined && td !== null && td !== 'PreferClose') {
    errs.push(notSupported(SPEC.child('trafficDistribution').toString(), td, SUPPORTED_TRAFFIC_DISTRIBUTION));
  }

  errs.push(...validateTopologyKeys(spec));
  return errs;
}

function validateUpgradeDowngradeClusterIPs(spec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  if (svcType(spec) === TYPE_EXTERNAL_NAME || svcType(oldSpec) === TYPE_EXTERNAL_NAME) return [];
  if (isHeadless(spec) && isHeadless(oldSpec)) return [];
  const errs: FieldError[] = [];
  const ips = strList(spec, 'clusterIPs');
  const oldIPs = strList(oldSpec, 'clusterIPs');
  const p = SPEC.child('clusterIPs');
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalid(p.index(i).toString(), ips, 'may not change once set'));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalid(p.index(0).toString(), ips, 'primary clusterIP can not be unset'));
    if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalid(p.index(0).toString(), ips, 'may not change once set'));
    if (ips.length === 1 && str(spec, 'ipFamilyPolicy') !== 'SingleStack') {
      errs.push(invalid(SPEC.child('ipFamilyPolicy').toString(), spec['ipFamilyPolicy'] ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalid(p.index(0).toString(), ips, 'may not change once set'));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(spec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  if (svcType(spec) === TYPE_EXTERNAL_NAME || svcType(oldSpec) === TYPE_EXTERNAL_NAME) return [];
  if (isHeadless(spec) !== isHeadless(oldSpec) || isHeadless(spec)) return [];
  const errs: FieldError[] = [];
  const fams = strList(spec, 'ipFamilies');
  const oldFams = strList(oldSpec, 'ipFamilies');
  const first = SPEC.child('ipFamilies').index(0).toString();
  if (oldFams.length === fams.length) {
    oldFams.forEach((f, i) => {
      if (f !== fams[i]) errs.push(invalid(first, fams, 'may not change once set'));
    });
  } else if (oldFams.length > fams.length) {
    // Upstream checks clusterIPs here (sic) and reports clusterIPs as the value.
    if (strList(spec, 'clusterIPs').length === 0) errs.push(invalid(first, fams, 'primary ipFamily can not be unset'));
    if (fams.length > 0 && fams[0] !== oldFams[0]) errs.push(invalid(first, strList(spec, 'clusterIPs'), 'may not change once set'));
    if (fams.length === 1 && str(spec, 'ipFamilyPolicy') !== 'SingleStack') {
      errs.push(invalid(SPEC.child('ipFamilyPolicy').toString(), spec['ipFamilyPolicy'] ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (oldFams.length > 0 && fams.length > 0 && fams[0] !== oldFams[0]) {
    errs.push(invalid(first, strList(spec, 'clusterIPs'), 'may not change once set'));
  }
  return errs;
}

/**
 * Upstream ValidateServiceUpdate: metadata update rules, clusterIPs and
 * ipFamilies immutability (`spec.clusterIPs[0]: Invalid value: []string{...}:
 * may not change once set`), loadBalancerClass and healthCheckNodePort
 * immutability, then everything ValidateService checks.
 */
export function validateServiceUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const spec = readSpec(svc);
  const oldSpec = readSpec(old);
  errs.push(...validateUpgradeDowngradeClusterIPs(spec, oldSpec));
  errs.push(...validateUpgradeDowngradeIPFamilies(spec, oldSpec));
  if (svcType(spec) === TYPE_LOAD_BALANCER && svcType(oldSpec) === TYPE_LOAD_BALANCER && spec['loadBalancerClass'] !== oldSpec['loadBalancerClass']) {
    errs.push(invalid(SPEC.child('loadBalancerClass').toString(), spec['loadBalancerClass'] ?? null, 'may not change once set'));
  }
  if (needsHealthCheck(spec) && needsHealthCheck(oldSpec) && int(spec, 'healthCheckNodePort') !== int(oldSpec, 'healthCheckNodePort')) {
    errs.push(forbidden(SPEC.child('healthCheckNodePort').toString(), 'field is immutable'));
  }
  errs.push(...validateService(svc));
  return errs;
}

/** Upstream ValidateLoadBalancerStatus (LoadBalancerIPMode on, AllowServiceLBStatusOnNonLB off). */
export function validateLoadBalancerStatus(status: unknown, spec: JsonRecord, path = 'status.loadBalancer'): FieldError[] {
  const ingress = isRecord(status) && Array.isArray(status['ingress']) ? (status['ingress'] as unknown[]) : [];
  const ingPath = FieldPath.root(path).child('ingress');
  if (svcType(spec) !== TYPE_LOAD_BALANCER && ingress.length > 0) {
    return [forbidden(ingPath.toString(), "may only be used when `spec.type` is 'LoadBalancer'")];
  }
  const errs: FieldError[] = [];
  ingress.forEach((raw, i) => {
    const ing = isRecord(raw) ? raw : {};
    const p = ingPath.index(i);
    const ip = str(ing, 'ip');
    if (ip !== '') errs.push(...isValidIP(ip).map((m) => invalid(p.child('ip').toString(), ip, m)));
    const mode = ing['ipMode'];
    if (mode === undefined || mode === null) {
      if (ip !== '') errs.push(required(p.child('ipMode').toString(), 'must be specified when `ip` is set'));
    } else if (ip === '') {
      errs.push(forbidden(p.child('ipMode').toString(), 'may not be specified when `ip` is not set'));
    } else if (typeof mode !== 'string' || !SUPPORTED_LB_IP_MODES.includes(mode)) {
      errs.push(notSupported(p.child('ipMode').toString(), mode, SUPPORTED_LB_IP_MODES));
    }
    const host = str(ing, 'hostname');
    if (host !== '') {
      errs.push(...isDns1123Subdomain(host).map((m) => invalid(p.child('hostname').toString(), host, m)));
      if (isIP(host)) errs.push(invalid(p.child('hostname').toString(), host, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** Upstream ValidateServiceStatusUpdate: metadata update rules and the load-balancer status. */
export function validateServiceStatusUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const status = isRecord(svc['status']) ? svc['status']['loadBalancer'] : undefined;
  errs.push(...validateLoadBalancerStatus(status, readSpec(svc)));
  return errs;
}
