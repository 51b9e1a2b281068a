/**
 * PodSpec validation after upstream pkg/apis/core/validation (ValidatePodSpec,
 * validateContainers, validateContainerCommon, ValidateEnv, validateProbe,
 * ValidateVolumes, ValidateTolerations, ...), with upstream field paths and
 * messages. Covers what users get wrong in practice: containers, names,
 * images, ports, env, probes, volumes and mounts, resources, policies, DNS,
 * tolerations. Security contexts, affinity and topology spread constraints are
 * accepted without checks.
 */
import { type FieldError, FieldPath, OMIT_VALUE, duplicate, forbidden, invalid, notFound, notSupported, required } from '../field-errors.js';
import { validateAnnotations, validateLabels, validateNonnegativeField } from '../validation/object-meta.js';
import {
  isDns1123Label,
  isQualifiedName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDns1123Subdomain,
} from '../validation/names.js';
import { goQuote } from './go-format.js';
import { type JsonRecord, arr, num, rec, records, str } from './json-shape.js';
import { volumeSources } from './pod-template-defaults.js';
import { parseQuantity } from './quantity.js';
import { isConfigMapKey, isRelaxedEnvVarName } from './value-formats.js';

export interface PodSpecValidationOptions {
  /** The spec belongs to a Pod (not a template): stricter image and host port rules. */
  readonly resourceIsPod?: boolean;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] as const;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'] as const;
// sets.List order (sorted), as upstream prints them.
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const HTTP_SCHEMES = ['HTTP', 'HTTPS'] as const;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
] as const;
// Field paths ConvertDownwardAPIFieldLabel accepts for v1 (others fail conversion).
const CONVERTIBLE_FIELD_PATHS = new Set<string>([...ENV_FIELD_PATHS, 'metadata.labels', 'metadata.annotations']);
const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
] as const;
const MAX_DNS_NAMESERVERS = 3;
const MAX_DNS_SEARCH_PATHS = 32;
const MAX_INT32 = 2147483647;

const IS_NEGATIVE = 'must be greater than or equal to 0';

/** Upstream ValidateNonnegativeField for an optional number. */
function nonNegative(v: unknown, p: FieldPath): FieldError[] {
  const n = num(v);
  return n === undefined ? [] : validateNonnegativeField(n, p.toString());
}

function dnsLabel(value: string, p: FieldPath): FieldError[] {
  return isDns1123Label(value).map((m) => invalid(p.toString(), value, m));
}

function validatePorts(ports: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  records(ports).forEach((port, i) => {
    const ip = p.index(i);
    const name = str(port['name']);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(ip.child('name').toString(), name, m)));
      else if (names.has(name)) errs.push(duplicate(ip.child('name').toString(), name));
      else names.add(name);
    }
    const containerPort = num(port['containerPort']) ?? 0;
    if (containerPort === 0) errs.push(required(ip.child('containerPort').toString()));
    else errs.push(...isValidPortNum(containerPort).map((m) => invalid(ip.child('containerPort').toString(), containerPort, m)));
    const hostPort = num(port['hostPort']) ?? 0;
    if (hostPort !== 0) errs.push(...isValidPortNum(hostPort).map((m) => invalid(ip.child('hostPort').toString(), hostPort, m)));
    const protocol = str(port['protocol']);
    if (!protocol) errs.push(required(ip.child('protocol').toString()));
    else if (!(PORT_PROTOCOLS as readonly string[]).includes(protocol)) {
      errs.push(notSupported(ip.child('protocol').toString(), protocol, PORT_PROTOCOLS));
    }
  });
  return errs;
}

function validateKeySelector(sel: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sel['name']);
  errs.push(...nameIsDns1123Subdomain(name, false).map((m) => invalid(p.child('name').toString(), name, m)));
  const key = str(sel['key']);
  if (!key) errs.push(required(p.child('key').toString()));
  else errs.push(...isConfigMapKey(key).map((m) => invalid(p.child('key').toString(), key, m)));
  return errs;
}

function validateFieldRef(ref: JsonRecord, p: FieldPath): FieldError[] {
  if (!str(ref['apiVersion'])) return [required(p.child('apiVersion').toString())];
  const fieldPath = str(ref['fieldPath']);
  if (!fieldPath) return [required(p.child('fieldPath').toString())];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
  if (sub) {
    const key = sub[1] === 'metadata.annotations' ? (sub[2] ?? '').toLowerCase() : (sub[2] ?? '');
    return isQualifiedName(key).map((m) => invalid(p.toString(), key, m));
  }
  if (!CONVERTIBLE_FIELD_PATHS.has(fieldPath)) {
    return [invalid(p.child('fieldPath').toString(), fieldPath, `error converting fieldPath: field label not supported: ${fieldPath}`)];
  }
  if (!(ENV_FIELD_PATHS as readonly string[]).includes(fieldPath)) {
    return [notSupported(p.child('fieldPath').toString(), fieldPath, [...ENV_FIELD_PATHS])];
  }
  return [];
}

function validateEnv(env: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  records(env).forEach((ev, i) => {
    const ip = p.index(i);
    const name = str(ev['name']);
    if (!name) errs.push(required(ip.child('name').toString()));
    else errs.push(...isRelaxedEnvVarName(name).map((m) => invalid(ip.child('name').toString(), name, m)));
    const from = rec(ev['valueFrom']);
    if (!from) return;
    const fp = ip.child('valueFrom');
    let sources = 0;
    const fieldRef = rec(from['fieldRef']);
    if (fieldRef) {
      sources++;
      errs.push(...validateFieldRef(fieldRef, fp.child('fieldRef')));
    }
    const resourceRef = rec(from['resourceFieldRef']);
    if (resourceRef) {
      sources++;
      const resource = str(resourceRef['resource']);
      const rp = fp.child('resourceFieldRef').child('resource');
      if (!resource) errs.push(required(rp.toString()));
      else if (!(RESOURCE_FIELD_PATHS as readonly string[]).includes(resource) && !/^(requests|limits)\.hugepages-/.test(resource)) {
        errs.push(notSupported(rp.toString(), resource, RESOURCE_FIELD_PATHS));
      }
    }
    for (const key of ['configMapKeyRef', 'secretKeyRef']) {
      const sel = rec(from[key]);
      if (sel) {
        sources++;
        errs.push(...validateKeySelector(sel, fp.child(key)));
      }
    }
    if (sources === 0) {
      errs.push(invalid(fp.toString(), '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (str(ev['value'])) {
      errs.push(invalid(fp.toString(), '', 'may not be specified when `value` is not empty'));
    } else if (sources > 1) {
      errs.push(invalid(fp.toString(), '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  records(envFrom).forEach((ev, i) => {
    const ip = p.index(i);
    const prefix = str(ev['prefix']);
    if (prefix) errs.push(...isRelaxedEnvVarName(prefix).map((m) => invalid(ip.child('prefix').toString(), prefix, m)));
    let sources = 0;
    for (const key of ['configMapRef', 'secretRef']) {
      const ref = rec(ev[key]);
      if (!ref) continue;
      sources++;
      const name = str(ref['name']);
      const np = ip.child(key).child('name').toString();
      if (!name) errs.push(required(np));
      else errs.push(...nameIsDns1123Subdomain(name, true).map((m) => invalid(np, name, m)));
    }
    if (sources === 0) errs.push(invalid(p.toString(), '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(p.toString(), '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validatePortNumOrName(port: unknown, p: FieldPath): FieldError[] {
  // An absent int-or-string is the integer 0, as Go decodes it.
  if (port === undefined || port === null) return isValidPortNum(0).map((m) => invalid(p.toString(), 0, m));
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(p.toString(), port, m));
  const name = str(port);
  return isValidPortName(name).map((m) => invalid(p.toString(), name, m));
}

/** Upstream validateHandler: exactly one of exec, httpGet, tcpSocket, grpc (probes) or sleep (lifecycle). */
function validateHandler(h: JsonRecord, p: FieldPath, kinds: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    const action = rec(h[kind]);
    if (!action) continue;
    const ap = p.child(kind);
    if (count > 0) {
      errs.push(forbidden(ap.toString(), 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    if (kind === 'exec' && arr(action['command']).length === 0) errs.push(required(ap.child('command').toString()));
    if (kind === 'httpGet') {
      if (!str(action['path'])) errs.push(required(ap.child('path').toString()));
      errs.push(...validatePortNumOrName(action['port'], ap.child('port')));
      const scheme = str(action['scheme']);
      if (!(HTTP_SCHEMES as readonly string[]).includes(scheme)) errs.push(notSupported(ap.child('scheme').toString(), scheme, HTTP_SCHEMES));
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(action['port'], ap.child('port')));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(num(action['port']) ?? 0, ap.child('port')));
  }
  if (count === 0) errs.push(required(p.toString(), 'must specify a handler type'));
  return errs;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;

function validateProbe(probe: JsonRecord, p: FieldPath, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  const errs = validateHandler(probe, p, PROBE_HANDLERS);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[f], p.child(f)));
  }
  const grace = num(probe['terminationGracePeriodSeconds']);
  if (grace !== undefined && grace <= 0) errs.push(invalid(p.child('terminationGracePeriodSeconds').toString(), grace, 'must be greater than 0'));
  if (kind !== 'readiness' && (num(probe['successThreshold']) ?? 0) !== 1) {
    errs.push(invalid(p.child('successThreshold').toString(), num(probe['successThreshold']) ?? 0, 'must be 1'));
  }
  if (kind === 'readiness' && probe['terminationGracePeriodSeconds'] !== undefined && probe['terminationGracePeriodSeconds'] !== null) {
    errs.push(invalid(p.child('terminationGracePeriodSeconds').toString(), probe['terminationGracePeriodSeconds'], 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateProbesAndLifecycle(c: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const lifecycle = rec(c['lifecycle']);
  if (lifecycle) {
    for (const hook of ['postStart', 'preStop']) {
      const h = rec(lifecycle[hook]);
      if (h) errs.push(...validateHandler(h, p.child('lifecycle').child(hook), LIFECYCLE_HANDLERS));
    }
  }
  const probes = [
    ['livenessProbe', 'liveness'],
    ['readinessProbe', 'readiness'],
    ['startupProbe', 'startup'],
  ] as const;
  for (const [key, kind] of probes) {
    const probe = rec(c[key]);
    if (probe) errs.push(...validateProbe(probe, p.child(key), kind));
  }
  return errs;
}

function validateResources(resources: unknown, p: FieldPath): FieldError[] {
  const r = rec(resources);
  if (!r) return [];
  const errs: FieldError[] = [];
  const limits = rec(r['limits']) ?? {};
  const requests = rec(r['requests']) ?? {};
  for (const [bag, values] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [name, raw] of Object.entries(values)) {
      const q = parseQuantity(raw);
      if (q !== undefined && q < 0) errs.push(invalid(p.child(bag).key(name).toString(), String(raw), IS_NEGATIVE));
    }
  }
  for (const [name, raw] of Object.entries(requests)) {
    if (!(name in limits)) continue;
    const req = parseQuantity(raw);
    const lim = parseQuantity(limits[name]);
    if (req !== undefined && lim !== undefined && req > lim) {
      errs.push(invalid(p.child('requests').toString(), String(raw), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    }
  }
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: ReadonlySet<string>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  records(mounts).forEach((m, i) => {
    const ip = p.index(i);
    const name = str(m['name']);
    if (!name) errs.push(required(ip.child('name').toString()));
    if (!volumes.has(name)) errs.push(notFound(ip.child('name').toString(), name));
    const mountPath = str(m['mountPath']);
    if (!mountPath) errs.push(required(ip.child('mountPath').toString()));
    if (paths.has(mountPath)) errs.push(invalid(ip.child('mountPath').toString(), mountPath, 'must be unique'));
    paths.add(mountPath);
  });
  return errs;
}

/** Upstream validateContainerCommon: checks shared by regular, init and ephemeral containers. */
function validateContainerCommon(c: JsonRecord, volumes: ReadonlySet<string>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c['name']);
  if (!name) errs.push(required(p.child('name').toString()));
  else errs.push(...dnsLabel(name, p.child('name')));
  if (!str(c['image'])) errs.push(required(p.child('image').toString()));
  const tmp = str(c['terminationMessagePolicy']);
  if (!tmp) errs.push(required(p.child('terminationMessagePolicy').toString()));
  else if (!(TERMINATION_MESSAGE_POLICIES as readonly string[]).includes(tmp)) {
    errs.push(notSupported(p.child('terminationMessagePolicy').toString(), tmp, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validatePorts(c['ports'], p.child('ports')));
  errs.push(...validateEnv(c['env'], p.child('env')));
  errs.push(...validateEnvFrom(c['envFrom'], p.child('envFrom')));
  errs.push(...validateVolumeMounts(c['volumeMounts'], volumes, p.child('volumeMounts')));
  const pull = str(c['imagePullPolicy']);
  if (!pull) errs.push(required(p.child('imagePullPolicy').toString()));
  else if (!(PULL_POLICIES as readonly string[]).includes(pull)) errs.push(notSupported(p.child('imagePullPolicy').toString(), pull, PULL_POLICIES));
  errs.push(...validateResources(c['resources'], p.child('resources')));
  return errs;
}

/** Upstream AccumulateUniqueHostPorts over a set of containers. */
function checkHostPortConflicts(containers: JsonRecord[], p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    records(c['ports']).forEach((port, pi) => {
      const hostPort = num(port['hostPort']) ?? 0;
      if (hostPort === 0) return;
      const key = `${str(port['protocol'])}/${str(port['hostIP'])}/${hostPort}`;
      if (seen.has(key)) errs.push(duplicate(p.index(ci).child('ports').index(pi).child('hostPort').toString(), key));
      else seen.add(key);
    });
  });
  return errs;
}

/** Volume names (required, DNS labels, unique) and one source per volume; returns the valid names too. */
function validateVolumes(volumes: unknown, p: FieldPath): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  records(volumes).forEach((v, i) => {
    const ip = p.index(i);
    const name = str(v['name']);
    const before = errs.length;
    if (!name) errs.push(required(ip.child('name').toString()));
    else errs.push(...dnsLabel(name, ip.child('name')));
    if (name && names.has(name)) errs.push(duplicate(ip.child('name').toString(), name));
    else if (errs.length === before) names.add(name);
    const sources = volumeSources(v);
    if (sources.length === 0) errs.push(required(ip.toString(), 'must specify a volume type'));
    for (const extra of sources.slice(1)) errs.push(forbidden(ip.child(extra).toString(), 'may not specify more than 1 volume type'));
  });
  return { errs, names };
}

function validateTolerations(tolerations: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  records(tolerations).forEach((t, i) => {
    const ip = p.index(i);
    const key = str(t['key']);
    const operator = str(t['operator']);
    const value = str(t['value']);
    const effect = str(t['effect']);
    if (key) errs.push(...isQualifiedName(key).map((m) => invalid(ip.child('key').toString(), key, m)));
    if (!key && operator !== 'Exists') {
      errs.push(invalid(ip.child('operator').toString(), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null && effect !== 'NoExecute') {
      errs.push(invalid(ip.child('effect').toString(), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) errs.push(invalid(ip.child('operator').toString(), value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value) errs.push(invalid(ip.child('operator').toString(), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(ip.child('operator').toString(), operator, ['Equal', 'Exists']));
    }
    if (effect && !(TAINT_EFFECTS as readonly string[]).includes(effect)) {
      errs.push(notSupported(ip.child('effect').toString(), effect, TAINT_EFFECTS));
    }
  });
  return errs;
}

function validateDnsConfig(spec: JsonRecord, p: FieldPath): FieldError[] {
  const dnsPolicy = str(spec['dnsPolicy']);
  const config = rec(spec['dnsConfig']);
  if (dnsPolicy === 'None') {
    if (!config) return [required(p.toString(), 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(config['nameservers']).length === 0) {
      return [required(p.child('nameservers').toString(), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
    }
  }
  if (!config) return [];
  const errs: FieldError[] = [];
  const nameservers = arr(config['nameservers']).map(String);
  if (nameservers.length > MAX_DNS_NAMESERVERS) {
    errs.push(invalid(p.child('nameservers').toString(), nameservers, `must not have more than ${MAX_DNS_NAMESERVERS} nameservers`));
  }
  nameservers.forEach((ns, i) => errs.push(...isValidIP(ns).map((m) => invalid(p.child('nameservers').index(i).toString(), ns, m))));
  const searches = arr(config['searches']).map(String);
  if (searches.length > MAX_DNS_SEARCH_PATHS) {
    errs.push(invalid(p.child('searches').toString(), searches, `must not have more than ${MAX_DNS_SEARCH_PATHS} search paths`));
  }
  return errs;
}

/**
 * Upstream ValidatePodSpec. `path` is where the spec sits (`spec`, or
 * `spec.template.spec` in workloads). Expects a defaulted spec.
 */
export function validatePodSpec(specValue: unknown, path: string, opts: PodSpecValidationOptions = {}): FieldError[] {
  const spec = rec(specValue) ?? {};
  const p = FieldPath.root(path);
  const errs: FieldError[] = [];
  if (spec['terminationGracePeriodSeconds'] === undefined || spec['terminationGracePeriodSeconds'] === null) {
    errs.push(required(p.child('terminationGracePeriodSeconds').toString()));
  }
  const vols = validateVolumes(spec['volumes'], p.child('volumes'));
  errs.push(...vols.errs);

  // Regular containers.
  const containers = records(spec['containers']);
  const cp = p.child('containers');
  const names = new Set<string>();
  if (containers.length === 0) {
    errs.push(required(cp.toString()));
  } else {
    containers.forEach((c, i) => {
      const ip = cp.index(i);
      errs.push(...validateContainerCommon(c, vols.names, ip));
      const name = str(c['name']);
      if (names.has(name)) errs.push(duplicate(ip.child('name').toString(), name));
      else names.add(name);
      errs.push(...validateProbesAndLifecycle(c, ip));
      if (c['restartPolicy'] !== undefined && c['restartPolicy'] !== null) {
        errs.push(forbidden(ip.child('restartPolicy').toString(), 'may not be set for non-init containers'));
      }
    });
    errs.push(...checkHostPortConflicts(containers, cp));
  }

  // Init containers: names unique across regular and init containers.
  const icp = p.child('initContainers');
  records(spec['initContainers']).forEach((c, i) => {
    const ip = icp.index(i);
    errs.push(...validateContainerCommon(c, vols.names, ip));
    const restartPolicy = str(c['restartPolicy']);
    if (restartPolicy && restartPolicy !== 'Always') errs.push(notSupported(ip.child('restartPolicy').toString(), restartPolicy, ['Always']));
    const name = str(c['name']);
    if (names.has(name)) errs.push(duplicate(ip.child('name').toString(), name));
    else if (name) names.add(name);
    errs.push(...checkHostPortConflicts([c], icp));
    if (restartPolicy === 'Always') {
      errs.push(...validateProbesAndLifecycle(c, ip));
    } else {
      for (const key of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[key] !== undefined && c[key] !== null) {
          errs.push(forbidden(ip.child(key).toString(), 'may not be set for init containers without restartPolicy=Always'));
        }
      }
    }
  });

  if (opts.resourceIsPod) {
    for (const [key, list] of [
      ['containers', containers],
      ['initContainers', records(spec['initContainers'])],
    ] as const) {
      list.forEach((c, i) => {
        const image = str(c['image']);
        if (image !== image.trim()) errs.push(invalid(p.child(key).index(i).child('image').toString(), image, 'must not have leading or trailing whitespace'));
      });
    }
  }

  // Host network: host ports must equal container ports (0 allowed in templates, defaulted later).
  if (spec['hostNetwork'] === true) {
    containers.forEach((c, i) => {
      records(c['ports']).forEach((port, j) => {
        const hp = num(port['hostPort']) ?? 0;
        const ctr = num(port['containerPort']) ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== ctr) {
          errs.push(invalid(cp.index(i).child('ports').index(j).child('hostPort').toString(), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }

  const restartPolicy = str(spec['restartPolicy']);
  if (!restartPolicy) errs.push(required(p.child('restartPolicy').toString()));
  else if (!(RESTART_POLICIES as readonly string[]).includes(restartPolicy)) {
    errs.push(notSupported(p.child('restartPolicy').toString(), restartPolicy, RESTART_POLICIES));
  }
  const dnsPolicy = str(spec['dnsPolicy']);
  if (!dnsPolicy) errs.push(required(p.child('dnsPolicy').toString()));
  else if (!(DNS_POLICIES as readonly string[]).includes(dnsPolicy)) errs.push(notSupported(p.child('dnsPolicy').toString(), dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(spec['nodeSelector'], p.child('nodeSelector').toString()));
  errs.push(...validateDnsConfig(spec, p.child('dnsConfig')));

  const sa = str(spec['serviceAccountName']);
  if (sa) errs.push(...nameIsDns1123Subdomain(sa, false).map((m) => invalid(p.child('serviceAccountName').toString(), sa, m)));
  const nodeName = str(spec['nodeName']);
  if (nodeName) errs.push(...nameIsDns1123Subdomain(nodeName, false).map((m) => invalid(p.child('nodeName').toString(), nodeName, m)));
  const ads = num(spec['activeDeadlineSeconds']);
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32)) {
    errs.push(invalid(p.child('activeDeadlineSeconds').toString(), ads, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  const hostname = str(spec['hostname']);
  if (hostname) errs.push(...dnsLabel(hostname, p.child('hostname')));
  const subdomain = str(spec['subdomain']);
  if (subdomain) errs.push(...dnsLabel(subdomain, p.child('subdomain')));
  errs.push(...validateTolerations(spec['tolerations'], p.child('tolerations')));
  const pcn = str(spec['priorityClassName']);
  if (pcn) errs.push(...nameIsDns1123Subdomain(pcn, false).map((m) => invalid(p.child('priorityClassName').toString(), pcn, m)));
  const preemption = str(spec['preemptionPolicy']);
  if (spec['preemptionPolicy'] !== undefined && spec['preemptionPolicy'] !== null) {
    if (!preemption) errs.push(required(p.child('preemptionPolicy').toString()));
    else if (preemption !== 'PreemptLowerPriority' && preemption !== 'Never') {
      errs.push(notSupported(p.child('preemptionPolicy').toString(), preemption, ['PreemptLowerPriority', 'Never']));
    }
  }
  return errs;
}

/**
 * Upstream ValidatePodTemplateSpec: template labels and annotations (on the
 * upstream paths `<path>.labels` / `<path>.annotations`), then the pod spec.
 */
export function validatePodTemplateSpec(templateValue: unknown, path: string): FieldError[] {
  const template = rec(templateValue) ?? {};
  const meta = rec(template['metadata']) ?? {};
  const p = FieldPath.root(path);
  const errs: FieldError[] = [];
  errs.push(...validateLabels(meta['labels'], p.child('labels').toString()));
  errs.push(...validateAnnotations(meta['annotations'], p.child('annotations').toString()));
  errs.push(...validatePodSpec(template['spec'], p.child('spec').toString()));
  if (arr(rec(template['spec'])?.['ephemeralContainers']).length > 0) {
    errs.push(forbidden(p.child('spec').child('ephemeralContainers').toString(), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

/** Upstream validateTaintEffect/validateNodeTaints, shared with the Node strategy. */
export function validateTaints(taints: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  records(taints).forEach((t, i) => {
    const ip = p.index(i);
    const key = str(t['key']);
    const value = str(t['value']);
    const effect = str(t['effect']);
    errs.push(...isQualifiedName(key).map((m) => invalid(ip.child('key').toString(), key, m)));
    const vmsgs = isValidLabelValue(value);
    if (vmsgs.length > 0) errs.push(invalid(ip.child('value').toString(), value, vmsgs.join(';')));
    if (!effect) errs.push(required(ip.child('effect').toString()));
    else if (!(TAINT_EFFECTS as readonly string[]).includes(effect)) errs.push(notSupported(ip.child('effect').toString(), effect, TAINT_EFFECTS));
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(key)) {
      const text = `core.Taint{Key:${goQuote(key)}, Value:${goQuote(value)}, Effect:${goQuote(effect)}, TimeAdded:(*v1.Time)(nil)}`;
      errs.push({ type: 'Duplicate', field: ip.toString(), badValue: OMIT_VALUE, detail: `${text}: taints must be unique by key and effect pair` });
      return;
    }
    keys.add(key);
    seen.set(effect, keys);
  });
  return errs;
}
