/**
 * Replication of the index (what DNS worker processes rely on): a replica built from a
 * snapshot, then fed the reported changes through a JSON round trip, answers as the original.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { typeNumber } from '../message/constants.js';
import { formatRecord } from '../message/zone-text.js';
import { ClusterIndex, type IndexOp, slimEndpointSlice, slimService } from './cluster-index.js';
import { answerCluster } from './records.js';

const CFG = { zone: 'cluster.local.', ttl: 5 };

const svc = (ns: string, name: string, ip: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: ns, name },
  spec: ip === 'None' ? { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } : { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80 }] },
});
const slice = (ns: string, service: string, name: string, ips: string[]): KubeObject =>
  ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip, i) => ({ addresses: [ip], hostname: `h${i}`, conditions: { ready: i !== 1 } })),
  }) as KubeObject;

const QUESTIONS: [string, string][] = [
  ['web.default.svc.cluster.local.', 'A'],
  ['db.default.svc.cluster.local.', 'A'],
  ['h0.db.default.svc.cluster.local.', 'A'],
  ['_http._tcp.db.default.svc.cluster.local.', 'SRV'],
  ['_http._tcp.web.default.svc.cluster.local.', 'SRV'],
  ['20.0.96.10.in-addr.arpa.', 'PTR'],
  ['5.0.244.10.in-addr.arpa.', 'PTR'],
  ['other.svc.cluster.local.', 'A'],
];

function answers(idx: ClusterIndex): string[] {
  return QUESTIONS.map(([name, type]) => {
    const r = answerCluster({ name, type: typeNumber(type) ?? 1, class: 1 }, idx, CFG);
    return r.kind === 'answer' ? `${r.rcode}: ${r.answer.map(formatRecord).join(' | ')}` : 'pass';
  });
}

describe('ClusterIndex replication', () => {
  test('snapshot then changes rebuild the same answers, and pods for autopath', () => {
    const primary = new ClusterIndex();
    primary.setNamespace('default');
    primary.setNamespace('other');
    primary.setService(slimService(svc('default', 'web', '10.96.0.20')));
    primary.setService(slimService(svc('default', 'db', 'None')));
    primary.setEndpointSlice(slimEndpointSlice(slice('default', 'db', 'db-1', ['10.244.0.5', '10.244.0.6'])));
    primary.setPod('default', 'client', ['10.244.1.1']);

    const replica = new ClusterIndex();
    // Through JSON, as over IPC.
    replica.apply(JSON.parse(JSON.stringify(primary.snapshot())) as IndexOp[]);
    assert.deepEqual(answers(replica), answers(primary));
    assert.equal(replica.endpointCount(), 2);
    assert.equal(replica.podNamespace('10.244.1.1'), 'default');

    const log: IndexOp[] = [];
    primary.onChange = (op) => log.push(op);
    primary.setEndpointSlice(slimEndpointSlice(slice('default', 'db', 'db-1', ['10.244.0.5', '10.244.0.7', '10.244.0.8'])));
    primary.setService(slimService(svc('default', 'web', '10.96.0.21')));
    primary.deleteNamespace('other');
    primary.setPod('default', 'client', ['10.244.1.1']); // same IPs: no change reported
    primary.setPod('default', 'client2', ['10.244.1.2']);
    primary.deletePod('default', 'client');
    primary.deleteService('default', 'nothing'); // not there: no change reported
    assert.deepEqual(
      log.map((o) => o.op),
      ['slice', 'svc', 'ns-', 'pod', 'pod-'],
    );
    const before = replica.generation();
    replica.apply(JSON.parse(JSON.stringify(log)) as IndexOp[]);
    assert.ok(replica.generation() > before);
    assert.deepEqual(answers(replica), answers(primary));
    assert.equal(replica.podNamespace('10.244.1.1'), undefined);
    assert.equal(replica.podNamespace('10.244.1.2'), 'default');
    assert.equal(replica.hasNamespace('other'), false);

    log.length = 0;
    primary.deleteEndpointSlice('default', 'db-1');
    primary.deleteService('default', 'db');
    replica.apply(JSON.parse(JSON.stringify(log)) as IndexOp[]);
    assert.deepEqual(answers(replica), answers(primary));
    assert.equal(replica.endpointCount(), 0);
  });

  test('a packed slice keeps one shared ports array', () => {
    const primary = new ClusterIndex();
    primary.setEndpointSlice(slimEndpointSlice(slice('default', 'db', 'db-1', ['10.244.0.5', '10.244.0.6'])));
    const replica = new ClusterIndex();
    replica.apply(JSON.parse(JSON.stringify(primary.snapshot())) as IndexOp[]);
    const eps = replica.endpoints('default', 'db');
    assert.equal(eps.length, 2);
    assert.equal(eps[0]?.ports, eps[1]?.ports);
    assert.deepEqual(eps[0]?.ports, [{ name: 'http', port: 8080, protocol: 'tcp' }]);
    assert.deepEqual(eps.map((e) => [e.ip, e.hostname, e.ready]), [
      ['10.244.0.5', 'h0', true],
      ['10.244.0.6', 'h1', false],
    ]);
  });
});
