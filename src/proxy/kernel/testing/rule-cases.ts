/**
 * Shared cases for the kernel modes' golden and tracer tests: one ProxyState
 * per case, and packets with the outcome both modes must agree on (in the
 * tracer's summary notation).
 */
import type { ProxyState } from '../../dataplane.js';
import { buildProxyState } from '../../proxy-state.js';
import { ep, portInfo } from '../../testing/fixtures.js';
import type { EndpointInfo, ServicePortInfo } from '../../types.js';
import type { TracePacket } from '../tracer.js';

export const NODE_NAME = 'node-1';
export const NODE_IP = '192.168.0.10';
export const CLUSTER_CIDR = '10.244.0.0/16';
/** A client outside the cluster, a pod on another node. */
export const OUTSIDE = '192.0.2.99';
export const POD = '10.244.3.3';

export interface TraceCase {
  readonly name: string;
  readonly packet: TracePacket;
  /** Expected summary; `iptables` overrides where the modes legitimately differ. */
  readonly want: string;
  readonly wantIptables?: string;
}

export interface RuleCase {
  /** File name of the golden dump (without extension). */
  readonly name: string;
  readonly state: ProxyState;
  readonly traces: readonly TraceCase[];
}

const local = (ip: string, port = 8080): EndpointInfo => ep(ip, { port, nodeName: NODE_NAME, isLocal: true });
const remote = (ip: string, port = 8080): EndpointInfo => ep(ip, { port, nodeName: 'node-2' });

function stateOf(services: { info: ServicePortInfo; endpoints: EndpointInfo[] }[]): ProxyState {
  return buildProxyState({
    serviceMap: new Map(services.map((s) => [s.info.key, s.info])),
    endpointsMap: new Map(services.map((s) => [s.info.key, s.endpoints])),
    node: { nodeName: NODE_NAME, labels: {} },
    nodePortAddresses: [NODE_IP],
  });
}

const tcp = (source: string, destination: string, port: number, fromNode = false): TracePacket => ({ source, destination, protocol: 'TCP', port, fromNode });
const udp = (source: string, destination: string, port: number): TracePacket => ({ source, destination, protocol: 'UDP', port });

export const RULE_CASES: readonly RuleCase[] = [
  {
    name: 'clusterip-two-endpoints',
    state: stateOf([{ info: portInfo({ namespace: 'ns1', name: 'web', portName: 'http', clusterIPs: ['10.96.0.10'], port: 80 }), endpoints: [remote('10.244.1.2'), remote('10.244.2.3')] }]),
    traces: [
      { name: 'pod to cluster IP reaches both endpoints', packet: tcp(POD, '10.96.0.10', 80), want: 'DNAT 10.244.1.2:8080,10.244.2.3:8080' },
      { name: 'node itself is masqueraded (not in the cluster CIDR)', packet: tcp(NODE_IP, '10.96.0.10', 80, true), want: 'DNAT 10.244.1.2:8080,10.244.2.3:8080 masq' },
      { name: 'off-cluster source is masqueraded', packet: tcp(OUTSIDE, '10.96.0.10', 80), want: 'DNAT 10.244.1.2:8080,10.244.2.3:8080 masq' },
      { name: 'hairpin: an endpoint reaching itself is masqueraded', packet: tcp('10.244.1.2', '10.96.0.10', 80), want: 'DNAT 10.244.1.2:8080 masq | DNAT 10.244.2.3:8080' },
      { name: 'other port is not touched', packet: tcp(POD, '10.96.0.10', 81), want: 'ACCEPT' },
      { name: 'UDP to a TCP port is not touched', packet: udp(POD, '10.96.0.10', 80), want: 'ACCEPT' },
    ],
  },
  {
    name: 'no-endpoints',
    state: stateOf([{ info: portInfo({ namespace: 'ns1', name: 'empty', portName: 'p80', clusterIPs: ['10.96.0.11'], port: 80 }), endpoints: [] }]),
    traces: [
      { name: 'pod is rejected', packet: tcp(POD, '10.96.0.11', 80), want: 'REJECT' },
      { name: 'node is rejected', packet: tcp(NODE_IP, '10.96.0.11', 80, true), want: 'REJECT' },
    ],
  },
  {
    name: 'nodeport',
    state: stateOf([{ info: portInfo({ namespace: 'ns1', name: 'np', portName: '', type: 'NodePort', clusterIPs: ['10.96.0.12'], port: 80, nodePort: 30080 }), endpoints: [remote('10.244.1.4')] }]),
    traces: [
      { name: 'outside to node port', packet: tcp(OUTSIDE, NODE_IP, 30080), want: 'DNAT 10.244.1.4:8080 masq' },
      { name: 'node to its own node port', packet: tcp(NODE_IP, NODE_IP, 30080, true), want: 'DNAT 10.244.1.4:8080 masq' },
      { name: 'localhost node ports are not served', packet: tcp('127.0.0.1', '127.0.0.1', 30080, true), want: 'ACCEPT' },
      { name: 'cluster IP still works', packet: tcp(POD, '10.96.0.12', 80), want: 'DNAT 10.244.1.4:8080' },
      { name: 'node port on a non-local address is not captured', packet: tcp(OUTSIDE, '192.168.0.77', 30080), want: 'ACCEPT' },
    ],
  },
  {
    name: 'client-ip-affinity',
    state: stateOf([
      {
        info: portInfo({ namespace: 'ns1', name: 'sticky', portName: 'http', clusterIPs: ['10.96.0.13'], port: 80, sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 } }),
        endpoints: [remote('10.244.1.2'), remote('10.244.2.3')],
      },
    ]),
    traces: [{ name: 'first packet is balanced', packet: tcp(POD, '10.96.0.13', 80), want: 'DNAT 10.244.1.2:8080,10.244.2.3:8080' }],
  },
  {
    name: 'etp-local-health-check',
    state: stateOf([
      {
        info: portInfo({
          namespace: 'ns1',
          name: 'lb-local',
          portName: 'http',
          type: 'LoadBalancer',
          clusterIPs: ['10.96.0.14'],
          port: 80,
          nodePort: 30081,
          loadBalancerIPs: ['203.0.113.10'],
          externalPolicyLocal: true,
          healthCheckNodePort: 32000,
        }),
        endpoints: [local('10.244.1.5'), remote('10.244.2.6')],
      },
    ]),
    traces: [
      { name: 'outside to LB IP: local endpoint only, source kept', packet: tcp(OUTSIDE, '203.0.113.10', 80), want: 'DNAT 10.244.1.5:8080' },
      { name: 'outside to node port: local endpoint only, source kept', packet: tcp(OUTSIDE, NODE_IP, 30081), want: 'DNAT 10.244.1.5:8080' },
      { name: 'pod to LB IP is short-circuited to every endpoint', packet: tcp(POD, '203.0.113.10', 80), want: 'DNAT 10.244.1.5:8080,10.244.2.6:8080' },
      { name: 'node to node port goes anywhere, masqueraded', packet: tcp(NODE_IP, NODE_IP, 30081, true), want: 'DNAT 10.244.1.5:8080,10.244.2.6:8080 masq' },
      { name: 'cluster IP uses every endpoint', packet: tcp(POD, '10.96.0.14', 80), want: 'DNAT 10.244.1.5:8080,10.244.2.6:8080' },
      { name: 'health check node port is accepted', packet: tcp(OUTSIDE, NODE_IP, 32000), want: 'ACCEPT' },
    ],
  },
  {
    name: 'external-ips',
    state: stateOf([
      { info: portInfo({ namespace: 'ns1', name: 'ext', portName: 'http', clusterIPs: ['10.96.0.15'], port: 80, externalIPs: ['192.0.2.50'] }), endpoints: [remote('10.244.1.2')] },
      { info: portInfo({ namespace: 'ns1', name: 'ext-empty', portName: 'http', clusterIPs: ['10.96.0.17'], port: 80, externalIPs: ['192.0.2.51'] }), endpoints: [] },
    ]),
    traces: [
      { name: 'outside to external IP', packet: tcp(OUTSIDE, '192.0.2.50', 80), want: 'DNAT 10.244.1.2:8080 masq' },
      { name: 'pod to external IP', packet: tcp(POD, '192.0.2.50', 80), want: 'DNAT 10.244.1.2:8080 masq' },
      { name: 'external IP without endpoints is rejected', packet: tcp(OUTSIDE, '192.0.2.51', 80), want: 'REJECT' },
    ],
  },
  {
    name: 'lb-ingress',
    state: stateOf([
      {
        info: portInfo({
          namespace: 'ns1',
          name: 'lb',
          portName: 'https',
          type: 'LoadBalancer',
          clusterIPs: ['10.96.0.16'],
          port: 443,
          nodePort: 30082,
          loadBalancerIPs: ['203.0.113.20'],
          loadBalancerSourceRanges: ['198.51.100.0/24'],
        }),
        endpoints: [remote('10.244.1.2', 8443), remote('10.244.2.3', 8443)],
      },
    ]),
    traces: [
      { name: 'allowed source to LB IP', packet: tcp('198.51.100.7', '203.0.113.20', 443), want: 'DNAT 10.244.1.2:8443,10.244.2.3:8443 masq' },
      { name: 'other source to LB IP is dropped', packet: tcp(OUTSIDE, '203.0.113.20', 443), want: 'DROP' },
      { name: 'node port is not subject to source ranges', packet: tcp(OUTSIDE, NODE_IP, 30082), want: 'DNAT 10.244.1.2:8443,10.244.2.3:8443 masq' },
    ],
  },
  {
    name: 'multi-port-tcp-udp',
    state: stateOf([
      { info: portInfo({ namespace: 'kube-system', name: 'kube-dns', portName: 'dns', protocol: 'UDP', clusterIPs: ['10.96.0.20'], port: 53 }), endpoints: [remote('10.244.1.7', 53), remote('10.244.2.8', 53)] },
      { info: portInfo({ namespace: 'kube-system', name: 'kube-dns', portName: 'dns-tcp', protocol: 'TCP', clusterIPs: ['10.96.0.20'], port: 53 }), endpoints: [remote('10.244.1.7', 53), remote('10.244.2.8', 53)] },
      { info: portInfo({ namespace: 'kube-system', name: 'kube-dns', portName: 'metrics', protocol: 'TCP', clusterIPs: ['10.96.0.20'], port: 9153 }), endpoints: [remote('10.244.1.7', 9153)] },
    ]),
    traces: [
      { name: 'UDP 53', packet: udp(POD, '10.96.0.20', 53), want: 'DNAT 10.244.1.7:53,10.244.2.8:53' },
      { name: 'TCP 53', packet: tcp(POD, '10.96.0.20', 53), want: 'DNAT 10.244.1.7:53,10.244.2.8:53' },
      { name: 'TCP 9153', packet: tcp(POD, '10.96.0.20', 9153), want: 'DNAT 10.244.1.7:9153' },
      { name: 'UDP 9153 is not a Service port', packet: udp(POD, '10.96.0.20', 9153), want: 'ACCEPT' },
    ],
  },
];
