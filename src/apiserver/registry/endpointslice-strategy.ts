/**
 * discovery.k8s.io/v1 EndpointSlices (upstream pkg/apis/discovery/v1/defaults.go,
 * pkg/apis/discovery/validation). Ports default to `name: ""` and
 * `protocol: TCP` (kubectl describe relies on the name being present);
 * addressType is required and immutable; at most 1000 endpoints, 100
 * addresses per endpoint and 100 ports.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, duplicate, invalid, notSupported, required, tooMany } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { isDns1123Label, isQualifiedName } from '../validation/names.js';
import { validateImmutableField, validateLabels } from '../validation/object-meta.js';
import { type JsonRecord, arr, rec, records, str } from './json-shape.js';
import { validateFqdn, validateIPv4Address, validateIPv6Address, validateNonSpecialIP } from './value-formats.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;
const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;
const MAX_TOPOLOGY_LABELS = 16;

export function defaultEndpointSlice(obj: KubeObject): void {
  for (const port of records(obj['ports'])) {
    if (typeof port['name'] !== 'string') port['name'] = '';
    if (typeof port['protocol'] !== 'string') port['protocol'] = 'TCP';
  }
}

function validateAddress(address: string, addressType: string, path: string): FieldError[] {
  switch (addressType) {
    case 'IPv4':
      return [...validateIPv4Address(address, path), ...validateNonSpecialIP(address, path)];
    case 'IPv6':
      return [...validateIPv6Address(address, path), ...validateNonSpecialIP(address, path)];
    case 'FQDN':
      return validateFqdn(address, path);
    default:
      return [];
  }
}

function validateEndpointList(endpoints: unknown, addressType: string): FieldError[] {
  const p = FieldPath.root('endpoints');
  const list = arr(endpoints);
  if (list.length > MAX_ENDPOINTS) return [tooMany(p.toString(), list.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  list.forEach((raw, i) => {
    const ep = rec(raw) ?? {};
    const ip = p.index(i);
    const ap = ip.child('addresses');
    const addresses = arr(ep['addresses']).map(String);
    if (addresses.length === 0) errs.push(required(ap.toString(), 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(ap.toString(), addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => errs.push(...validateAddress(a, addressType, ap.index(j).toString())));
    const topology = rec(ep['deprecatedTopology']);
    if (topology) {
      // Upstream reports on the internal field name.
      const tp = ip.child('topology').toString();
      if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) errs.push(tooMany(tp, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
      errs.push(...validateLabels(topology, tp));
    }
    if (typeof ep['hostname'] === 'string') {
      const hostname = ep['hostname'];
      errs.push(...isDns1123Label(hostname).map((m) => invalid(ip.child('hostname').toString(), hostname, m)));
    }
  });
  return errs;
}

function validatePorts(ports: unknown): FieldError[] {
  const p = FieldPath.root('ports');
  const list = arr(ports);
  if (list.length > MAX_PORTS) return [tooMany(p.toString(), list.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((raw, i) => {
    const port: JsonRecord = rec(raw) ?? {};
    const ip = p.index(i);
    const name = str(port['name']);
    if (name) errs.push(...isDns1123Label(name).map((m) => invalid(ip.child('name').toString(), name, m)));
    if (names.has(name)) errs.push(duplicate(ip.child('name').toString(), name));
    else names.add(name);
    const protocol = port['protocol'];
    if (typeof protocol !== 'string') errs.push(required(ip.child('protocol').toString()));
    else if (!(PORT_PROTOCOLS as readonly string[]).includes(protocol)) errs.push(notSupported(ip.child('protocol').toString(), protocol, PORT_PROTOCOLS));
    if (typeof port['appProtocol'] === 'string') {
      const ap = port['appProtocol'];
      errs.push(...isQualifiedName(ap).map((m) => invalid(ip.child('appProtocol').toString(), ap, m)));
    }
  });
  return errs;
}

/** Upstream ValidateEndpointSlice (metadata aside). */
export function validateEndpointSlice(obj: KubeObject): FieldError[] {
  const addressType = str(obj['addressType']);
  const errs: FieldError[] = [];
  if (!addressType) errs.push(required('addressType'));
  else if (!(ADDRESS_TYPES as readonly string[]).includes(addressType)) errs.push(notSupported('addressType', addressType, ADDRESS_TYPES));
  errs.push(...validateEndpointList(obj['endpoints'], addressType));
  errs.push(...validatePorts(obj['ports']));
  return errs;
}

export const endpointSliceStrategy: ResourceStrategy = {
  defaults: defaultEndpointSlice,
  validateCreate: validateEndpointSlice,
  validateUpdate(obj, old) {
    return [...validateEndpointSlice(obj), ...validateImmutableField(obj['addressType'], old['addressType'], 'addressType')];
  },
};
