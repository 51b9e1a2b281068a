/**
 * The server end to end over real sockets on 127.0.0.1: a cluster DNS server whose index the test
 * fills directly, forwarding to a second server with a static zone (the fake upstream — nothing
 * here ever reaches a real resolver).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Forwarder } from './forward.js';
import { QueryHandler } from './handler.js';
import { startHttpEndpoints, type HttpEndpoints } from './http-endpoints.js';
import { ClusterIndex, slimEndpointSlice, slimService } from './kubernetes/cluster-index.js';
import { KubernetesBackend } from './kubernetes/kubernetes-backend.js';
import { Opcode, Rcode, RRType, rcodeName } from './message/constants.js';
import { decodeMessage } from './message/decode.js';
import { encodeMessage } from './message/encode.js';
import type { Message } from './message/message.js';
import { formatRecord } from './message/zone-text.js';
import { DnsMetrics } from './metrics.js';
import { parseUpstream } from './resolv-conf.js';
import { DnsServer } from './server.js';
import { StaticZoneBackend } from './static-zone.js';
import { exchange, question, tcpRaw, udpRaw } from './testing/dns-client.js';
import type { KubeObject } from '../api/object.js';
import { createLogger } from '../log/logger.js';

const UPSTREAM_ZONE = [
  'example.com. 300 IN SOA ns.example.com. hostmaster.example.com. 1 7200 1800 86400 60',
  'www.example.com. 300 IN A 93.184.216.34',
  'www.example.com. 300 IN AAAA 2606:2800:220:1::1',
  'alias.example.com. 300 IN CNAME www.example.com.',
  'short.example.com. 1 IN A 192.0.2.1',
];

function svc(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

const answers = (m: Message): string[] => m.answers.map(formatRecord);

describe('DNS server over UDP and TCP', () => {
  let upstream: DnsServer;
  let upstreamPort = 0;
  let dns: DnsServer;
  let port = 0;
  let http: HttpEndpoints;
  let synced = false;
  const index = new ClusterIndex();
  const metrics = new DnsMetrics('dns://127.0.0.1:0');
  let forwarder: Forwarder;
  const backend = new KubernetesBackend(index, { zone: 'cluster.local.', ttl: 5 }, () => synced);

  before(async () => {
    upstream = new DnsServer({ host: '127.0.0.1', port: 0, handler: new QueryHandler({ backends: [new StaticZoneBackend('example.com.', UPSTREAM_ZONE)], metrics: new DnsMetrics('upstream') }) });
    upstreamPort = (await upstream.listen()).port;
    forwarder = new Forwarder({ upstreams: [parseUpstream(`127.0.0.1:${upstreamPort}`)], metrics, timeoutMs: 500 });
    const handler = new QueryHandler({ backends: [backend], forwarder, metrics, hostSearch: ['corp.example.'] });
    dns = new DnsServer({ host: '127.0.0.1', port: 0, handler });
    port = (await dns.listen()).port;
    http = await startHttpEndpoints({ host: '127.0.0.1', port: 0, metrics, ready: () => synced });

    index.setNamespace('default');
    index.setService(slimService(svc('default', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] })));
    index.setService(slimService(svc('default', 'ext', { type: 'ExternalName', externalName: 'www.example.com' })));
    index.setService(slimService(svc('default', 'big', { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] })));
    index.setEndpointSlice(
      slimEndpointSlice({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { namespace: 'default', name: 'big-1', labels: { 'kubernetes.io/service-name': 'big' } },
        addressType: 'IPv4',
        endpoints: Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.244.0.${i + 1}`] })),
        ports: [{ name: 'p', port: 1 }],
      } as KubeObject),
    );
  });

  after(async () => {
    forwarder.close();
    await Promise.all([dns.close(), upstream.close(), http.close()]);
  });

  test('SERVFAIL for cluster names until the first sync; names outside are forwarded meanwhile', async () => {
    const r = await exchange(port, question('web.default.svc.cluster.local.', 'A'));
    assert.equal(rcodeName(r.rcode), 'SERVFAIL');
    const out = await exchange(port, question('www.example.com.', 'A'));
    assert.deepEqual(answers(out), ['www.example.com. 300 IN A 93.184.216.34']);
    const ready = await fetch(`http://127.0.0.1:${http.port}/ready`);
    assert.equal(ready.status, 503);
    synced = true;
    const ok = await exchange(port, question('web.default.svc.cluster.local.', 'A'));
    assert.deepEqual(answers(ok), ['web.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    assert.equal((await fetch(`http://127.0.0.1:${http.port}/ready`)).status, 200);
    assert.equal(await (await fetch(`http://127.0.0.1:${http.port}/health`)).text(), 'OK');
  });

  test('repeat answers come from the wire cache, keep the asked case and the client ID', async () => {
    await exchange(port, question('web.default.svc.cluster.local.', 'A'));
    const q = question('WeB.DeFault.svc.CLUSTER.local.', 'A', { id: 4321 });
    const r = await exchange(port, q);
    assert.equal(r.id, 4321);
    assert.equal(r.questions[0]?.name, 'WeB.DeFault.svc.CLUSTER.local.');
    assert.equal(r.flags.aa, true);
    assert.equal(r.flags.rd, true);
    assert.equal(r.flags.ra, true);
    assert.deepEqual(
      r.answers.map((a) => a.data),
      [{ kind: 'address', address: '10.96.0.20' }],
    );
    assert.equal(r.edns?.udpSize, 1232);
    const plain = await exchange(port, question('web.default.svc.cluster.local.', 'A', { edns: false }));
    assert.equal(plain.edns, undefined);
    assert.equal(plain.answers.length, 1);
  });

  test('an index change is visible at once (cached wire answers are dropped)', async () => {
    index.setService(slimService(svc('default', 'moving', { clusterIP: '10.96.0.77', ports: [{ port: 80 }] })));
    assert.deepEqual(answers(await exchange(port, question('moving.default.svc.cluster.local.', 'A'))), ['moving.default.svc.cluster.local. 5 IN A 10.96.0.77']);
    assert.equal(answers(await exchange(port, question('moving.default.svc.cluster.local.', 'A'))).length, 1);
    index.deleteService('default', 'moving');
    const gone = await exchange(port, question('moving.default.svc.cluster.local.', 'A'));
    assert.equal(rcodeName(gone.rcode), 'NXDOMAIN');
    assert.equal(gone.authorities[0]?.type, RRType.SOA);
  });

  test('NXDOMAIN and NODATA carry the SOA with the TTL as minimum', async () => {
    const nx = await exchange(port, question('nope.default.svc.cluster.local.', 'A'));
    assert.equal(nx.rcode, Rcode.NXDOMAIN);
    assert.match(formatRecord(nx.authorities[0] ?? nx.answers[0]!), /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
    const nodata = await exchange(port, question('web.default.svc.cluster.local.', 'AAAA'));
    assert.equal(nodata.rcode, Rcode.NOERROR);
    assert.equal(nodata.answers.length, 0);
    assert.equal(nodata.authorities[0]?.type, RRType.SOA);
  });

  test('oversized UDP answers are truncated with TC; TCP carries them whole', async () => {
    const udpPlain = await exchange(port, question('big.default.svc.cluster.local.', 'A', { edns: false }));
    assert.equal(udpPlain.flags.tc, true);
    assert.ok(udpPlain.answers.length < 100);
    const raw = await udpRaw(port, encodeMessage(question('big.default.svc.cluster.local.', 'A', { edns: false })).bytes);
    assert.ok(raw && raw.length <= 512);
    const edns = await exchange(port, question('big.default.svc.cluster.local.', 'A'));
    assert.equal(edns.flags.tc, true);
    const tcp = await exchange(port, question('big.default.svc.cluster.local.', 'A'), { tcp: true });
    assert.equal(tcp.flags.tc, false);
    assert.equal(tcp.answers.length, 100);
  });

  test('ExternalName to an outside name: the CNAME and the upstream answer in one reply', async () => {
    const r = await exchange(port, question('ext.default.svc.cluster.local.', 'A'));
    assert.deepEqual(answers(r), ['ext.default.svc.cluster.local. 5 IN CNAME www.example.com.', 'www.example.com. 300 IN A 93.184.216.34']);
  });

  test('forwarding: answers, NXDOMAIN with the upstream SOA, and the cache counting down', async () => {
    const cname = await exchange(port, question('alias.example.com.', 'A'));
    assert.deepEqual(answers(cname), ['alias.example.com. 300 IN CNAME www.example.com.', 'www.example.com. 300 IN A 93.184.216.34']);
    assert.equal(cname.flags.aa, false);
    const nx = await exchange(port, question('missing.example.com.', 'A'));
    assert.equal(nx.rcode, Rcode.NXDOMAIN);
    assert.equal(nx.authorities[0]?.name, 'example.com.');
    const before = metrics.cacheHits.get(['dns://127.0.0.1:0', 'denial', '.', '']);
    await exchange(port, question('missing.example.com.', 'A'));
    assert.equal(metrics.cacheHits.get(['dns://127.0.0.1:0', 'denial', '.', '']), before + 1);
  });

  test('an upstream that does not answer gives SERVFAIL, never silence', async () => {
    const dead = new Forwarder({ upstreams: [parseUpstream('127.0.0.1:9')], timeoutMs: 200 });
    const h = new QueryHandler({ backends: [backend], forwarder: dead, metrics: new DnsMetrics('x') });
    const s = new DnsServer({ host: '127.0.0.1', port: 0, handler: h });
    const p = (await s.listen()).port;
    try {
      const r = await exchange(p, question('www.example.com.', 'A'), { timeoutMs: 3000 });
      assert.equal(r.rcode, Rcode.SERVFAIL);
    } finally {
      dead.close();
      await s.close();
    }
  });

  test('autopath: a pod search-path query is answered in one round trip with a CNAME', async () => {
    index.setPod('default', 'client', ['127.0.0.1']);
    try {
      const outside = await exchange(port, question('www.example.com.default.svc.cluster.local.', 'A'));
      // The upstream answer may come from the forwarder's cache, a second or two counted down.
      const ttlFree = answers(outside).map((a) => a.replace(/ (29\d|300) IN /, ' TTL IN '));
      assert.deepEqual(ttlFree, ['www.example.com.default.svc.cluster.local. TTL IN CNAME www.example.com.', 'www.example.com. TTL IN A 93.184.216.34']);
      const inside = await exchange(port, question('web.default.svc.cluster.local.default.svc.cluster.local.', 'A'));
      assert.deepEqual(answers(inside), ['web.default.svc.cluster.local.default.svc.cluster.local. 5 IN CNAME web.default.svc.cluster.local.', 'web.default.svc.cluster.local. 5 IN A 10.96.0.20']);
      const direct = await exchange(port, question('web.default.svc.cluster.local.', 'A'));
      assert.deepEqual(answers(direct), ['web.default.svc.cluster.local. 5 IN A 10.96.0.20']);
      // Nothing anywhere: the first step's NXDOMAIN, for the client to go on by itself.
      const nowhere = await exchange(port, question('nothing.invalid.default.svc.cluster.local.', 'A'));
      assert.equal(nowhere.rcode, Rcode.NXDOMAIN);
      assert.ok(metrics.autopathSuccess.get(['dns://127.0.0.1:0']) >= 2);
    } finally {
      index.deletePod('default', 'client');
    }
    // Not a pod any more: no autopath.
    const plain = await exchange(port, question('www.example.com.default.svc.cluster.local.', 'A'));
    assert.equal(plain.rcode, Rcode.NXDOMAIN);
  });

  test('protocol errors: FORMERR, NOTIMP, BADVERS, REFUSED, and silence for responses', async () => {
    const garbage = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f, 0x61]);
    const formerr = decodeMessage((await udpRaw(port, garbage)) ?? Buffer.alloc(0));
    assert.ok(formerr.ok);
    assert.equal(formerr.message.id, 0xabcd);
    assert.equal(formerr.message.rcode, Rcode.FORMERR);

    const status: Message = { ...question('web.default.svc.cluster.local.', 'A'), flags: { ...question('x.', 'A').flags, opcode: Opcode.STATUS } };
    assert.equal((await exchange(port, status)).rcode, Rcode.NOTIMP);

    const v1 = question('web.default.svc.cluster.local.', 'A', { edns: { udpSize: 1232, version: 1, dnssecOk: false, options: [] } });
    const badvers = await exchange(port, v1);
    assert.equal(badvers.rcode, Rcode.BADVERS);
    assert.equal(badvers.edns?.version, 0);

    const chaos: Message = { ...question('version.bind.', 'TXT'), questions: [{ name: 'version.bind.', type: RRType.TXT, class: 3 }] };
    assert.equal((await exchange(port, chaos)).rcode, Rcode.REFUSED);

    const two: Message = { ...question('a.', 'A'), questions: [{ name: 'a.', type: 1, class: 1 }, { name: 'b.', type: 1, class: 1 }] };
    assert.equal((await exchange(port, two)).rcode, Rcode.FORMERR);

    const response = encodeMessage({ ...question('web.default.svc.cluster.local.', 'A'), flags: { ...question('x.', 'A').flags, qr: true } }).bytes;
    assert.equal(await udpRaw(port, response, 300), undefined);
  });

  test('TCP carries several queries on one connection', async () => {
    const a = encodeMessage(question('web.default.svc.cluster.local.', 'A', { id: 1 })).bytes;
    const b = encodeMessage(question('www.example.com.', 'A', { id: 2 })).bytes;
    const net = await import('node:net');
    const replies = await new Promise<number[]>((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port });
      let acc = Buffer.alloc(0);
      const ids: number[] = [];
      sock.on('connect', () => {
        const frame = Buffer.alloc(4 + a.length + b.length);
        frame.writeUInt16BE(a.length, 0);
        a.copy(frame, 2);
        frame.writeUInt16BE(b.length, 2 + a.length);
        b.copy(frame, 4 + a.length);
        // Split mid-frame to exercise reassembly.
        sock.write(frame.subarray(0, 7));
        setTimeout(() => sock.write(frame.subarray(7)), 20);
      });
      sock.on('data', (d: Buffer) => {
        acc = Buffer.concat([acc, d]);
        while (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
          ids.push(acc.readUInt16BE(2));
          acc = acc.subarray(2 + acc.readUInt16BE(0));
        }
        if (ids.length === 2) {
          sock.destroy();
          resolve(ids);
        }
      });
      sock.on('error', reject);
    });
    assert.deepEqual(replies.sort(), [1, 2]);
  });

  test('metrics use the CoreDNS names', async () => {
    const text = await (await fetch(`http://127.0.0.1:${http.port}/metrics`)).text();
    assert.match(text, /^coredns_dns_requests_total\{server="dns:\/\/127\.0\.0\.1:0",zone="\.",view="",proto="udp",family="1",type="A"\} \d+$/m);
    assert.match(text, /^coredns_dns_responses_total\{server="dns:\/\/127\.0\.0\.1:0",zone="\.",view="",rcode="NXDOMAIN",plugin="kubernetes"\} \d+$/m);
    assert.match(text, /^coredns_dns_request_duration_seconds_bucket\{.*type="A",le="0\.00025"\} \d+$/m);
    assert.match(text, /^coredns_cache_hits_total\{server="dns:\/\/127\.0\.0\.1:0",type="denial",zones="\.",view=""\} \d+$/m);
    assert.match(text, /^coredns_cache_entries\{server="dns:\/\/127\.0\.0\.1:0",type="success",zones="\.",view=""\} \d+$/m);
    assert.match(text, /^coredns_forward_requests_total\{to="127\.0\.0\.1:\d+"\} \d+$/m);
    assert.match(text, /^coredns_autopath_success_total\{server="dns:\/\/127\.0\.0\.1:0"\} \d+$/m);
    assert.match(text, /^coredns_panics_total 0$/m);
  });

  test('fuzz: random and mutated packets never crash it or stop it answering', async () => {
    let seed = 0x5eed;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 8) % n;
    };
    const seeds = [
      encodeMessage(question('web.default.svc.cluster.local.', 'A')).bytes,
      encodeMessage(question('_http._tcp.web.default.svc.cluster.local.', 'SRV')).bytes,
      encodeMessage(question('www.example.com.', 'AAAA', { edns: false })).bytes,
      encodeMessage(question('20.0.96.10.in-addr.arpa.', 'PTR')).bytes,
    ];
    const dgram = await import('node:dgram');
    const sock = dgram.createSocket('udp4');
    let replies = 0;
    sock.on('message', () => replies++);
    const N = 5000;
    for (let i = 0; i < N; i++) {
      let pkt: Buffer;
      if (i % 3 === 0) {
        pkt = Buffer.from(Array.from({ length: rnd(300) }, () => rnd(256)));
      } else {
        pkt = Buffer.from(seeds[i % seeds.length] ?? seeds[0]!);
        const flips = 1 + rnd(6);
        for (let f = 0; f < flips; f++) pkt[rnd(pkt.length)] = rnd(256);
        if (i % 7 === 0) pkt = pkt.subarray(0, rnd(pkt.length));
      }
      sock.send(pkt, port, '127.0.0.1');
      // Pace the sender so the kernel's socket buffers do not drop what we want answered.
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 3));
    }
    let tcpReplies = 0;
    for (let i = 0; i < 200; i++) {
      const len = 12 + rnd(200);
      const body = Buffer.from(Array.from({ length: len }, () => rnd(256)));
      body[2] = (body[2] ?? 0) & 0x7f; // a query, so an answer is due
      if (await tcpRaw(port, body, 500)) tcpReplies++;
    }
    assert.equal(tcpReplies, 200);
    await new Promise((r) => setTimeout(r, 300));
    sock.close();
    assert.ok(replies > N / 4, `expected answers to many fuzzed packets, got ${replies}`);
    const r = await exchange(port, question('web.default.svc.cluster.local.', 'A'));
    assert.deepEqual(answers(r), ['web.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    const t = await exchange(port, question('web.default.svc.cluster.local.', 'A'), { tcp: true });
    assert.equal(t.answers.length, 1);
    assert.equal(metrics.panics.get(), 0);
  });

  test('--log-queries writes one CoreDNS-style line per query', async () => {
    const lines: string[] = [];
    const h = new QueryHandler({ backends: [backend], metrics: new DnsMetrics('l'), logQueries: true, log: createLogger('dns', (l) => lines.push(l)) });
    const s = new DnsServer({ host: '127.0.0.1', port: 0, handler: h });
    const p = (await s.listen()).port;
    try {
      await exchange(p, question('web.default.svc.cluster.local.', 'A', { id: 777 }));
      await exchange(p, question('Web.default.svc.cluster.local.', 'A', { id: 778 }));
      assert.equal(lines.length, 2);
      assert.match(lines[0] ?? '', /127\.0\.0\.1:\d+ - 777 "A IN web\.default\.svc\.cluster\.local\. udp \d+ false 1232" NOERROR qr,aa,rd,ra \d+ [\d.]+s$/);
      // The second comes from the wire cache and logs the same way.
      assert.match(lines[1] ?? '', /- 778 "A IN Web\.default\.svc\.cluster\.local\. udp \d+ false 1232" NOERROR qr,aa,rd,ra \d+ [\d.]+s$/);
    } finally {
      await s.close();
    }
  });

  test('shuffle keeps the record set', async () => {
    const h = new QueryHandler({ backends: [backend], metrics: new DnsMetrics('s'), shuffle: true });
    const s = new DnsServer({ host: '127.0.0.1', port: 0, handler: h });
    const p = (await s.listen()).port;
    try {
      const orders = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const r = await exchange(p, question('big.default.svc.cluster.local.', 'A'), { tcp: true });
        assert.equal(r.answers.length, 100);
        orders.add(answers(r).join(','));
        assert.deepEqual(answers(r).sort(), Array.from({ length: 100 }, (_, k) => `big.default.svc.cluster.local. 5 IN A 10.244.0.${k + 1}`).sort());
      }
      assert.ok(orders.size > 1);
    } finally {
      await s.close();
    }
  });
});
