/**
 * The wire-answer cache of QueryHandler: a repeat question is answered synchronously (handle()
 * returns a Buffer, not a Promise) with exactly the bytes the full path would produce for that
 * packet — checked against a handler with the cache turned off.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.js';
import { type ClientInfo, QueryHandler } from './handler.js';
import { ClusterIndex, slimEndpointSlice, slimService } from './kubernetes/cluster-index.js';
import { KubernetesBackend } from './kubernetes/kubernetes-backend.js';
import { Rcode, RRType, typeNumber } from './message/constants.js';
import { decodeMessage } from './message/decode.js';
import { encodeMessage } from './message/encode.js';
import type { Edns, Message } from './message/message.js';
import { DnsMetrics } from './metrics.js';

const ZONE = 'cluster.local.';
const UDP: ClientInfo = { address: '127.0.0.1', port: 5353, proto: 'udp' };
const UDP6: ClientInfo = { address: '::1', port: 5353, proto: 'udp' };
const TCP: ClientInfo = { address: '127.0.0.1', port: 5353, proto: 'tcp' };

function service(name: string, clusterIP: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec: { clusterIP, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } };
}

function slice(service: string, n: number, first = 1): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: `${service}-1`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: Array.from({ length: n }, (_, i) => ({ addresses: [`10.244.${Math.floor((first + i) / 250)}.${((first + i) % 250) + 1}`], hostname: `pod-${i}` })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  } as KubeObject;
}

function setup(): { index: ClusterIndex; cached: QueryHandler; reference: QueryHandler } {
  const index = new ClusterIndex();
  index.setNamespace('default');
  index.setService(slimService(service('web', '10.96.0.20')));
  index.setService(slimService(service('big', 'None')));
  index.setEndpointSlice(slimEndpointSlice(slice('big', 100)));
  index.setService(slimService(service('few', 'None')));
  index.setEndpointSlice(slimEndpointSlice(slice('few', 3)));
  const backend = new KubernetesBackend(index, { zone: ZONE, ttl: 5 }, () => true, false);
  const cached = new QueryHandler({ backends: [backend], metrics: new DnsMetrics('cached') });
  const reference = new QueryHandler({ backends: [backend], metrics: new DnsMetrics('reference'), answerCacheSize: 0 });
  return { index, cached, reference };
}

interface QueryOpts {
  id?: number;
  edns?: Edns | false;
  rd?: boolean;
  cd?: boolean;
}

function query(name: string, type: string, o: QueryOpts = {}): Buffer {
  const m: Message = {
    id: o.id ?? 1,
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: o.rd ?? true, ra: false, ad: false, cd: o.cd ?? false },
    rcode: 0,
    questions: [{ name, type: typeNumber(type) ?? 1, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
    ...(o.edns === false || o.edns === undefined ? {} : { edns: o.edns }),
  };
  return encodeMessage(m).bytes;
}

const edns = (udpSize: number, dnssecOk = false): Edns => ({ udpSize, version: 0, dnssecOk, options: [] });

/** The response and whether it came back synchronously (a wire-cache hit). */
async function ask(h: QueryHandler, pkt: Buffer, client: ClientInfo = UDP): Promise<{ out: Buffer; hit: boolean }> {
  const r = h.handle(pkt, client);
  const hit = !(r instanceof Promise);
  const out = await r;
  assert.ok(out, 'a response');
  return { out, hit };
}

function decoded(b: Buffer): Message {
  const d = decodeMessage(b);
  assert.ok(d.ok, 'response decodes');
  return d.message;
}

/** Upper-cases every other letter: a DNS 0x20-style question. */
function mixCase(name: string): string {
  let up = false;
  return name.replace(/[a-z]/g, (c) => ((up = !up) ? c.toUpperCase() : c));
}

describe('wire-answer cache', () => {
  test('a repeat is a synchronous hit with the same bytes as the full path, for every variant', async () => {
    const { cached, reference } = setup();
    const names: [string, string][] = [
      ['web.default.svc.cluster.local.', 'A'],
      ['web.default.svc.cluster.local.', 'AAAA'], // NODATA
      ['nope.default.svc.cluster.local.', 'A'], // NXDOMAIN
      ['big.default.svc.cluster.local.', 'A'], // 100 addresses: cut to fit UDP
      ['_http._tcp.big.default.svc.cluster.local.', 'SRV'], // targets and additionals
      ['_http._tcp.few.default.svc.cluster.local.', 'SRV'],
      ['pod-1.few.default.svc.cluster.local.', 'A'],
      ['cluster.local.', 'SOA'],
    ];
    const variants: [string, QueryOpts, ClientInfo][] = [
      ['UDP, no EDNS', { edns: false }, UDP],
      ['UDP, EDNS 1232', { edns: edns(1232) }, UDP],
      ['UDP, EDNS 4096 with DO (capped at 1232)', { edns: edns(4096, true) }, UDP],
      ['UDP, EDNS 700', { edns: edns(700) }, UDP],
      ['UDP, EDNS below 512', { edns: edns(100) }, UDP],
      ['UDP over IPv6', { edns: edns(1232) }, UDP6],
      ['TCP, no EDNS', { edns: false }, TCP],
      ['TCP, EDNS', { edns: edns(1232) }, TCP],
      ['RD clear, CD set', { edns: false, rd: false, cd: true }, UDP],
    ];
    for (const [name, type] of names) {
      for (const [label, opts, client] of variants) {
        const what = `${name} ${type}, ${label}`;
        await ask(cached, query(name, type, { ...opts, id: 100 }), client);
        const again = query(mixCase(name), type, { ...opts, id: 4242 });
        const got = await ask(cached, again, client);
        assert.equal(got.hit, true, `${what}: second query is a cache hit`);
        const want = await ask(reference, again, client);
        assert.equal(want.hit, false, `${what}: reference handler has no cache`);
        assert.deepEqual(got.out, want.out, `${what}: same bytes as the full path`);
      }
    }
  });

  test('the client ID and the question as sent come back (DNS 0x20)', async () => {
    const { cached } = setup();
    await ask(cached, query('web.default.svc.cluster.local.', 'A', { edns: edns(1232) }));
    const { out, hit } = await ask(cached, query('wEb.DeFaUlT.SVC.cluster.LOCAL.', 'A', { id: 0xbeef, edns: edns(1232) }));
    assert.equal(hit, true);
    const m = decoded(out);
    assert.equal(m.id, 0xbeef);
    assert.equal(m.questions[0]?.name, 'wEb.DeFaUlT.SVC.cluster.LOCAL.');
    assert.equal(m.answers[0]?.ttl, 5);
    assert.deepEqual(m.answers[0]?.data, { kind: 'address', address: '10.96.0.20' });
    assert.equal(m.flags.aa, true);
  });

  test('NXDOMAIN and NODATA are cached with the SOA, minimum and TTL the configured TTL', async () => {
    const { cached } = setup();
    const cases: [string, string, number][] = [
      ['nope.default.svc.cluster.local.', 'A', Rcode.NXDOMAIN],
      ['web.default.svc.cluster.local.', 'AAAA', Rcode.NOERROR],
    ];
    for (const [name, type, rcode] of cases) {
      await ask(cached, query(name, type, { edns: edns(1232) }));
      const { out, hit } = await ask(cached, query(name, type, { edns: edns(1232) }));
      assert.equal(hit, true, name);
      const m = decoded(out);
      assert.equal(m.rcode, rcode, name);
      assert.equal(m.answers.length, 0, name);
      const soa = m.authorities[0];
      assert.equal(soa?.type, RRType.SOA, name);
      assert.equal(soa?.ttl, 5, name);
      assert.equal(soa?.data.kind === 'soa' ? soa.data.minimum : -1, 5, name);
    }
  });

  test('Service and EndpointSlice changes drop cached answers at once', async () => {
    const { index, cached } = setup();
    const a = (name: string): Buffer => query(name, 'A', { edns: edns(1232) });
    const addresses = (b: Buffer): string[] => decoded(b).answers.map((r) => (r.data.kind === 'address' ? r.data.address : '?')).sort();
    await ask(cached, a('web.default.svc.cluster.local.'));
    assert.deepEqual(addresses((await ask(cached, a('web.default.svc.cluster.local.'))).out), ['10.96.0.20']);

    index.setService(slimService(service('web', '10.96.0.21')));
    const moved = await ask(cached, a('web.default.svc.cluster.local.'));
    assert.equal(moved.hit, false);
    assert.deepEqual(addresses(moved.out), ['10.96.0.21']);

    await ask(cached, a('few.default.svc.cluster.local.'));
    assert.equal((await ask(cached, a('few.default.svc.cluster.local.'))).hit, true);
    index.setEndpointSlice(slimEndpointSlice(slice('few', 2, 50)));
    assert.deepEqual(addresses((await ask(cached, a('few.default.svc.cluster.local.'))).out), ['10.244.0.51', '10.244.0.52']);

    index.deleteService('default', 'web');
    const gone = decoded((await ask(cached, a('web.default.svc.cluster.local.'))).out);
    assert.equal(gone.rcode, Rcode.NXDOMAIN);
    assert.equal(gone.authorities[0]?.type, RRType.SOA);
  });

  test('size limits are kept apart: UDP 512, EDNS sizes and TCP each get their own fit', async () => {
    const { cached } = setup();
    const name = 'big.default.svc.cluster.local.';
    const cases: [string, QueryOpts, ClientInfo, number, boolean][] = [
      ['UDP without EDNS', { edns: false }, UDP, 512, true],
      ['EDNS 1232', { edns: edns(1232) }, UDP, 1232, true],
      ['TCP', { edns: false }, TCP, 65535, false],
      ['UDP without EDNS again', { edns: false }, UDP, 512, true],
    ];
    const counts: number[] = [];
    for (const [label, opts, client, limit, tc] of cases) {
      for (let round = 0; round < 2; round++) {
        const { out, hit } = await ask(cached, query(name, 'A', opts), client);
        if (round === 1) assert.equal(hit, true, `${label}: repeat is a hit`);
        assert.ok(out.length <= limit, `${label}: ${out.length} bytes fit ${limit}`);
        const m = decoded(out);
        assert.equal(m.flags.tc, tc, `${label}: TC`);
        if (round === 1) counts.push(m.answers.length);
      }
    }
    const [plain, big, tcp, plainAgain] = counts;
    assert.ok((plain ?? 0) < (big ?? 0), 'EDNS carries more than 512 bytes');
    assert.equal(tcp, 100);
    assert.equal(plainAgain, plain);
  });
});
