/** discovery.k8s.io/v1 EndpointSlice. */

import { CORE, DISCOVERY, bool, gvk, int32, listOf, obj, objectProps, ref, refArr, str, strArr, strMap } from '../schema-dsl.js';
import type { SchemaMap } from '../schema-dsl.js';

const SLICE_GVK = gvk('discovery.k8s.io', 'v1', 'EndpointSlice');

export const discoverySchemas: SchemaMap = {
  [DISCOVERY + 'EndpointSlice']: obj({
    description:
      'An EndpointSlice holds a subset of the endpoints (addresses and ports) of a Service; a Service may have several slices. It is linked to its Service by the label kubernetes.io/service-name.',
    properties: {
      ...objectProps('EndpointSlice'),
      addressType: str(
        'Type of every address in the slice: "IPv4", "IPv6" or "FQDN" (deprecated). Cannot be changed after creation.',
        { enum: ['FQDN', 'IPv4', 'IPv6'] },
      ),
      endpoints: refArr(DISCOVERY + 'Endpoint', 'The endpoints of the slice; at most 1000.', { listType: 'atomic' }),
      ports: refArr(
        DISCOVERY + 'EndpointPort',
        'Ports exposed by every endpoint of the slice; at most 100. Empty means no ports are defined; a port with an empty name is one unnamed Service port.',
        { listType: 'atomic' },
      ),
    },
    required: ['addressType', 'endpoints'],
    gvk: [SLICE_GVK],
  }),
  [DISCOVERY + 'EndpointSliceList']: listOf(DISCOVERY + 'EndpointSlice', 'EndpointSlice', SLICE_GVK, 'EndpointSlices'),

  [DISCOVERY + 'Endpoint']: obj({
    description: 'One logical backend of a Service, usually a Pod.',
    properties: {
      addresses: strArr(
        'Addresses of the endpoint, of the slice\'s addressType. Consumers use the first; at least one is required and at most 100.',
        { listType: 'set' },
      ),
      conditions: ref(DISCOVERY + 'EndpointConditions', 'Current readiness state of the endpoint.', { default: {} }),
      deprecatedTopology: strMap(
        'Deprecated topology labels kept from the v1beta1 API; ignored, use zone and nodeName.',
      ),
      hints: ref(DISCOVERY + 'EndpointHints', 'Hints for topology-aware routing, such as zones this endpoint should serve.'),
      hostname: str('Hostname of the endpoint, used by DNS for headless Services; must be a DNS label.'),
      nodeName: str('Node hosting the endpoint, used for node-local routing.'),
      targetRef: ref(CORE + 'ObjectReference', 'The object (usually a Pod) that the endpoint represents.'),
      zone: str('Zone the endpoint is in.'),
    },
    required: ['addresses'],
  }),

  [DISCOVERY + 'EndpointConditions']: obj({
    description: 'Readiness state of an endpoint. Unset fields mean unknown; consumers treat an unknown ready as ready.',
    properties: {
      ready: bool(
        'Whether the endpoint is ready to receive new connections. For Pods, true when the Pod is ready and not terminating (unless publishNotReadyAddresses is set on the Service).',
      ),
      serving: bool('Whether the endpoint would be ready if it were not terminating; lets traffic drain to terminating Pods.'),
      terminating: bool('Whether the endpoint is terminating (for Pods, it has a deletionTimestamp).'),
    },
  }),

  [DISCOVERY + 'EndpointHints']: obj({
    description: 'Topology hints for consumers of an endpoint.',
    properties: {
      forNodes: refArr(DISCOVERY + 'ForNode', 'Nodes this endpoint should preferably serve.', { listType: 'atomic' }),
      forZones: refArr(DISCOVERY + 'ForZone', 'Zones this endpoint should preferably serve.', { listType: 'atomic' }),
    },
  }),

  [DISCOVERY + 'ForZone']: obj({
    description: 'A zone an endpoint should serve.',
    properties: {
      name: str('Name of the zone.'),
    },
    required: ['name'],
  }),

  [DISCOVERY + 'ForNode']: obj({
    description: 'A node an endpoint should serve.',
    properties: {
      name: str('Name of the node.'),
    },
    required: ['name'],
  }),

  [DISCOVERY + 'EndpointPort']: obj({
    description: 'One port of an EndpointSlice.',
    properties: {
      appProtocol: str('Application protocol of the port, copied from the Service port\'s appProtocol.'),
      name: str(
        'Name of the port, matching the Service port name; empty for a single unnamed port. Must be a DNS label when set.',
      ),
      port: int32('Port number of the endpoints; unset means all ports.'),
      protocol: str('IP protocol of the port: "TCP" (default), "UDP" or "SCTP".', { enum: ['SCTP', 'TCP', 'UDP'] }),
    },
    mapType: 'atomic',
  }),
};
