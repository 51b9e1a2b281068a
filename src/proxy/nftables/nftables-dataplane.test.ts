import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyState } from '../dataplane.js';
import { createLogger } from '../../log/logger.js';
import { FakeCommandRunner } from '../kernel/fake-command-runner.js';
import { buildProxyState } from '../proxy-state.js';
import { ep, portInfo } from '../testing/fixtures.js';
import type { EndpointInfo, ServicePortInfo } from '../types.js';
import { tracePacket } from '../kernel/tracer.js';
import { FakeNft, nftScriptTraceModel } from './nft-fake.js';
import { buildNftRules, renderNftRuleset } from './nft-rules.js';
import { NftablesDataplane } from './nftables-dataplane.js';

const OK = () => ({ ok: true as const, netns: 'net:[fake]' });

function harness() {
  const fake = new FakeNft();
  const runner = new FakeCommandRunner((argv, input) => fake.handle(argv, input));
  const dp = new NftablesDataplane({ runner, netnsCheck: OK, clusterCIDR: '10.244.0.0/16' });
  return { fake, runner, dp };
}

type Svc = { info: ServicePortInfo; endpoints: EndpointInfo[] };
const state = (services: Svc[], changed?: string[]): ProxyState =>
  buildProxyState({
    serviceMap: new Map(services.map((s) => [s.info.key, s.info])),
    endpointsMap: new Map(services.map((s) => [s.info.key, s.endpoints])),
    node: { nodeName: 'n', labels: {} },
    nodePortAddresses: ['192.168.0.10'],
    ...(changed ? { changed: new Set(changed) } : {}),
  });

const web = portInfo({ namespace: 'ns', name: 'web', clusterIPs: ['10.96.0.10'], port: 80, type: 'NodePort', nodePort: 30080 });
const dns = portInfo({ namespace: 'ns', name: 'dns', clusterIPs: ['10.96.0.11'], port: 53, protocol: 'UDP' });
const api = portInfo({ namespace: 'ns', name: 'api', clusterIPs: ['10.96.0.12'], port: 443, externalIPs: ['192.0.2.9'] });
const apiTwin = portInfo({ namespace: 'zz', name: 'twin', clusterIPs: ['10.96.0.13'], port: 443, externalIPs: ['192.0.2.9'] });
const sticky = (timeoutSeconds: number): ServicePortInfo => ({ ...web, sessionAffinity: { type: 'ClientIP', timeoutSeconds } });
const eps = (...last: number[]): EndpointInfo[] => last.map((n) => ep(`10.244.0.${n}`, { port: 8080 }));

describe('nftables dataplane: incremental syncs end where a rewrite would', () => {
  // Each step: the services after it, the keys the proxier reports as changed, what kind of transaction is expected.
  const steps: { name: string; services: Svc[]; changed?: string[]; kind: string }[] = [
    { name: 'first sync rewrites', services: [{ info: web, endpoints: eps(2, 3) }, { info: dns, endpoints: eps(4, 5) }, { info: api, endpoints: [] }], kind: 'rewrite' },
    { name: 'add an endpoint', services: [{ info: web, endpoints: eps(2, 3, 6) }, { info: dns, endpoints: eps(4, 5) }, { info: api, endpoints: [] }], changed: [web.key], kind: 'diff' },
    { name: 'remove a UDP endpoint', services: [{ info: web, endpoints: eps(2, 3, 6) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: [] }], changed: [dns.key], kind: 'diff' },
    { name: 'no endpoints → some', services: [{ info: web, endpoints: eps(2, 3, 6) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: eps(7) }], changed: [api.key], kind: 'diff' },
    { name: 'session affinity on', services: [{ info: sticky(60), endpoints: eps(2, 3) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: eps(7) }], changed: [web.key], kind: 'diff' },
    { name: 'affinity timeout changes', services: [{ info: sticky(90), endpoints: eps(2, 3) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: eps(7) }], changed: [web.key], kind: 'diff' },
    { name: 'affinity off, endpoint gone', services: [{ info: web, endpoints: eps(3) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: eps(7) }], changed: [web.key], kind: 'diff' },
    { name: 'a twin claims the same external IP', services: [{ info: web, endpoints: eps(3) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: eps(7) }, { info: apiTwin, endpoints: eps(8) }], changed: [apiTwin.key], kind: 'diff' },
    { name: 'the owner goes away; the twin takes over', services: [{ info: web, endpoints: eps(3) }, { info: dns, endpoints: eps(5) }, { info: apiTwin, endpoints: eps(8) }], changed: [api.key], kind: 'diff' },
    { name: 'service deleted', services: [{ info: web, endpoints: eps(3) }, { info: apiTwin, endpoints: eps(8) }], changed: [dns.key], kind: 'diff' },
    { name: 'full resync without changes is a no-op', services: [{ info: web, endpoints: eps(3) }, { info: apiTwin, endpoints: eps(8) }], kind: 'noop' },
    { name: 'full resync with a change diffs everything', services: [{ info: web, endpoints: eps(3, 9) }, { info: apiTwin, endpoints: eps(8) }], kind: 'diff' },
    { name: 'everything deleted', services: [], kind: 'diff' },
  ];
  test('steps', async () => {
    const { fake, dp } = harness();
    for (const s of steps) {
      const st = state(s.services, s.changed);
      assert.deepEqual(await dp.sync(st), { ok: true }, s.name);
      assert.equal(dp.lastSyncStats?.kind, s.kind, s.name);
      // Same table as a rewrite, given the endpoint slots the dataplane allocated along the way.
      const want = renderNftRuleset(buildNftRules(state(s.services), { clusterCIDR: '10.244.0.0/16' }, dp.endpointSlots()));
      assert.equal(fake.dump(), want, s.name);
      // And a fresh rewrite (its own allocation) behaves the same for packets.
      const fresh = nftScriptTraceModel(renderNftRuleset(buildNftRules(state(s.services), { clusterCIDR: '10.244.0.0/16' })));
      for (const sv of s.services) {
        for (const dst of [...sv.info.clusterIPs, ...sv.info.externalIPs]) {
          const pkt = { source: '10.244.0.3', destination: dst, protocol: sv.info.protocol, port: sv.info.port };
          assert.equal(tracePacket(fake.traceModel(), pkt, { nodeAddresses: [] }).summary, tracePacket(fresh, pkt, { nodeAddresses: [] }).summary, `${s.name}: ${dst}`);
        }
      }
    }
  });

  test('a one-endpoint change touches only that Service port', async () => {
    const { fake, dp } = harness();
    const many: Svc[] = Array.from({ length: 50 }, (_, i) => ({ info: portInfo({ namespace: 'ns', name: `s${i}`, clusterIPs: [`10.96.1.${i}`] }), endpoints: eps(2, 3) }));
    await dp.sync(state(many));
    const target = many[7];
    assert.ok(target);
    // An endpoint replaced: map elements only, no rule (a changed dnat rule costs a kernel revalidation).
    const replaced = many.map((s) => (s === target ? { ...s, endpoints: eps(2, 40) } : s));
    await dp.sync(state(replaced, [target.info.key]));
    let script = fake.applied.at(-1) ?? '';
    assert.doesNotMatch(script, /chain|rule/, script);
    assert.match(script, /^delete element ip kube-proxy endpoint-slots-tcp-0 \{ \d+ \}$/m);
    assert.match(script, /^add element ip kube-proxy endpoint-slots-tcp-0 \{ \d+ : 10\.244\.0\.40 \. 8080 \}$/m);
    // 10.244.0.3 still backs the other Services: its hairpin element stays.
    assert.match(script, /^add element ip kube-proxy hairpin-endpoints \{ 10\.244\.0\.40 \. 10\.244\.0\.40 \}$/m);
    assert.doesNotMatch(script, /hairpin-endpoints \{ 10\.244\.0\.3 /);
    assert.ok(script.split('\n').length < 6, script);
    // One endpoint fewer: the picking rule changes (mod 1), still only this Service port.
    const shrunk = replaced.map((s) => (s.info === target.info ? { ...s, endpoints: eps(2) } : s));
    await dp.sync(state(shrunk, [target.info.key]));
    script = fake.applied.at(-1) ?? '';
    assert.ok(!script.includes('/s8/'), script);
    assert.match(script, /flush chain ip kube-proxy service-\w+-ns\/s7\/tcp\//);
    assert.match(script, /dnat to numgen random mod 1 offset \d+ map @endpoint-slots-tcp-0/);
    assert.match(script, /delete element ip kube-proxy hairpin-endpoints \{ 10\.244\.0\.40 \. 10\.244\.0\.40 \}/);
    assert.ok(script.split('\n').length < 8, script);
  });

  test('slots of deleted Service ports are reused; every page of a protocol gets its map', async () => {
    const { fake, dp } = harness();
    const svc = (i: number): Svc => ({ info: portInfo({ namespace: 'ns', name: `p${i}`, clusterIPs: [`10.96.${i >> 8}.${i & 255}`] }), endpoints: eps(2) });
    const all = Array.from({ length: 300 }, (_, i) => svc(i));
    await dp.sync(state(all));
    assert.match(fake.dump(), /add map ip kube-proxy endpoint-slots-tcp-1 /);
    const offsetsIn = (dump: string) => [...dump.matchAll(/ns\/p(\d+)\/tcp\/ meta l4proto tcp dnat to numgen random mod 1 offset (\d+) map @endpoint-slots-tcp-(\d)/g)];
    const gone = all[5];
    assert.ok(gone);
    const before = offsetsIn(fake.dump()).find((m) => m[1] === '5');
    assert.ok(before);
    const rest = all.filter((s) => s !== gone);
    await dp.sync(state(rest, [gone.info.key]));
    const added = svc(1000);
    await dp.sync(state([...rest, added], [added.info.key]));
    const script = fake.applied.at(-1) ?? '';
    // The fresh port took the freed slot range.
    const offsets = offsetsIn(fake.dump());
    const of = (name: string) => offsets.find((m) => m[1] === name);
    assert.equal(of('1000')?.slice(2).join('/'), before.slice(2).join('/'), script);
    assert.equal(new Set(offsets.map((m) => `${m[3]}/${m[2]}`)).size, offsets.length, 'no two ports share a slot range');
  });
});

describe('nftables dataplane: failures, conntrack, status, close', () => {
  test('a failed transaction is reported and the next sync rewrites the table', async () => {
    const { fake, runner, dp } = harness();
    await dp.sync(state([{ info: web, endpoints: eps(2) }]));
    runner.handler = (argv) => (argv.includes('-f') ? { code: 1, stderr: 'Error: Could not process rule: No buffer space available' } : undefined);
    const r = await dp.sync(state([{ info: web, endpoints: eps(2, 3) }], [web.key]));
    assert.equal(r.ok, false);
    assert.match(!r.ok ? (r.failures[0]?.error ?? '') : '', /No buffer space available/);
    assert.equal(!r.ok ? r.failures[0]?.service : '', web.key);
    runner.handler = (argv, input) => fake.handle(argv, input);
    assert.deepEqual(await dp.sync(state([{ info: web, endpoints: eps(2, 3) }])), { ok: true });
    assert.equal(dp.lastSyncStats?.kind, 'rewrite');
    assert.match(fake.applied.at(-1) ?? '', /^add table ip kube-proxy\ndelete table ip kube-proxy\n/);
  });

  test('a table deleted behind our back is rewritten on the next full sync', async () => {
    const { fake, dp } = harness();
    await dp.sync(state([{ info: web, endpoints: eps(2) }]));
    fake.handle(['nft', 'delete', 'table', 'ip', 'kube-proxy'], '');
    await dp.sync(state([{ info: web, endpoints: eps(2) }]));
    assert.equal(dp.lastSyncStats?.kind, 'rewrite');
    assert.ok(fake.exists);
  });

  test('removing a UDP endpoint deletes its conntrack entries; TCP changes do not', async () => {
    const { runner, dp } = harness();
    await dp.sync(state([{ info: web, endpoints: eps(2, 3) }, { info: dns, endpoints: eps(4, 5) }]));
    const before = runner.callsTo('conntrack').length;
    await dp.sync(state([{ info: web, endpoints: eps(2) }, { info: dns, endpoints: eps(5) }], [web.key, dns.key]));
    const calls = runner
      .callsTo('conntrack')
      .slice(before)
      .map((c) => c.argv.join(' '));
    assert.deepEqual(calls, ['conntrack -D -p udp --orig-dst 10.96.0.11 --dst-nat 10.244.0.4']);
  });

  test('status lists frontends with the scheduler the kernel really uses', async () => {
    const { dp } = harness();
    await dp.sync(state([{ info: { ...web, scheduler: 'lc' }, endpoints: eps(2, 3) }]));
    const st = dp.status();
    assert.deepEqual(
      st.map((v) => `${v.kind} ${v.protocol} ${v.address}:${v.port} ${v.scheduler} ${v.realServers.map((r) => `${r.address}:${r.port}`).join(',')}`),
      ['ClusterIP TCP 10.96.0.10:80 random (lc not available in nftables mode) 10.244.0.2:8080,10.244.0.3:8080', 'NodePort TCP 192.168.0.10:30080 random (lc not available in nftables mode) 10.244.0.2:8080,10.244.0.3:8080'],
    );
  });

  test('an unavailable default scheduler is logged once; a Service asking for one is logged once per Service', async () => {
    const lines: string[] = [];
    const fake = new FakeNft();
    const runner = new FakeCommandRunner((argv, input) => fake.handle(argv, input));
    const dp = new NftablesDataplane({ runner, netnsCheck: OK, defaultScheduler: 'rr', log: createLogger('t', (l) => lines.push(l)) });
    const svcs = [{ info: web, endpoints: eps(2, 3) }, { info: { ...dns, scheduler: 'lc' }, endpoints: eps(4) }];
    await dp.sync(state(svcs));
    await dp.sync(state(svcs));
    const warnings = lines.filter((l) => /not available/.test(l));
    assert.equal(warnings.length, 2, lines.join('\n'));
    assert.match(warnings[0] ?? '', /default scheduler rr is not available in nftables mode/);
    assert.match(warnings[1] ?? '', /service ns\/dns:\/UDP: scheduler lc is not available in nftables mode, using random/);
    assert.equal(dp.status()[0]?.scheduler, 'random (rr not available in nftables mode)');
  });

  test('close deletes the table', async () => {
    const { fake, dp } = harness();
    await dp.sync(state([{ info: web, endpoints: eps(2) }]));
    await dp.close();
    assert.equal(fake.exists, false);
    assert.deepEqual(dp.status(), []);
  });

  test('refuses to start where the rules would land in the host namespace', () => {
    assert.throws(
      () => new NftablesDataplane({ runner: new FakeCommandRunner(), netnsCheck: () => ({ ok: false, reason: 'this process runs in the host network namespace' }) }),
      /nftables proxy mode: this process runs in the host network namespace/,
    );
  });
});
