/** core/v1 Service and Endpoints. */

import {
  CORE,
  META,
  arr,
  bool,
  gvk,
  int32,
  intOrString,
  listOf,
  obj,
  objectProps,
  ref,
  refArr,
  str,
  strArr,
  strMap,
} from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

const SERVICE_GVK = gvk('', 'v1', 'Service');
const ENDPOINTS_GVK = gvk('', 'v1', 'Endpoints');

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export const coreServiceSchemas: SchemaMap = {
  [CORE + 'Service']: obj({
    description:
      'A Service gives a set of Pods (usually chosen by a label selector) one stable virtual IP address and DNS name, and load-balances connections to its ports across the ready Pods.',
    properties: {
      ...objectProps('Service'),
      spec: ref(CORE + 'ServiceSpec', 'Desired behaviour of the Service: its ports, selector, type and IP addressing.', {
        default: {},
      }),
      status: ref(
        CORE + 'ServiceStatus',
        'Most recently observed state of the Service, such as the load balancer address. Written by the system; read-only for users.',
        { default: {} },
      ),
    },
    gvk: [SERVICE_GVK],
  }),
  [CORE + 'ServiceList']: listOf(CORE + 'Service', 'Service', SERVICE_GVK, 'Services'),

  [CORE + 'ServiceSpec']: obj({
    description: 'The user-specified behaviour of a Service.',
    properties: {
      allocateLoadBalancerNodePorts: bool(
        'Whether node ports are allocated for a LoadBalancer Service. Defaults to true; set to false only when the load balancer sends traffic straight to Pods. Only valid for type LoadBalancer.',
      ),
      clusterIP: str(
        'The virtual IP address of the Service, normally allocated at random from the service CIDR. May be set explicitly on create, or "None" for a headless Service (DNS returns Pod IPs, no proxying). Cannot be changed except to clear it when switching to ExternalName; ignored for ExternalName.',
      ),
      clusterIPs: strArr(
        'The cluster IPs of the Service, one per IP family; clusterIPs[0] always equals clusterIP. At most two entries (dual-stack), ordered as ipFamilies. Allocated by the system when empty; "None" for headless Services.',
      ),
      externalIPs: strArr(
        'Additional IP addresses for which nodes accept traffic for this Service. These addresses are not managed by Kubernetes; routing them to a node is the administrator\'s job.',
      ),
      externalName: str(
        'The DNS name that cluster DNS returns as a CNAME for this Service. Required when type is ExternalName; must be a lowercase RFC 1123 hostname.',
      ),
      externalTrafficPolicy: str(
        'How traffic arriving from outside the cluster (node ports, load balancer IPs, external IPs) is routed. "Cluster" (default) spreads it over all ready endpoints; "Local" only uses endpoints on the receiving node, preserving the client source IP, and drops traffic on nodes without one.',
        { enum: ['Cluster', 'Local'] },
      ),
      healthCheckNodePort: int32(
        'Node port serving a health check that reports whether the node has local endpoints, for load balancers. Allocated automatically when type is LoadBalancer and externalTrafficPolicy is Local; may be set explicitly in that case only.',
      ),
      internalTrafficPolicy: str(
        'How traffic to the cluster IP from inside the cluster is routed. "Cluster" (default) uses all ready endpoints; "Local" uses only endpoints on the same node as the client and drops the traffic when there are none.',
        { enum: ['Cluster', 'Local'] },
      ),
      ipFamilies: arr(
        { type: 'string', enum: ['', 'IPv4', 'IPv6'] },
        'IP families ("IPv4", "IPv6") assigned to the Service, in the order of clusterIPs. Chosen from the cluster configuration and ipFamilyPolicy when not set. At most two entries.',
        { listType: 'atomic' },
      ),
      ipFamilyPolicy: str(
        'Dual-stack behaviour: "SingleStack" (one IP family, the default), "PreferDualStack" (two families when the cluster supports it) or "RequireDualStack" (fails without two). Headless Services without a selector default to RequireDualStack semantics when possible.',
        { enum: ['PreferDualStack', 'RequireDualStack', 'SingleStack'] },
      ),
      loadBalancerClass: str(
        'Which load-balancer implementation handles this Service, as a label-style name such as "example.com/internal-vip". When unset, the cloud provider\'s default implementation is used. Only for type LoadBalancer; cannot be changed once set.',
      ),
      loadBalancerIP: str(
        'Deprecated: requested IP for the load balancer, honoured only by some implementations. Use implementation-specific annotations instead.',
      ),
      loadBalancerSourceRanges: strArr(
        'CIDR ranges of clients allowed to reach the load balancer, when the implementation supports it (e.g. "10.0.0.0/8"). Empty means no restriction.',
      ),
      ports: refArr(
        CORE + 'ServicePort',
        'The ports exposed by the Service. Each (port, protocol) pair must be unique, and names must be unique when more than one port is listed.',
        { listType: 'map', mapKeys: ['port', 'protocol'], mergeKey: 'port', strategy: 'merge' },
      ),
      publishNotReadyAddresses: bool(
        'When true, DNS and endpoints include Pods that are not ready, e.g. for peer discovery in StatefulSets. Defaults to false.',
      ),
      selector: strMap(
        'Labels of the Pods that back this Service: traffic goes to ready Pods whose labels match all of these pairs. When empty, endpoints are not managed automatically and must be provided by other means. Ignored for ExternalName.',
        { mapType: 'atomic' },
      ),
      sessionAffinity: str(
        'Session stickiness: "ClientIP" sends all connections from one client IP to the same endpoint (for sessionAffinityConfig.clientIP.timeoutSeconds, default 10800 s); "None" (default) balances each connection independently.',
        { enum: ['ClientIP', 'None'] },
      ),
      sessionAffinityConfig: ref(CORE + 'SessionAffinityConfig', 'Settings for session affinity, such as its timeout.'),
      topologyKeys: strArr(
        'Deprecated alpha field of Kubernetes 1.17 to 1.21, accepted for old manifests and otherwise ignored: an ordered list of node label keys for topology-aware routing. Use trafficDistribution instead.',
      ),
      trafficDistribution: str(
        'Preference for how traffic is spread over endpoints. "PreferClose" favours endpoints topologically close to the client (same zone); unset means no preference.',
      ),
      type: str(
        'How the Service is exposed. "ClusterIP" (default) gives a cluster-internal virtual IP; "NodePort" additionally opens a port on every node; "LoadBalancer" additionally requests an external load balancer; "ExternalName" is only a DNS CNAME to externalName, without proxying.',
        { enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] },
      ),
    },
  }),

  [CORE + 'ServicePort']: obj({
    description: 'One port exposed by a Service and where its traffic is sent on the backing Pods.',
    properties: {
      appProtocol: str(
        'Application protocol carried on this port, as a hint to implementations: an IANA service name (e.g. "http") or a prefixed name such as "kubernetes.io/h2c".',
      ),
      name: str(
        'Name of the port within the Service; must be a DNS label and unique among the ports. Required when more than one port is defined. Matched against EndpointPort names.',
      ),
      nodePort: int32(
        'Port opened on every node when type is NodePort or LoadBalancer. Allocated from the node-port range when not set; a requested value must be free and in range. Cleared when the type no longer needs it.',
      ),
      port: int32('The port number the Service listens on (1-65535).'),
      protocol: str('IP protocol of the port: "TCP" (default), "UDP" or "SCTP".', { enum: PROTOCOLS, default: 'TCP' }),
      targetPort: intOrString(
        'Port on the Pods that traffic is forwarded to: a number (1-65535) or the name of a container port. Defaults to the value of port. Ignored for Services without a selector.',
      ),
    },
    required: ['port'],
  }),

  [CORE + 'SessionAffinityConfig']: obj({
    description: 'Settings for Service session affinity.',
    properties: {
      clientIP: ref(CORE + 'ClientIPConfig', 'Settings for ClientIP-based session affinity.'),
    },
  }),

  [CORE + 'ClientIPConfig']: obj({
    description: 'Settings for ClientIP-based session affinity.',
    properties: {
      timeoutSeconds: int32(
        'How long a client stays pinned to one endpoint after its last connection, in seconds. Must be in 1..86400; defaults to 10800 (3 hours).',
      ),
    },
  }),

  [CORE + 'ServiceStatus']: obj({
    description: 'The observed state of a Service.',
    properties: {
      conditions: refArr(META + 'Condition', 'Current conditions of the Service.', {
        listType: 'map',
        mapKeys: ['type'],
        mergeKey: 'type',
        strategy: 'merge',
      }),
      loadBalancer: ref(CORE + 'LoadBalancerStatus', 'The load balancer in front of the Service, if any.', {
        default: {},
      }),
    },
  }),

  [CORE + 'LoadBalancerStatus']: obj({
    description: 'The status of a load balancer.',
    properties: {
      ingress: refArr(CORE + 'LoadBalancerIngress', 'Addresses (IP or hostname) at which the load balancer receives traffic.', {
        listType: 'atomic',
      }),
    },
  }),

  [CORE + 'LoadBalancerIngress']: obj({
    description: 'One address of a load balancer: an IP, a hostname, or both.',
    properties: {
      hostname: str('DNS name of the load balancer, for implementations that publish names (e.g. AWS ELB).'),
      ip: str('IP address of the load balancer, for implementations that publish addresses.'),
      ipMode: str(
        '"VIP" means traffic arrives at nodes with the load balancer IP as destination; "Proxy" means the load balancer rewrites it to the node or Pod. Only valid together with ip.',
        { enum: ['Proxy', 'VIP'] },
      ),
      ports: refArr(CORE + 'PortStatus', 'Status of each Service port on this address.', { listType: 'atomic' }),
    },
  }),

  [CORE + 'PortStatus']: obj({
    description: 'The status of one port of a load balancer or ingress.',
    properties: {
      error: str('Problem with the port, as a CamelCase reason such as "PortAllocated"; empty when the port works.'),
      port: int32('The port number.'),
      protocol: str('IP protocol of the port: "TCP", "UDP" or "SCTP".', { enum: PROTOCOLS }),
    },
    required: ['port', 'protocol'],
  }),

  [CORE + 'Endpoints']: obj({
    description:
      'The legacy list of network endpoints (IP and port) that implement a Service, kept in sync for Services with a selector. Superseded by discovery.k8s.io/v1 EndpointSlice.',
    properties: {
      ...objectProps('Endpoints'),
      subsets: refArr(
        CORE + 'EndpointSubset',
        'Groups of addresses sharing the same ports; the full endpoint set is the union of all subsets. Empty when the Service has no endpoints.',
        { listType: 'atomic' },
      ),
    },
    gvk: [ENDPOINTS_GVK],
  }),
  [CORE + 'EndpointsList']: listOf(CORE + 'Endpoints', 'Endpoints', ENDPOINTS_GVK, 'Endpoints objects'),

  [CORE + 'EndpointSubset']: obj({
    description: 'A set of addresses that all expose the same ports (every address × every port is an endpoint).',
    properties: {
      addresses: refArr(CORE + 'EndpointAddress', 'Addresses that are ready to receive traffic.', { listType: 'atomic' }),
      notReadyAddresses: refArr(
        CORE + 'EndpointAddress',
        'Addresses that are not (yet) ready, e.g. Pods that are starting or failing readiness checks.',
        { listType: 'atomic' },
      ),
      ports: refArr(CORE + 'EndpointPort', 'Ports available on every address of this subset.', { listType: 'atomic' }),
    },
  }),

  [CORE + 'EndpointAddress']: obj({
    description: 'One IP address of an endpoint, usually a Pod.',
    properties: {
      hostname: str('Hostname of the endpoint, published in DNS for headless Services.'),
      ip: str('IP address of the endpoint. Must not be loopback, link-local or link-local multicast.'),
      nodeName: str('Node that hosts the endpoint, used for topology-aware routing.'),
      targetRef: ref(CORE + 'ObjectReference', 'The object (usually a Pod) that provides this endpoint.'),
    },
    required: ['ip'],
    mapType: 'atomic',
  }),

  [CORE + 'EndpointPort']: obj({
    description: 'One port of an Endpoints subset.',
    properties: {
      appProtocol: str('Application protocol of the port, copied from the Service port.'),
      name: str('Name of the port, matching the Service port name; optional when there is only one port.'),
      port: int32('The port number.'),
      protocol: str('IP protocol of the port: "TCP" (default), "UDP" or "SCTP".', { enum: PROTOCOLS }),
    },
    required: ['port'],
    mapType: 'atomic',
  }),
};
