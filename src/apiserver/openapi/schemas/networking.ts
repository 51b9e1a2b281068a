/** networking.k8s.io/v1 Ingress and IngressClass. */

import { CORE, NETWORKING, gvk, int32, listOf, obj, objectProps, ref, refArr, str, strArr } from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

const INGRESS_GVK = gvk('networking.k8s.io', 'v1', 'Ingress');
const INGRESSCLASS_GVK = gvk('networking.k8s.io', 'v1', 'IngressClass');

export const networkingSchemas: SchemaMap = {
  [NETWORKING + 'Ingress']: obj({
    description:
      'An Ingress routes external HTTP(S) traffic to Services by host name and URL path, optionally terminating TLS. An ingress controller chosen by ingressClassName implements it.',
    properties: {
      ...objectProps('Ingress'),
      spec: ref(NETWORKING + 'IngressSpec', 'Desired routing: rules, default backend, TLS and the class of controller.', {
        default: {},
      }),
      status: ref(NETWORKING + 'IngressStatus', 'Most recently observed state, such as the load balancer address. Read-only.', {
        default: {},
      }),
    },
    gvk: [INGRESS_GVK],
  }),
  [NETWORKING + 'IngressList']: listOf(NETWORKING + 'Ingress', 'Ingress', INGRESS_GVK, 'Ingresses'),

  [NETWORKING + 'IngressSpec']: obj({
    description: 'The desired state of an Ingress.',
    properties: {
      defaultBackend: ref(
        NETWORKING + 'IngressBackend',
        'Backend for requests that match no rule. When unset, the controller decides how to handle them.',
      ),
      ingressClassName: str(
        'Name of the IngressClass whose controller implements this Ingress. When unset, the cluster\'s default IngressClass (if one is marked) is used.',
      ),
      rules: refArr(
        NETWORKING + 'IngressRule',
        'Host and path rules; traffic that matches no rule goes to defaultBackend.',
        { listType: 'atomic' },
      ),
      tls: refArr(
        NETWORKING + 'IngressTLS',
        'TLS settings: which hosts are served over HTTPS and with which certificate Secret. Only port 443 is supported.',
        { listType: 'atomic' },
      ),
    },
  }),

  [NETWORKING + 'IngressBackend']: obj({
    description: 'Where matching traffic is sent: a Service port or another resource; exactly one must be set.',
    properties: {
      resource: ref(
        CORE + 'TypedLocalObjectReference',
        'A non-Service object in the same namespace, e.g. a storage bucket, interpreted by the controller.',
      ),
      service: ref(NETWORKING + 'IngressServiceBackend', 'A Service port in the same namespace.'),
    },
  }),

  [NETWORKING + 'IngressServiceBackend']: obj({
    description: 'A Service port used as an Ingress backend.',
    properties: {
      name: str('Name of the Service, in the same namespace as the Ingress.'),
      port: ref(NETWORKING + 'ServiceBackendPort', 'Port of the Service, by number or by name.', { default: {} }),
    },
    required: ['name'],
  }),

  [NETWORKING + 'ServiceBackendPort']: obj({
    description: 'A Service port, given by name or by number (exactly one).',
    properties: {
      name: str('Name of the Service port.'),
      number: int32('Number of the Service port.'),
    },
    mapType: 'atomic',
  }),

  [NETWORKING + 'IngressRule']: obj({
    description: 'Routes requests for one host (or all hosts) by path.',
    properties: {
      host: str(
        'Fully qualified domain name matched against the request host (no IP, no port). A leading "*." wildcard matches exactly one DNS label. When unset, the rule matches all hosts.',
      ),
      http: ref(NETWORKING + 'HTTPIngressRuleValue', 'The path rules for this host.'),
    },
  }),

  [NETWORKING + 'HTTPIngressRuleValue']: obj({
    description: 'A list of path rules; the longest matching path wins.',
    properties: {
      paths: refArr(NETWORKING + 'HTTPIngressPath', 'Paths mapped to backends.', { listType: 'atomic' }),
    },
    required: ['paths'],
  }),

  [NETWORKING + 'HTTPIngressPath']: obj({
    description: 'Maps a URL path to a backend.',
    properties: {
      backend: ref(NETWORKING + 'IngressBackend', 'Where matching requests are sent.', { default: {} }),
      path: str('Path to match, starting with "/". Required unless pathType is ImplementationSpecific.'),
      pathType: str(
        'How path is matched: "Exact" (the whole path, case-sensitive), "Prefix" (by "/"-separated elements, so /foo matches /foo/bar but not /foobar) or "ImplementationSpecific" (up to the controller).',
        { enum: ['Exact', 'ImplementationSpecific', 'Prefix'] },
      ),
    },
    required: ['pathType', 'backend'],
  }),

  [NETWORKING + 'IngressTLS']: obj({
    description: 'TLS settings for a set of hosts.',
    properties: {
      hosts: strArr('Hosts covered by the certificate; must match hosts of the rules. Defaults to the controller\'s wildcard host.'),
      secretName: str(
        'Name of a kubernetes.io/tls Secret in the same namespace holding the certificate and key. May be omitted when only SNI routing is wanted.',
      ),
    },
  }),

  [NETWORKING + 'IngressStatus']: obj({
    description: 'The observed state of an Ingress.',
    properties: {
      loadBalancer: ref(NETWORKING + 'IngressLoadBalancerStatus', 'The load balancer in front of the Ingress.', {
        default: {},
      }),
    },
  }),

  [NETWORKING + 'IngressLoadBalancerStatus']: obj({
    description: 'The status of the load balancer of an Ingress.',
    properties: {
      ingress: refArr(NETWORKING + 'IngressLoadBalancerIngress', 'Addresses of the load balancer.', { listType: 'atomic' }),
    },
  }),

  [NETWORKING + 'IngressLoadBalancerIngress']: obj({
    description: 'One address of an Ingress load balancer.',
    properties: {
      hostname: str('DNS name of the load balancer.'),
      ip: str('IP address of the load balancer.'),
      ports: refArr(NETWORKING + 'IngressPortStatus', 'Status of each port.', { listType: 'atomic' }),
    },
  }),

  [NETWORKING + 'IngressPortStatus']: obj({
    description: 'The status of one port of an Ingress load balancer.',
    properties: {
      error: str('Problem with the port as a CamelCase reason; empty when the port works.'),
      port: int32('The port number.'),
      protocol: str('IP protocol of the port: "TCP", "UDP" or "SCTP".', { enum: ['SCTP', 'TCP', 'UDP'] }),
    },
    required: ['port', 'protocol'],
  }),

  [NETWORKING + 'IngressClass']: obj({
    description:
      'An IngressClass names an ingress controller and its parameters; Ingresses select it by ingressClassName. The annotation ingressclass.kubernetes.io/is-default-class marks the default.',
    properties: {
      ...objectProps('IngressClass'),
      spec: ref(NETWORKING + 'IngressClassSpec', 'The controller and its parameters.', { default: {} }),
    },
    gvk: [INGRESSCLASS_GVK],
  }),
  [NETWORKING + 'IngressClassList']: listOf(NETWORKING + 'IngressClass', 'IngressClass', INGRESSCLASS_GVK, 'IngressClasses'),

  [NETWORKING + 'IngressClassSpec']: obj({
    description: 'The controller of an IngressClass.',
    properties: {
      controller: str(
        'Name of the controller implementing this class, as a domain-prefixed path such as "example.com/ingress-controller". Cannot be changed.',
      ),
      parameters: ref(NETWORKING + 'IngressClassParametersReference', 'An object with controller-specific configuration.'),
    },
  }),

  [NETWORKING + 'IngressClassParametersReference']: obj({
    description: 'A reference to the parameters object of an IngressClass.',
    properties: {
      apiGroup: str('API group of the referenced object; empty for the core group.'),
      kind: str('Kind of the referenced object.'),
      name: str('Name of the referenced object.'),
      namespace: str('Namespace of the referenced object; required when scope is "Namespace".'),
      scope: str('"Cluster" (default) or "Namespace": whether the object is cluster-scoped or namespaced.'),
    },
    required: ['kind', 'name'],
  }),
};
