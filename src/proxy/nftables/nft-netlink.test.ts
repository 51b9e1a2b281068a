import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyState } from '../dataplane.js';
import { FakeCommandRunner } from '../kernel/fake-command-runner.js';
import { buildProxyState } from '../proxy-state.js';
import { ep, portInfo } from '../testing/fixtures.js';
import type { EndpointInfo, ServicePortInfo } from '../types.js';
import { FakeNft } from './nft-fake.js';
import { encodeElementBatch, netlinkElement } from './nft-netlink.js';
import { type NetlinkSender, NftablesDataplane } from './nftables-dataplane.js';

interface Decoded {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly family: number;
  readonly resId: number;
  readonly table?: string;
  readonly set?: string;
  readonly elements: { key: Buffer; data?: Buffer }[];
}

/** Netlink attributes of a payload: type (without flags) → payloads, in order. */
function attrs(b: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  for (let off = 0; off + 4 <= b.length; ) {
    const len = b.readUInt16LE(off);
    out.push([b.readUInt16LE(off + 2) & 0x3fff, b.subarray(off + 4, off + len)]);
    off += (len + 3) & ~3;
  }
  return out;
}

/** Parses a batch back into messages (a test-side decoder, independent of the encoder). */
function decode(batch: Buffer): Decoded[] {
  const msgs: Decoded[] = [];
  for (let off = 0; off < batch.length; ) {
    const len = batch.readUInt32LE(off);
    const body = batch.subarray(off + 20, off + len);
    const a = attrs(body);
    const str = (t: number): string | undefined => {
      const v = a.find(([k]) => k === t)?.[1];
      return v ? v.subarray(0, v.indexOf(0)).toString() : undefined;
    };
    const elements = (a.find(([k]) => k === 3)?.[1] ? attrs(a.find(([k]) => k === 3)?.[1] ?? Buffer.alloc(0)) : []).map(([, el]) => {
      const parts = attrs(el);
      const value = (t: number): Buffer | undefined => {
        const nested = parts.find(([k]) => k === t)?.[1];
        return nested ? attrs(nested)[0]?.[1] : undefined;
      };
      const data = value(2);
      return { key: value(1) ?? Buffer.alloc(0), ...(data ? { data } : {}) };
    });
    const table = str(1);
    const set = str(2);
    msgs.push({
      type: batch.readUInt16LE(off + 4),
      flags: batch.readUInt16LE(off + 6),
      seq: batch.readUInt32LE(off + 8),
      family: batch.readUInt8(off + 16),
      resId: batch.readUInt16BE(off + 18),
      ...(table !== undefined ? { table } : {}),
      ...(set !== undefined ? { set } : {}),
      elements,
    });
    off += len;
  }
  return msgs;
}

/** The nft command a decoded element message stands for (slot maps and the hairpin set). */
function asNft(m: Decoded): string {
  const verb = (m.type & 0xff) === 12 ? 'add' : 'delete';
  const ip = (b: Buffer): string => [...b.subarray(0, 4)].join('.');
  const items = m.elements.map((e) => {
    if (m.set?.startsWith('endpoint-slots-')) {
      const key = String(e.key.readUInt32LE(0));
      return e.data ? `${key} : ${ip(e.data)} . ${e.data.readUInt16BE(4)}` : key;
    }
    return `${ip(e.key)} . ${ip(e.key.subarray(4))}`;
  });
  return `${verb} element ip ${m.table ?? ''} ${m.set ?? ''} { ${items.join(', ')} }`;
}

describe('nf_tables element messages', () => {
  test('element layouts are what nft sends (nft --debug=netlink)', () => {
    // nft: "element 00010001 : 0c01f40a 0000901f" — 32-bit words in host (little endian) order.
    const slot = netlinkElement({ map: 'endpoint-slots-tcp-0', key: '65537', value: '10.244.1.12 . 8080' });
    assert.ok(slot);
    assert.equal(slot.key.toString('hex'), '01000100');
    assert.equal(slot.data?.toString('hex'), '0af4010c1f900000');
    // nft: "element 6301f40a 6201f40a"
    const hairpin = netlinkElement({ map: 'hairpin-endpoints', key: '10.244.1.99 . 10.244.1.98' });
    assert.equal(hairpin?.key.toString('hex'), '0af401630af40162');
    assert.equal(hairpin?.data, undefined);
  });

  test('elements of other sets and malformed ones are left to nft', () => {
    assert.equal(netlinkElement({ map: 'service-ips', key: '10.96.0.1 . tcp . 80', value: 'goto service-X' }), undefined);
    assert.equal(netlinkElement({ map: 'endpoint-slots-tcp-0', key: '1', value: 'fd00::1 . 80' }), undefined);
    assert.equal(netlinkElement({ map: 'endpoint-slots-tcp-0', key: 'x', value: '10.0.0.1 . 80' }), undefined);
    assert.equal(netlinkElement({ map: 'endpoint-slots-tcp-0', key: '1', value: '10.0.0.1 . 70000' }), undefined);
    assert.equal(netlinkElement({ map: 'hairpin-endpoints', key: '10.0.0.1' }), undefined);
  });

  test('a batch: begin, deletes, adds, end, then the GETGEN marker', () => {
    const el = (key: string, value: string) => netlinkElement({ map: 'endpoint-slots-tcp-0', key, value });
    const a = el('7', '10.244.0.7 . 80');
    const b = el('8', '10.244.0.8 . 80');
    const h = netlinkElement({ map: 'hairpin-endpoints', key: '10.244.0.8 . 10.244.0.8' });
    assert.ok(a && b && h);
    const nb = encodeElementBatch(
      [
        { verb: 'add', element: b },
        { verb: 'delete', element: a },
        { verb: 'add', element: h },
      ],
      100,
    );
    const msgs = decode(nb.batch);
    assert.deepEqual(
      msgs.map((m) => [m.type.toString(16), m.seq]),
      [
        ['10', 100],
        ['a0e', 101],
        ['a0c', 102],
        ['a0c', 103],
        ['11', 104],
      ],
    );
    assert.equal(msgs[0]?.resId, 10, 'batch begin names the nftables subsystem');
    assert.equal(msgs[1]?.family, 2);
    assert.deepEqual(msgs.slice(1, 4).map(asNft), [
      'delete element ip kube-proxy endpoint-slots-tcp-0 { 7 }',
      'add element ip kube-proxy endpoint-slots-tcp-0 { 8 : 10.244.0.8 . 80 }',
      'add element ip kube-proxy hairpin-endpoints { 10.244.0.8 . 10.244.0.8 }',
    ]);
    assert.equal(msgs[2]?.flags, 0x405, 'add: request, ack, create');
    assert.equal(nb.markerSeq, 105);
    assert.equal(decode(nb.marker)[0]?.type, 0x0a10);
    assert.equal(nb.described.get(102), 'add element ip kube-proxy endpoint-slots-tcp-0');
  });

  test('large changes are split into messages of at most 64 elements', () => {
    const ops = Array.from({ length: 150 }, (_, i) => ({ verb: 'add' as const, element: netlinkElement({ map: 'endpoint-slots-tcp-0', key: String(i), value: `10.244.0.${i % 250} . 80` })! }));
    const msgs = decode(encodeElementBatch(ops, 1).batch);
    assert.deepEqual(msgs.map((m) => m.elements.length), [0, 64, 64, 22, 0]);
  });
});

describe('nftables dataplane: element-only changes over netlink', () => {
  const web = portInfo({ namespace: 'ns', name: 'web', clusterIPs: ['10.96.0.10'], port: 80 });
  const eps = (...last: number[]): EndpointInfo[] => last.map((n) => ep(`10.244.0.${n}`, { port: 8080 }));
  const state = (endpoints: EndpointInfo[], changed: boolean, info: ServicePortInfo = web): ProxyState =>
    buildProxyState({
      serviceMap: new Map([[info.key, info]]),
      endpointsMap: new Map([[info.key, endpoints]]),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
      ...(changed ? { changed: new Set([info.key]) } : {}),
    });

  function harness(fail?: () => number) {
    const fake = new FakeNft();
    const runner = new FakeCommandRunner((argv, input) => fake.handle(argv, input));
    const sent: string[][] = [];
    const sender: NetlinkSender = {
      alive: true,
      async send(batch) {
        const msgs = decode(batch).filter((m) => m.set !== undefined);
        const cmds = msgs.map(asNft);
        sent.push(cmds);
        const errno = fail?.() ?? 0;
        // The kernel applies the batch (here: the same commands as an nft script), or nothing.
        if (errno === 0) fake.apply(`${cmds.join('\n')}\n`);
        return { errno, seq: errno ? (msgs[0]?.seq ?? 0) : 0 };
      },
      close() {},
    };
    const dp = new NftablesDataplane({ runner, netnsCheck: () => ({ ok: true as const, netns: 'net:[fake]' }), clusterCIDR: '10.244.0.0/16', conntrackCleanup: false, netlinkElements: true, netlinkSender: async () => sender });
    return { fake, runner, dp, sent };
  }

  test('an endpoint replaced goes over netlink; a count change goes through nft; both end where a rewrite would', async () => {
    const { fake, dp, sent } = harness();
    assert.deepEqual(await dp.sync(state(eps(2, 3), false)), { ok: true });
    assert.equal(dp.lastSyncStats?.via, 'nft');
    await dp.sync(state(eps(2, 4), true));
    assert.equal(dp.lastSyncStats?.via, 'netlink');
    assert.equal(sent.length, 1);
    assert.ok(sent[0]?.some((c) => c.startsWith('add element ip kube-proxy endpoint-slots-tcp-') && c.includes('10.244.0.4 . 8080')), sent[0]?.join('\n'));
    await dp.sync(state(eps(2, 4, 5), true));
    assert.equal(dp.lastSyncStats?.via, 'nft', 'the numgen modulus changes: a rule change');
    assert.equal(sent.length, 1);

    const fresh = harness();
    await fresh.dp.sync(state(eps(2, 4, 5), false));
    assert.equal(fake.dump(), fresh.fake.dump());
  });

  test('a failed batch fails the sync, and the next sync rewrites the table', async () => {
    let errno = 2;
    const { dp } = harness(() => errno);
    await dp.sync(state(eps(2, 3), false));
    const r = await dp.sync(state(eps(2, 4), true));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : (r.failures[0]?.error ?? ''), /^netlink: (delete|add) element ip kube-proxy .*: No such file or directory$/);
    errno = 0;
    await dp.sync(state(eps(2, 4), true));
    assert.equal(dp.lastSyncStats?.kind, 'rewrite');
    assert.equal(dp.lastSyncStats?.via, 'nft');
  });
});
