/**
 * networking.k8s.io/v1 Ingresses (upstream pkg/registry/networking/ingress/strategy.go,
 * pkg/apis/networking/validation ValidateIngressSpec). No v1 defaults apply.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { isDns1123Subdomain, isValidIP, isValidPortName, isValidPortNum, nameIsDns1035Label, nameIsDns1123Subdomain } from '../validation/names.js';
import { clearStatus, keepStatus, updateGeneration } from './generation.js';
import { goNilOrLen, invalidRendered } from './go-format.js';
import { type JsonRecord, arr, ensureRecord, num, rec, records, str } from './json-shape.js';
import { isIPv4Address, isIPv6Address, isWildcardDns1123Subdomain } from './value-formats.js';

// sets.List order.
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

const isIP = (v: string): boolean => isIPv4Address(v) || isIPv6Address(v);

function validateBackend(backend: JsonRecord, p: FieldPath): FieldError[] {
  const resource = rec(backend['resource']);
  const service = rec(backend['service']);
  if (resource && service) return [invalid(p.toString(), '', 'cannot set both resource and service backends')];
  if (resource) {
    const errs: FieldError[] = [];
    const rp = p.child('resource');
    if (!str(resource['kind'])) errs.push(required(rp.child('kind').toString()));
    if (!str(resource['name'])) errs.push(required(rp.child('name').toString()));
    return errs;
  }
  if (!service) return [invalid(p.toString(), '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const sp = p.child('service');
  const name = str(service['name']);
  if (!name) errs.push(required(sp.child('name').toString()));
  else errs.push(...nameIsDns1035Label(name, false).map((m) => invalid(sp.child('name').toString(), name, m)));
  const port = rec(service['port']) ?? {};
  const portName = str(port['name']);
  const portNumber = num(port['number']) ?? 0;
  if (portName && portNumber) errs.push(invalid(p.toString(), '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...isValidPortName(portName).map((m) => invalid(sp.child('port').child('name').toString(), portName, m)));
  else if (portNumber) errs.push(...isValidPortNum(portNumber).map((m) => invalid(sp.child('port').child('number').toString(), portNumber, m)));
  else errs.push(required(p.toString(), 'port name or number is required'));
  return errs;
}

function validatePath(path: JsonRecord, p: FieldPath): FieldError[] {
  const pathType = path['pathType'];
  if (typeof pathType !== 'string') return [required(p.child('pathType').toString(), 'pathType must be specified')];
  const value = str(path['path']);
  const pp = p.child('path').toString();
  const errs: FieldError[] = [];
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalid(pp, value, 'must be an absolute path'));
    if (value) {
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(pp, value, `must not contain '${seq}'`));
      for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalid(pp, value, `cannot end with '${suffix}'`));
    }
  } else if (pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalid(pp, value, 'must be an absolute path'));
  } else {
    errs.push(notSupported(p.child('pathType').toString(), pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(rec(path['backend']) ?? {}, p.child('backend')));
  return errs;
}

function validateHost(host: string, path: string): FieldError[] {
  if (host.includes('*')) return isWildcardDns1123Subdomain(host).map((m) => invalid(path, host, m));
  return isDns1123Subdomain(host).map((m) => invalid(path, host, m));
}

/** Upstream ValidateIngressSpec. */
export function validateIngressSpec(obj: KubeObject): FieldError[] {
  const spec = rec(obj['spec']) ?? {};
  const p = FieldPath.root('spec');
  const errs: FieldError[] = [];
  const rules = records(spec['rules']);
  const defaultBackend = rec(spec['defaultBackend']);
  if (rules.length === 0 && !defaultBackend) {
    errs.push(invalidRendered(p.toString(), goNilOrLen('networking.IngressRule', spec['rules']), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (defaultBackend) errs.push(...validateBackend(defaultBackend, p.child('defaultBackend')));
  rules.forEach((rule, i) => {
    const rp = p.child('rules').index(i);
    const host = str(rule['host']);
    if (host) {
      if (isIP(host)) errs.push(invalid(rp.child('host').toString(), host, 'must be a DNS name, not an IP address'));
      errs.push(...validateHost(host, rp.child('host').toString()));
    }
    const http = rec(rule['http']);
    if (http) {
      const hp = rp.child('http');
      const paths = records(http['paths']);
      if (paths.length === 0) errs.push(required(hp.child('paths').toString()));
      paths.forEach((path, j) => errs.push(...validatePath(path, hp.child('paths').index(j))));
    }
  });
  records(spec['tls']).forEach((tls, i) => {
    const tp = p.child('tls').index(i);
    arr(tls['hosts']).forEach((h, j) => errs.push(...validateHost(String(h), tp.child('hosts').index(j).toString())));
    const secretName = str(tls['secretName']);
    if (secretName) errs.push(...nameIsDns1123Subdomain(secretName, false).map((m) => invalid(tp.child('secretName').toString(), secretName, m)));
  });
  if (typeof spec['ingressClassName'] === 'string') {
    const cls = spec['ingressClassName'];
    errs.push(...nameIsDns1123Subdomain(cls, false).map((m) => invalid(p.child('ingressClassName').toString(), cls, m)));
  }
  return errs;
}

function validateIngressCreate(obj: KubeObject): FieldError[] {
  const errs = validateIngressSpec(obj);
  const annotation = obj.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  const cls = rec(obj['spec'])?.['ingressClassName'];
  if (annotation !== undefined && typeof cls === 'string' && annotation !== cls) {
    errs.push(invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

/** Upstream ValidateIngressLoadBalancerStatus. */
function validateIngressStatus(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const p = FieldPath.root('status').child('loadBalancer').child('ingress');
  records(rec(rec(obj['status'])?.['loadBalancer'])?.['ingress']).forEach((ing, i) => {
    const ip = str(ing['ip']);
    if (ip) errs.push(...isValidIP(ip).map((m) => invalid(p.index(i).child('ip').toString(), ip, m)));
    const hostname = str(ing['hostname']);
    if (hostname) {
      errs.push(...isDns1123Subdomain(hostname).map((m) => invalid(p.index(i).child('hostname').toString(), hostname, m)));
      if (isIP(hostname)) errs.push(invalid(p.index(i).child('hostname').toString(), hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** IngressStatus holds a struct Go always writes: `status: {loadBalancer: {}}`. */
export function defaultIngress(obj: KubeObject): void {
  ensureRecord(ensureRecord(obj, 'status'), 'loadBalancer');
}

export const ingressStrategy: ResourceStrategy = {
  defaults: defaultIngress,
  prepareForCreate(obj) {
    clearStatus(obj);
    obj.metadata.generation = 1;
  },
  prepareForUpdate(obj, old) {
    keepStatus(obj, old);
    updateGeneration(obj, old);
  },
  validateCreate: validateIngressCreate,
  validateUpdate: validateIngressSpec,
  validateStatusUpdate: validateIngressStatus,
};
