import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { fieldErrorString } from '../../field-errors.js';
import { invalid as invalidStatus } from '../../status.js';
import { defaultService } from './service-defaults.js';
import { normalizeClusterIPs, prepareServiceUpdate } from './service-prepare.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './service-validation.js';

type Spec = Record<string, unknown>;

/** A Service as validation sees it on create: defaulted and normalized. */
function svc(spec: Spec, meta: Record<string, unknown> = {}): KubeObject {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', ...meta }, spec: structuredClone(spec) };
  defaultService(obj);
  normalizeClusterIPs(obj, undefined);
  return obj;
}

const msgs = (obj: KubeObject): string[] => validateService(obj).map(fieldErrorString);

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('validateService', () => {
  const cases: { name: string; spec: Spec; meta?: Record<string, unknown>; want: string[] }[] = [
    { name: 'valid ClusterIP', spec: { selector: { app: 'web' }, ports: [{ port: 80 }] }, want: [] },
    { name: 'valid headless without ports', spec: { clusterIP: 'None', selector: { app: 'web' } }, want: [] },
    { name: 'valid ExternalName with trailing dot', spec: { type: 'ExternalName', externalName: 'db.example.com.' }, want: [] },
    {
      name: 'port out of range',
      spec: { ports: [{ port: 70000, targetPort: 8080 }] },
      want: ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    },
    {
      name: 'port out of range, defaulted targetPort inherits it',
      spec: { ports: [{ port: 70000 }] },
      want: [
        'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    },
    { name: 'ports required', spec: { selector: { app: 'web' } }, want: ['spec.ports: Required value'] },
    {
      name: 'second port name required',
      spec: { ports: [{ name: 'http', port: 80 }, { port: 443 }] },
      want: ['spec.ports[1].name: Required value'],
    },
    {
      name: 'duplicate port name',
      spec: { ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] },
      want: ['spec.ports[1].name: Duplicate value: "http"'],
    },
    {
      name: 'port name must be a DNS label',
      spec: { ports: [{ name: 'Http', port: 80 }, { name: 'b', port: 81 }] },
      want: [`spec.ports[0].name: Invalid value: "Http": ${LABEL_MSG}`],
    },
    {
      name: 'unsupported protocol',
      spec: { ports: [{ port: 80, protocol: 'ICMP' }] },
      want: ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
    },
    {
      name: 'numeric-string targetPort is a bad port name',
      spec: { ports: [{ port: 80, targetPort: '8080' }] },
      want: ['spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)'],
    },
    {
      name: 'targetPort out of range',
      spec: { ports: [{ port: 80, targetPort: 0.5e6 }] },
      want: ['spec.ports[0].targetPort: Invalid value: 500000: must be between 1 and 65535, inclusive'],
    },
    {
      name: 'nodePort on ClusterIP',
      spec: { ports: [{ port: 80, nodePort: 30080 }] },
      want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    },
    {
      name: 'ExternalName without externalName',
      spec: { type: 'ExternalName' },
      want: ['spec.externalName: Required value'],
    },
    {
      name: 'ExternalName with bad externalName',
      spec: { type: 'ExternalName', externalName: 'Not_A_Host' },
      want: [`spec.externalName: Invalid value: "Not_A_Host": ${SUBDOMAIN_MSG}`],
    },
    {
      name: 'ExternalName with clusterIP',
      spec: { type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.96.0.10' },
      want: ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
    },
    {
      name: 'NodePort headless',
      spec: { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] },
      want: [`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`],
    },
    {
      name: 'LoadBalancer headless',
      spec: { type: 'LoadBalancer', clusterIP: 'None', ports: [{ port: 80 }] },
      want: [`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services`],
    },
    {
      name: 'session affinity timeout too large',
      spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } }, ports: [{ port: 80 }] },
      want: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400'],
    },
    {
      name: 'session affinity timeout zero',
      spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } }, ports: [{ port: 80 }] },
      want: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400'],
    },
    {
      name: 'unsupported session affinity',
      spec: { sessionAffinity: 'Cookie', ports: [{ port: 80 }] },
      want: ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'],
    },
    {
      name: 'unsupported type',
      spec: { type: 'Ingress', ports: [{ port: 80 }] },
      want: ['spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    },
    {
      name: 'invalid clusterIP',
      spec: { clusterIP: '10.96.0.300', ports: [{ port: 80 }] },
      want: ['spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    },
    {
      name: 'clusterIPs must start with clusterIP',
      spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'], ports: [{ port: 80 }] },
      want: ['spec.clusterIPs: Invalid value: []string{"10.96.0.6"}: first value must match `clusterIP`'],
    },
    {
      name: 'two IPv4 clusterIPs',
      spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', '10.96.0.6'], ports: [{ port: 80 }] },
      want: ['spec.clusterIPs: Invalid value: []string{"10.96.0.5", "10.96.0.6"}: may specify no more than one IP for each IP family'],
    },
    {
      name: 'externalIPs special and invalid',
      spec: { externalIPs: ['127.0.0.1', 'nope'], ports: [{ port: 80 }] },
      want: [
        'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'spec.externalIPs[1]: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
    },
    {
      name: 'externalTrafficPolicy on plain ClusterIP',
      spec: { externalTrafficPolicy: 'Local', ports: [{ port: 80 }] },
      want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
    },
    {
      name: 'unsupported externalTrafficPolicy',
      spec: { type: 'NodePort', externalTrafficPolicy: 'Global', ports: [{ port: 80 }] },
      want: ['spec.externalTrafficPolicy: Unsupported value: "Global": supported values: "Cluster", "Local"'],
    },
    {
      name: 'healthCheckNodePort on NodePort',
      spec: { type: 'NodePort', healthCheckNodePort: 30100, ports: [{ port: 80 }] },
      want: ["spec.healthCheckNodePort: Invalid value: 30100: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"],
    },
    {
      name: 'source ranges on ClusterIP and malformed',
      spec: { loadBalancerSourceRanges: ['10.0.0.0/8', ' 10.1.0.0/33 '], ports: [{ port: 80 }] },
      want: [
        "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
        'spec.LoadBalancerSourceRanges[1]: Invalid value: "10.1.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    },
    {
      name: 'allocateLoadBalancerNodePorts on NodePort',
      spec: { type: 'NodePort', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] },
      want: ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"],
    },
    {
      name: 'duplicate nodePort for the same protocol',
      spec: { type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30080 }] },
      want: ['spec.ports[1].nodePort: Duplicate value: 30080'],
    },
    {
      name: 'same nodePort for TCP and UDP is fine',
      spec: { type: 'NodePort', ports: [{ name: 'a', port: 53, nodePort: 30053 }, { name: 'b', port: 53, protocol: 'UDP', nodePort: 30053 }] },
      want: [],
    },
    {
      name: 'unsupported internalTrafficPolicy',
      spec: { internalTrafficPolicy: 'Node', ports: [{ port: 80 }] },
      want: ['spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"'],
    },
    {
      name: 'invalid selector value',
      spec: { selector: { app: 'a b' }, ports: [{ port: 80 }] },
      want: [
        `spec.selector: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    },
    {
      name: 'invalid name (DNS-1035)',
      spec: { ports: [{ port: 80 }] },
      meta: { name: '1web' },
      want: [`metadata.name: Invalid value: "1web": ${DNS1035_MSG}`],
    },
    { name: 'topologyKeys accepted', spec: { topologyKeys: ['kubernetes.io/hostname', '*'], ports: [{ port: 80 }] }, want: [] },
    {
      name: 'topologyKeys: "*" not last, duplicate',
      spec: { topologyKeys: ['*', 'zone', 'zone'], ports: [{ port: 80 }] },
      want: ['spec.topologyKeys[0]: Invalid value: "*": "*" must be the last value specified', 'spec.topologyKeys[2]: Duplicate value: "zone"'],
    },
    {
      name: 'topologyKeys: too many',
      spec: { topologyKeys: Array.from({ length: 17 }, (_, i) => `k${i}`), ports: [{ port: 80 }] },
      want: ['spec.topologyKeys: Too many: 17: must have at most 16 items'],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(msgs(svc(c.spec, c.meta)), c.want));

  test('the 422 message kubectl prints', () => {
    const obj = svc({ ports: [{ port: 70000, targetPort: 80 }] }, { name: 'bad' });
    const err = invalidStatus({ group: '', kind: 'Service' }, 'bad', validateService(obj));
    assert.equal(err.status.message, 'Service "bad" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
  });
});

describe('validateServiceUpdate', () => {
  const stored = (spec: Spec): KubeObject => {
    const obj = svc(spec, { uid: 'u1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z' });
    return obj;
  };
  /** What the store validates: the client's object after update preparation. */
  const update = (client: Spec, old: KubeObject): string[] => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: structuredClone(old.metadata), spec: structuredClone(client) };
    prepareServiceUpdate(obj, old);
    defaultService(obj);
    return validateServiceUpdate(obj, old).map(fieldErrorString);
  };
  const base = { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80 }] };

  const cases: { name: string; old: Spec; client: Spec; want: string[] }[] = [
    { name: 'resubmitting without clusterIP keeps it', old: base, client: { ports: [{ port: 80 }] }, want: [] },
    {
      name: 'changing clusterIP',
      old: base,
      client: { ...base, clusterIP: '10.96.0.6', clusterIPs: ['10.96.0.5'] },
      want: ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set'],
    },
    {
      name: 'ClusterIP to ExternalName clears clusterIP on the client\'s behalf',
      old: base,
      client: { ...base, type: 'ExternalName', externalName: 'db.example.com', ports: [] },
      want: [],
    },
    {
      name: 'ClusterIP to ExternalName with a changed clusterIP fails',
      old: base,
      client: { ...base, clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], type: 'ExternalName', externalName: 'db.example.com' },
      want: ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
    },
    {
      name: 'ExternalName to ClusterIP',
      old: { type: 'ExternalName', externalName: 'db.example.com' },
      client: { type: 'ClusterIP', ports: [{ port: 80 }] },
      want: [],
    },
    {
      name: 'NodePort to ClusterIP drops node ports',
      old: { ...base, type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
      client: { ...base, type: 'ClusterIP', ports: [{ port: 80, nodePort: 30080 }], externalTrafficPolicy: 'Cluster' },
      want: [],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(update(c.client, stored(c.old)), c.want));
});

describe('validateServiceStatusUpdate', () => {
  const old = svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }, { uid: 'u1', resourceVersion: '3' });
  const cases: { name: string; status: unknown; type?: string; want: string[] }[] = [
    { name: 'ip with mode', status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } }, want: [] },
    {
      name: 'ip without mode',
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
      want: ['status.loadBalancer.ingress[0].ipMode: Required value: must be specified when `ip` is set'],
    },
    {
      name: 'hostname that is an IP',
      status: { loadBalancer: { ingress: [{ hostname: '192.0.2.1' }] } },
      want: ['status.loadBalancer.ingress[0].hostname: Invalid value: "192.0.2.1": must be a DNS name, not an IP address'],
    },
    {
      name: 'ingress on ClusterIP',
      type: 'ClusterIP',
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ipMode: 'VIP' }] } },
      want: ["status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'"],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = structuredClone(old);
      obj['status'] = c.status;
      if (c.type) (obj['spec'] as Spec)['type'] = c.type;
      assert.deepEqual(validateServiceStatusUpdate(obj, old).map(fieldErrorString), c.want);
    });
  }
});
