/**
 * core/v1 Endpoints (upstream SetDefaults_Endpoints, ValidateEndpoints).
 * Port protocols default to TCP; addresses must be valid, non-special IPs;
 * ports need names when a subset has more than one.
 */
import type { KubeObject } from '../../api/object.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../field-errors.js';
import type { ResourceStrategy } from '../strategy.js';
import { isDns1123Label, isQualifiedName, isValidIP, isValidPortNum, nameIsDns1123Subdomain } from '../validation/names.js';
import { type JsonRecord, num, records, setDefault, str } from './json-shape.js';
import { validateNonSpecialIP } from './value-formats.js';

const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

export function defaultEndpoints(obj: KubeObject): void {
  for (const subset of records(obj['subsets'])) {
    for (const port of records(subset['ports'])) setDefault(port, 'protocol', 'TCP');
  }
}

function validateAddress(addr: JsonRecord, p: FieldPath): FieldError[] {
  const ip = str(addr['ip']);
  const errs = isValidIP(ip).map((m) => invalid(p.child('ip').toString(), ip, m));
  const hostname = str(addr['hostname']);
  if (hostname) errs.push(...isDns1123Label(hostname).map((m) => invalid(p.child('hostname').toString(), hostname, m)));
  if (typeof addr['nodeName'] === 'string') {
    const nodeName = addr['nodeName'];
    errs.push(...nameIsDns1123Subdomain(nodeName, false).map((m) => invalid(p.child('nodeName').toString(), nodeName, m)));
  }
  errs.push(...validateNonSpecialIP(ip, p.child('ip').toString()));
  return errs;
}

/** Upstream validateEndpointPort; also used for EndpointSlice-free callers. */
export function validateEndpointPort(port: JsonRecord, requireName: boolean, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(port['name']);
  if (requireName && !name) errs.push(required(p.child('name').toString()));
  else if (name) errs.push(...isDns1123Label(name).map((m) => invalid(p.child('name').toString(), name, m)));
  const n = num(port['port']) ?? 0;
  errs.push(...isValidPortNum(n).map((m) => invalid(p.child('port').toString(), n, m)));
  const protocol = str(port['protocol']);
  if (!protocol) errs.push(required(p.child('protocol').toString()));
  else if (!(PORT_PROTOCOLS as readonly string[]).includes(protocol)) errs.push(notSupported(p.child('protocol').toString(), protocol, PORT_PROTOCOLS));
  if (typeof port['appProtocol'] === 'string') {
    const ap = port['appProtocol'];
    errs.push(...isQualifiedName(ap).map((m) => invalid(p.child('appProtocol').toString(), ap, m)));
  }
  return errs;
}

/** Upstream ValidateEndpoints (metadata aside). */
export function validateEndpoints(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const p = FieldPath.root('subsets');
  records(obj['subsets']).forEach((subset, i) => {
    const ip = p.index(i);
    const addresses = records(subset['addresses']);
    const notReady = records(subset['notReadyAddresses']);
    if (addresses.length === 0 && notReady.length === 0) {
      errs.push(required(ip.toString(), 'must specify `addresses` or `notReadyAddresses`'));
    }
    addresses.forEach((a, j) => errs.push(...validateAddress(a, ip.child('addresses').index(j))));
    notReady.forEach((a, j) => errs.push(...validateAddress(a, ip.child('notReadyAddresses').index(j))));
    const ports = records(subset['ports']);
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, ip.child('ports').index(j))));
  });
  return errs;
}

export const endpointsStrategy: ResourceStrategy = {
  defaults: defaultEndpoints,
  validateCreate: validateEndpoints,
  validateUpdate: validateEndpoints,
};
