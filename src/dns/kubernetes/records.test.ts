/**
 * The record rules of dns-and-env.md as a table in zone-file notation, run against an index built
 * from Kubernetes-shaped Services, EndpointSlices and Namespaces.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { RRType, Rcode, rcodeName, typeNumber } from '../message/constants.js';
import { canonicalName } from '../message/name.js';
import { formatRecord } from '../message/zone-text.js';
import { ClusterIndex, slimEndpointSlice, slimService } from './cluster-index.js';
import { answerCluster, type RecordsConfig } from './records.js';
import { ipToReverse, reverseToIP } from './reverse.js';

const SERIAL = 1700000000;
const SOA = `cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${SERIAL} 7200 1800 86400 5`;
const CFG: RecordsConfig = { zone: 'cluster.local.', ttl: 5, nsAddresses: ['10.96.0.10'] };

interface PortSpec {
  name?: string;
  port: number;
  protocol?: string;
}

function service(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

function slice(ns: string, svc: string, name: string, addressType: string, ports: PortSpec[], endpoints: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': svc } },
    addressType,
    ports,
    endpoints,
  } as KubeObject;
}

function fixture(): ClusterIndex {
  const idx = new ClusterIndex(() => SERIAL * 1000);
  for (const ns of ['default', 'kube-system', 'nginx-ns', 'empty-ns']) idx.setNamespace(ns);
  const svcs = [
    service('default', 'kubernetes', { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
    service('default', 'web', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.20',
      clusterIPs: ['10.96.0.20'],
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    }),
    service('default', 'plain', { type: 'ClusterIP', clusterIP: '10.96.0.21', ports: [{ port: 8080, protocol: 'TCP' }] }),
    service('default', 'dual', { type: 'ClusterIP', clusterIP: '10.96.0.30', clusterIPs: ['10.96.0.30', 'fd00:10:96::30'], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
    service('default', 'v6only', { type: 'ClusterIP', clusterIP: 'fd00:10:96::40', clusterIPs: ['fd00:10:96::40'], ports: [{ name: 'http', port: 80 }] }),
    service('default', 'nginx', { type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }),
    service('default', 'empty-headless', { type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }),
    service('default', 'notready', { type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }),
    service('default', 'pnra', { type: 'ClusterIP', clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'peer', port: 2380 }] }),
    service('default', 'client-svc', { type: 'ExternalName', externalName: 'nginx-svc.nginx-ns.svc.cluster.local' }),
    service('default', 'ext', { type: 'ExternalName', externalName: 'www.example.com.' }),
    service('default', 'ext-ip', { type: 'ExternalName', externalName: '1.2.3.4' }),
    service('nginx-ns', 'nginx-svc', { type: 'ClusterIP', clusterIP: '10.96.0.50', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
  ];
  for (const s of svcs) idx.setService(slimService(s));
  const ready = { ready: true };
  idx.setEndpointSlice(
    slimEndpointSlice(
      slice('default', 'nginx', 'nginx-abc', 'IPv4', [{ name: 'web', port: 8080, protocol: 'TCP' }], [
        { addresses: ['10.244.1.10'], conditions: ready, hostname: 'web-0' },
        { addresses: ['10.244.1.11'], conditions: ready, hostname: 'web-1' },
        { addresses: ['10.244.1.12'], conditions: {} },
        { addresses: ['10.244.1.13'], conditions: { ready: false }, hostname: 'web-3' },
      ]),
    ),
  );
  idx.setEndpointSlice(slimEndpointSlice(slice('default', 'notready', 'notready-x', 'IPv4', [{ name: 'web', port: 80 }], [{ addresses: ['10.244.2.1'], conditions: { ready: false } }])));
  idx.setEndpointSlice(slimEndpointSlice(slice('default', 'pnra', 'pnra-x', 'IPv4', [{ name: 'peer', port: 2380 }], [{ addresses: ['10.244.3.1'], conditions: { ready: false }, hostname: 'etcd-0' }])));
  idx.setEndpointSlice(slimEndpointSlice(slice('default', 'web', 'web-x', 'IPv4', [{ name: 'http', port: 8080 }], [{ addresses: ['10.244.4.1'], conditions: ready, hostname: 'named' }])));
  return idx;
}

interface Case {
  readonly name: string;
  readonly qname: string;
  readonly qtype: string;
  readonly rcode: string;
  readonly answer?: readonly string[];
  readonly ns?: readonly string[];
  readonly extra?: readonly string[];
  /** A CNAME target the server must resolve upstream. */
  readonly chase?: string;
  /** Not the cluster's: forwarded upstream. */
  readonly pass?: boolean;
}

const NODATA = { rcode: 'NOERROR', answer: [], ns: [SOA] } as const;
const NXDOMAIN = { rcode: 'NXDOMAIN', answer: [], ns: [SOA] } as const;

const CASES: readonly Case[] = [
  // ClusterIP services
  { name: 'ClusterIP A', qname: 'web.default.svc.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'] },
  { name: 'AAAA of an IPv4-only service is NODATA', qname: 'web.default.svc.cluster.local.', qtype: 'AAAA', ...NODATA },
  { name: 'TXT of a service is NODATA', qname: 'web.default.svc.cluster.local.', qtype: 'TXT', ...NODATA },
  { name: 'MX of a service is NODATA', qname: 'web.default.svc.cluster.local.', qtype: 'MX', ...NODATA },
  { name: 'case-insensitive', qname: 'WEB.Default.SVC.Cluster.Local.', qtype: 'A', rcode: 'NOERROR', answer: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'] },
  { name: 'dual-stack A', qname: 'dual.default.svc.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['dual.default.svc.cluster.local. 5 IN A 10.96.0.30'] },
  { name: 'dual-stack AAAA', qname: 'dual.default.svc.cluster.local.', qtype: 'AAAA', rcode: 'NOERROR', answer: ['dual.default.svc.cluster.local. 5 IN AAAA fd00:10:96::30'] },
  { name: 'IPv6-only AAAA', qname: 'v6only.default.svc.cluster.local.', qtype: 'AAAA', rcode: 'NOERROR', answer: ['v6only.default.svc.cluster.local. 5 IN AAAA fd00:10:96::40'] },
  { name: 'A of an IPv6-only service is NODATA', qname: 'v6only.default.svc.cluster.local.', qtype: 'A', ...NODATA },
  { name: 'ClusterIP answers without endpoints', qname: 'kubernetes.default.svc.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1'] },
  {
    name: 'SRV for a named port of a ClusterIP service',
    qname: '_http._tcp.web.default.svc.cluster.local.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['_http._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 80 web.default.svc.cluster.local.'],
    extra: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  {
    name: 'SRV over UDP',
    qname: '_dns._udp.web.default.svc.cluster.local.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['_dns._udp.web.default.svc.cluster.local. 5 IN SRV 0 100 53 web.default.svc.cluster.local.'],
    extra: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  {
    name: 'SRV of the service name lists every port',
    qname: 'web.default.svc.cluster.local.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['web.default.svc.cluster.local. 5 IN SRV 0 50 53 web.default.svc.cluster.local.', 'web.default.svc.cluster.local. 5 IN SRV 0 50 80 web.default.svc.cluster.local.'],
    extra: ['web.default.svc.cluster.local. 5 IN A 10.96.0.20'],
  },
  { name: 'SRV port name with the wrong protocol', qname: '_http._udp.web.default.svc.cluster.local.', qtype: 'SRV', ...NXDOMAIN },
  { name: 'SRV for a port name that does not exist', qname: '_grpc._tcp.web.default.svc.cluster.local.', qtype: 'SRV', ...NXDOMAIN },
  { name: 'unnamed ports get no SRV name', qname: '_8080._tcp.plain.default.svc.cluster.local.', qtype: 'SRV', ...NXDOMAIN },
  {
    name: 'dual-stack SRV carries both addresses',
    qname: '_https._tcp.dual.default.svc.cluster.local.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: ['_https._tcp.dual.default.svc.cluster.local. 5 IN SRV 0 100 443 dual.default.svc.cluster.local.'],
    extra: ['dual.default.svc.cluster.local. 5 IN A 10.96.0.30', 'dual.default.svc.cluster.local. 5 IN AAAA fd00:10:96::30'],
  },
  {
    name: 'endpoint hostname of a ClusterIP service',
    qname: 'named.web.default.svc.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['named.web.default.svc.cluster.local. 5 IN A 10.244.4.1'],
  },

  // Headless services
  {
    name: 'headless A: one record per ready endpoint',
    qname: 'nginx.default.svc.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['nginx.default.svc.cluster.local. 5 IN A 10.244.1.10', 'nginx.default.svc.cluster.local. 5 IN A 10.244.1.11', 'nginx.default.svc.cluster.local. 5 IN A 10.244.1.12'],
  },
  { name: 'headless AAAA with IPv4 endpoints is NODATA', qname: 'nginx.default.svc.cluster.local.', qtype: 'AAAA', ...NODATA },
  { name: 'headless without endpoints is NXDOMAIN', qname: 'empty-headless.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'headless with no ready endpoints is NXDOMAIN', qname: 'notready.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'publishNotReadyAddresses serves unready endpoints', qname: 'pnra.default.svc.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['pnra.default.svc.cluster.local. 5 IN A 10.244.3.1'] },
  { name: 'StatefulSet pod name', qname: 'web-0.nginx.default.svc.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['web-0.nginx.default.svc.cluster.local. 5 IN A 10.244.1.10'] },
  { name: 'peer of an unready StatefulSet pod with publishNotReadyAddresses', qname: 'etcd-0.pnra.default.svc.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['etcd-0.pnra.default.svc.cluster.local. 5 IN A 10.244.3.1'] },
  { name: 'dashed-IP name of an endpoint without hostname', qname: '10-244-1-12.nginx.default.svc.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['10-244-1-12.nginx.default.svc.cluster.local. 5 IN A 10.244.1.12'] },
  { name: 'dashed IP does not name an endpoint that has a hostname', qname: '10-244-1-10.nginx.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'unready endpoint hostname is NXDOMAIN', qname: 'web-3.nginx.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'unknown endpoint hostname is NXDOMAIN', qname: 'web-9.nginx.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  {
    name: 'headless SRV: ready endpoints x named ports, endpoint port, endpoint targets',
    qname: '_web._tcp.nginx.default.svc.cluster.local.',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [
      '_web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 33 8080 10-244-1-12.nginx.default.svc.cluster.local.',
      '_web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 33 8080 web-0.nginx.default.svc.cluster.local.',
      '_web._tcp.nginx.default.svc.cluster.local. 5 IN SRV 0 33 8080 web-1.nginx.default.svc.cluster.local.',
    ],
    extra: [
      '10-244-1-12.nginx.default.svc.cluster.local. 5 IN A 10.244.1.12',
      'web-0.nginx.default.svc.cluster.local. 5 IN A 10.244.1.10',
      'web-1.nginx.default.svc.cluster.local. 5 IN A 10.244.1.11',
    ],
  },
  { name: 'headless SRV with the wrong port name', qname: '_http._tcp.nginx.default.svc.cluster.local.', qtype: 'SRV', ...NXDOMAIN },

  // ExternalName
  {
    name: 'ExternalName to a cluster name resolves through the CNAME in one answer',
    qname: 'client-svc.default.svc.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['client-svc.default.svc.cluster.local. 5 IN CNAME nginx-svc.nginx-ns.svc.cluster.local.', 'nginx-svc.nginx-ns.svc.cluster.local. 5 IN A 10.96.0.50'],
  },
  {
    name: 'ExternalName AAAA follows the CNAME to NODATA',
    qname: 'client-svc.default.svc.cluster.local.',
    qtype: 'AAAA',
    rcode: 'NOERROR',
    answer: ['client-svc.default.svc.cluster.local. 5 IN CNAME nginx-svc.nginx-ns.svc.cluster.local.'],
    ns: [SOA],
  },
  {
    name: 'ExternalName CNAME query',
    qname: 'client-svc.default.svc.cluster.local.',
    qtype: 'CNAME',
    rcode: 'NOERROR',
    answer: ['client-svc.default.svc.cluster.local. 5 IN CNAME nginx-svc.nginx-ns.svc.cluster.local.'],
  },
  {
    name: 'ExternalName outside the zone leaves the target to the upstream',
    qname: 'ext.default.svc.cluster.local.',
    qtype: 'A',
    rcode: 'NOERROR',
    answer: ['ext.default.svc.cluster.local. 5 IN CNAME www.example.com.'],
    chase: 'www.example.com. A',
  },
  { name: 'IP-literal externalName has no record', qname: 'ext-ip.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'no SRV for ExternalName services', qname: 'ext.default.svc.cluster.local.', qtype: 'SRV', ...NODATA },
  { name: 'ExternalName has no endpoints', qname: 'x.ext.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },

  // Pods (pods insecure)
  { name: 'pod A record', qname: '10-244-1-99.default.pod.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['10-244-1-99.default.pod.cluster.local. 5 IN A 10.244.1.99'] },
  { name: 'pod AAAA of an IPv4 pod is NODATA', qname: '10-244-1-99.default.pod.cluster.local.', qtype: 'AAAA', ...NODATA },
  { name: 'IPv6 pod', qname: 'fd00-10-244--5.default.pod.cluster.local.', qtype: 'AAAA', rcode: 'NOERROR', answer: ['fd00-10-244--5.default.pod.cluster.local. 5 IN AAAA fd00:10:244::5'] },
  { name: 'pod name that is not an IP', qname: 'not-an-ip.default.pod.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'pod in an unknown namespace', qname: '10-244-1-99.nope.pod.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: '<ns>.pod for an existing namespace is NODATA', qname: 'default.pod.cluster.local.', qtype: 'A', ...NODATA },

  // Schema version, apex and structure
  { name: 'dns-version TXT', qname: 'dns-version.cluster.local.', qtype: 'TXT', rcode: 'NOERROR', answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'] },
  { name: 'zone apex A is NODATA', qname: 'cluster.local.', qtype: 'A', ...NODATA },
  { name: 'zone apex SOA', qname: 'cluster.local.', qtype: 'SOA', rcode: 'NOERROR', answer: [SOA] },
  { name: 'zone apex NS', qname: 'cluster.local.', qtype: 'NS', rcode: 'NOERROR', answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'], extra: ['ns.dns.cluster.local. 5 IN A 10.96.0.10'] },
  { name: 'ns.dns A', qname: 'ns.dns.cluster.local.', qtype: 'A', rcode: 'NOERROR', answer: ['ns.dns.cluster.local. 5 IN A 10.96.0.10'] },
  { name: 'svc.<zone> is NODATA', qname: 'svc.cluster.local.', qtype: 'A', ...NODATA },
  { name: 'pod.<zone> is NODATA', qname: 'pod.cluster.local.', qtype: 'A', ...NODATA },
  { name: '<ns>.svc.<zone> for an existing namespace is NODATA', qname: 'default.svc.cluster.local.', qtype: 'A', ...NODATA },
  { name: '<ns>.svc.<zone> for a namespace without services is NODATA', qname: 'empty-ns.svc.cluster.local.', qtype: 'A', ...NODATA },
  { name: 'unknown namespace is NXDOMAIN', qname: 'nope.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'service in an unknown namespace is NXDOMAIN', qname: 'web.nope.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'unknown service is NXDOMAIN', qname: 'nope.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'unknown service AAAA is NXDOMAIN too', qname: 'nope.default.svc.cluster.local.', qtype: 'AAAA', ...NXDOMAIN },
  { name: 'wrong label left of the zone is NXDOMAIN', qname: 'web.default.foo.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'bare name under the zone is NXDOMAIN', qname: 'web.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'too many labels is NXDOMAIN', qname: 'a.b.c.web.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },
  { name: 'a search-path expansion of an outside name is NXDOMAIN', qname: 'www.example.com.default.svc.cluster.local.', qtype: 'A', ...NXDOMAIN },

  // Reverse
  { name: 'PTR of a cluster IP', qname: '20.0.96.10.in-addr.arpa.', qtype: 'PTR', rcode: 'NOERROR', answer: ['20.0.96.10.in-addr.arpa. 5 IN PTR web.default.svc.cluster.local.'] },
  {
    name: 'PTR of an IPv6 cluster IP',
    qname: `${ipToReverse('fd00:10:96::30') ?? ''}`,
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`${ipToReverse('fd00:10:96::30') ?? ''} 5 IN PTR dual.default.svc.cluster.local.`],
  },
  { name: 'PTR of a headless endpoint with hostname', qname: '10.1.244.10.in-addr.arpa.', qtype: 'PTR', rcode: 'NOERROR', answer: ['10.1.244.10.in-addr.arpa. 5 IN PTR web-0.nginx.default.svc.cluster.local.'] },
  { name: 'PTR of a headless endpoint without hostname', qname: '12.1.244.10.in-addr.arpa.', qtype: 'PTR', rcode: 'NOERROR', answer: ['12.1.244.10.in-addr.arpa. 5 IN PTR 10-244-1-12.nginx.default.svc.cluster.local.'] },
  { name: 'PTR of an endpoint hostname of a ClusterIP service', qname: '1.4.244.10.in-addr.arpa.', qtype: 'PTR', rcode: 'NOERROR', answer: ['1.4.244.10.in-addr.arpa. 5 IN PTR named.web.default.svc.cluster.local.'] },
  { name: 'unknown reverse names go upstream', qname: '8.8.8.8.in-addr.arpa.', qtype: 'PTR', rcode: '', pass: true },
  { name: 'partial reverse names go upstream', qname: '96.10.in-addr.arpa.', qtype: 'PTR', rcode: '', pass: true },

  // Outside the zone
  { name: 'names outside the zone go upstream', qname: 'www.example.com.', qtype: 'A', rcode: '', pass: true },
  { name: 'a longer zone that only ends like ours', qname: 'foo.notcluster.local.', qtype: 'A', rcode: '', pass: true },
];

describe('cluster DNS records', () => {
  const idx = fixture();
  for (const c of CASES) {
    test(c.name, () => {
      const qtype = typeNumber(c.qtype);
      assert.ok(qtype !== undefined);
      const got = answerCluster({ name: canonicalName(c.qname), type: qtype, class: 1 }, idx, CFG);
      if (c.pass) {
        assert.equal(got.kind, 'pass');
        return;
      }
      assert.equal(got.kind, 'answer');
      if (got.kind !== 'answer') return;
      const sorted = (xs: readonly string[]): string[] => [...xs].sort();
      assert.equal(rcodeName(got.rcode), c.rcode);
      assert.equal(got.authoritative, true);
      // RRsets are unordered; a CNAME chain is not (the alias comes first).
      const chain = (c.answer ?? []).some((l) => l.includes(' IN CNAME '));
      const answer = got.answer.map(formatRecord);
      assert.deepEqual(chain ? answer : sorted(answer), chain ? (c.answer ?? []) : sorted(c.answer ?? []));
      assert.deepEqual(got.authority.map(formatRecord), c.ns ?? []);
      assert.deepEqual(sorted(got.additional.map(formatRecord)), sorted(c.extra ?? []));
      assert.equal(got.chase ? `${got.chase.name} ${c.qtype}` : undefined, c.chase);
    });
  }
});

describe('index updates', () => {
  test('a deleted service stops answering and the generation moves', () => {
    const idx = fixture();
    const g = idx.generation();
    idx.deleteService('default', 'web');
    assert.ok(idx.generation() > g);
    const got = answerCluster({ name: 'web.default.svc.cluster.local.', type: RRType.A, class: 1 }, idx, CFG);
    assert.equal(got.kind === 'answer' ? got.rcode : -1, Rcode.NXDOMAIN);
  });

  test('a slice relabelled to another service moves its endpoints', () => {
    const idx = fixture();
    idx.setEndpointSlice(slimEndpointSlice(slice('default', 'empty-headless', 'nginx-abc', 'IPv4', [], [{ addresses: ['10.244.9.9'] }])));
    const a = answerCluster({ name: 'empty-headless.default.svc.cluster.local.', type: RRType.A, class: 1 }, idx, CFG);
    assert.deepEqual(a.kind === 'answer' ? a.answer.map(formatRecord) : [], ['empty-headless.default.svc.cluster.local. 5 IN A 10.244.9.9']);
    const b = answerCluster({ name: 'web-0.nginx.default.svc.cluster.local.', type: RRType.A, class: 1 }, idx, CFG);
    assert.equal(b.kind === 'answer' ? b.rcode : -1, Rcode.NXDOMAIN);
  });

  test('endpoints split over two slices are merged without duplicates', () => {
    const idx = fixture();
    idx.setEndpointSlice(slimEndpointSlice(slice('default', 'nginx', 'nginx-def', 'IPv4', [{ name: 'web', port: 8080 }], [{ addresses: ['10.244.1.10'] }, { addresses: ['10.244.1.20'] }])));
    const a = answerCluster({ name: 'nginx.default.svc.cluster.local.', type: RRType.A, class: 1 }, idx, CFG);
    assert.equal(a.kind === 'answer' ? a.answer.length : 0, 4);
  });

  test('SRV weights split 100 over the records, at least 1', () => {
    const idx = new ClusterIndex(() => SERIAL * 1000);
    idx.setNamespace('default');
    idx.setService(slimService(service('default', 'big', { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] })));
    const eps = Array.from({ length: 150 }, (_, i) => ({ addresses: [`10.1.${i >> 8}.${i & 255}`] }));
    idx.setEndpointSlice(slimEndpointSlice(slice('default', 'big', 'big-1', 'IPv4', [{ name: 'p', port: 1 }], eps)));
    const a = answerCluster({ name: '_p._tcp.big.default.svc.cluster.local.', type: RRType.SRV, class: 1 }, idx, CFG);
    assert.ok(a.kind === 'answer');
    assert.equal(a.answer.length, 150);
    assert.ok(a.answer.every((r) => r.data.kind === 'srv' && r.data.weight === 1));
  });

  test('reverse names map back to addresses', () => {
    assert.equal(reverseToIP('4.3.2.1.in-addr.arpa.'), '1.2.3.4');
    assert.equal(reverseToIP(ipToReverse('fd00::1') ?? ''), 'fd00::1');
    assert.equal(reverseToIP('300.3.2.1.in-addr.arpa.'), undefined);
  });
});
