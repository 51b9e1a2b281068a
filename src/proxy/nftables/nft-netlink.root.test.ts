/**
 * Root-only: element-only syncs sent over netlink (nft-netlink.ts through the
 * Python relay) leave the kernel exactly where the same syncs through `nft -f`
 * leave it. Two lab namespaces get the same sequence of syncs, one with the
 * netlink path and one without; their rulesets (elements sorted) must match
 * after every step. Namespaces are `sy-kp-<id>-*`, removed also on failure.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyState } from '../dataplane.js';
import { findExecutable } from '../kernel/command-runner.js';
import { NetnsLab, labUnavailable } from '../kernel/testing/netns-lab.js';
import { buildProxyState } from '../proxy-state.js';
import { ep, portInfo } from '../testing/fixtures.js';
import type { EndpointInfo, ServicePortInfo, ServicePortKey } from '../types.js';
import { NftablesDataplane } from './nftables-dataplane.js';

const reason = labUnavailable(['nft']) ?? (findExecutable('python3') ? undefined : 'python3 is not installed (the netlink relay needs it)');
if (reason) console.log(`# skipping the netlink element tests: ${reason}`);

/** `nft -j list table` with every set's elements sorted (hash sets list in no particular order). */
function canonical(json: string): unknown {
  const doc = JSON.parse(json) as { nftables: Record<string, unknown>[] };
  return doc.nftables
    .filter((o) => !('metainfo' in o))
    .map((o) => {
      const set = (o.set ?? o.map) as { elem?: unknown[] } | undefined;
      if (set?.elem) set.elem = set.elem.map((e) => JSON.stringify(e)).sort();
      return o;
    });
}

describe('nftables element changes over netlink (real kernel)', { skip: reason ?? false }, () => {
  let lab: NetnsLab;
  let viaNetlink: string;
  let viaNft: string;
  const dps: NftablesDataplane[] = [];

  before(() => {
    lab = NetnsLab.create();
    viaNetlink = lab.addNamespace('nl');
    viaNft = lab.addNamespace('nft');
  });
  after(async () => {
    for (const dp of dps) await dp.close().catch(() => undefined);
    lab?.close();
  });

  const services: ServicePortInfo[] = [];
  const endpoints = new Map<ServicePortKey, EndpointInfo[]>();
  let pod = 10;
  for (let i = 0; i < 40; i++) {
    const info = portInfo({ namespace: 'ns', name: `svc-${i}`, clusterIPs: [`10.96.1.${i + 1}`], port: 80, ...(i % 5 === 0 ? { protocol: 'UDP' as const } : {}) });
    services.push(info);
    endpoints.set(info.key, [0, 1, 2].map(() => ep(`10.244.${Math.floor(pod / 250)}.${(pod++ % 250) + 1}`, { port: 8080 })));
  }
  const state = (changed?: ServicePortKey[]): ProxyState =>
    buildProxyState({
      serviceMap: new Map(services.map((s) => [s.key, s])),
      endpointsMap: endpoints,
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
      ...(changed ? { changed: new Set(changed) } : {}),
    });
  const replaceOne = (i: number): ServicePortKey => {
    const key = services[i]?.key ?? '';
    const list = [...(endpoints.get(key) ?? [])];
    list.shift();
    list.push(ep(`10.244.${Math.floor(pod / 250)}.${(pod++ % 250) + 1}`, { port: 8080 }));
    endpoints.set(key, list);
    return key;
  };

  test('the same syncs through netlink and through nft end in the same ruleset', async () => {
    const a = new NftablesDataplane({ netns: viaNetlink, clusterCIDR: '10.244.0.0/16', conntrackCleanup: false });
    const b = new NftablesDataplane({ netns: viaNft, clusterCIDR: '10.244.0.0/16', conntrackCleanup: false, netlinkElements: false });
    dps.push(a, b);
    const both = async (st: ProxyState): Promise<void> => {
      assert.deepEqual(await a.sync(st), { ok: true });
      assert.deepEqual(await b.sync(st), { ok: true });
      const la = lab.exec(viaNetlink, ['nft', '-j', 'list', 'table', 'ip', 'kube-proxy']);
      const lb = lab.exec(viaNft, ['nft', '-j', 'list', 'table', 'ip', 'kube-proxy']);
      assert.deepEqual(canonical(la), canonical(lb));
    };
    await both(state());
    const vias: string[] = [];
    for (const i of [3, 5, 17, 3]) {
      await both(state([replaceOne(i)]));
      vias.push(a.lastSyncStats?.via ?? '');
      assert.equal(b.lastSyncStats?.via, 'nft');
    }
    assert.deepEqual(vias, ['netlink', 'netlink', 'netlink', 'netlink'], 'TCP and UDP endpoint replacements are element-only');
    // Several Services in one sync, then a count change (rules: nft) in between.
    await both(state([replaceOne(1), replaceOne(2), replaceOne(10)]));
    assert.equal(a.lastSyncStats?.via, 'netlink');
    const key = services[7]?.key ?? '';
    endpoints.set(key, [...(endpoints.get(key) ?? []), ep('10.244.9.9', { port: 8080 })]);
    await both(state([key]));
    assert.equal(a.lastSyncStats?.via, 'nft');
    await both(state([replaceOne(7)]));
    assert.equal(a.lastSyncStats?.via, 'netlink');
  });

  test('a batch the kernel refuses changes nothing, fails the sync, and the next sync rewrites', async () => {
    const a = dps[0];
    assert.ok(a);
    const key = services[20]?.key ?? '';
    const first = endpoints.get(key)?.[0];
    assert.ok(first);
    // Someone removed our hairpin element behind our back: deleting it again fails (ENOENT).
    lab.exec(viaNetlink, ['nft', 'delete', 'element', 'ip', 'kube-proxy', 'hairpin-endpoints', `{ ${first.ip} . ${first.ip} }`]);
    const before = canonical(lab.exec(viaNetlink, ['nft', '-j', 'list', 'table', 'ip', 'kube-proxy']));
    const r = await a.sync(state([replaceOne(20)]));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : (r.failures[0]?.error ?? ''), /^netlink: delete element ip kube-proxy hairpin-endpoints: No such file or directory$/);
    assert.deepEqual(canonical(lab.exec(viaNetlink, ['nft', '-j', 'list', 'table', 'ip', 'kube-proxy'])), before, 'nothing of the batch was applied');
    assert.deepEqual(await a.sync(state()), { ok: true });
    assert.equal(a.lastSyncStats?.kind, 'rewrite');
    assert.match(lab.exec(viaNetlink, ['nft', 'list', 'set', 'ip', 'kube-proxy', 'hairpin-endpoints']), new RegExp(`${(endpoints.get(key)?.[2]?.ip ?? 'x').replace(/\./g, '\\.')} \\. `));
  });
});
