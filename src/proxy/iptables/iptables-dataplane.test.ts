import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyState } from '../dataplane.js';
import { FakeCommandRunner } from '../kernel/fake-command-runner.js';
import { tracePacket } from '../kernel/tracer.js';
import { buildProxyState } from '../proxy-state.js';
import { ep, portInfo } from '../testing/fixtures.js';
import type { EndpointInfo, ServicePortInfo } from '../types.js';
import { FakeIptables } from './iptables-fake.js';
import { IptablesDataplane, parseSave } from './iptables-dataplane.js';
import { buildIptablesRules, renderIptablesDump } from './iptables-rules.js';

const OK = () => ({ ok: true as const, netns: 'net:[fake]' });
const CIDR = '10.244.0.0/16';

function harness(variant: 'legacy' | 'nft' = 'legacy') {
  const fake = new FakeIptables();
  const runner = new FakeCommandRunner((argv, input) => fake.handle(argv, input));
  const dp = new IptablesDataplane({ runner, netnsCheck: OK, clusterCIDR: CIDR, variant });
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
const sticky = (timeoutSeconds: number): ServicePortInfo => ({ ...web, sessionAffinity: { type: 'ClientIP', timeoutSeconds } });
const eps = (...last: number[]): EndpointInfo[] => last.map((n) => ep(`10.244.0.${n}`, { port: 8080 }));

describe('iptables dataplane: partial syncs end where a full sync would', () => {
  const steps: { name: string; services: Svc[]; changed?: string[]; kind: string }[] = [
    { name: 'first sync is full', services: [{ info: web, endpoints: eps(2, 3) }, { info: dns, endpoints: eps(4, 5) }, { info: api, endpoints: [] }], kind: 'full' },
    { name: 'add an endpoint', services: [{ info: web, endpoints: eps(2, 3, 6) }, { info: dns, endpoints: eps(4, 5) }, { info: api, endpoints: [] }], changed: [web.key], kind: 'partial' },
    { name: 'remove a UDP endpoint', services: [{ info: web, endpoints: eps(2, 3, 6) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: [] }], changed: [dns.key], kind: 'partial' },
    { name: 'no endpoints → some', services: [{ info: web, endpoints: eps(2, 3, 6) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: eps(7) }], changed: [api.key], kind: 'partial' },
    { name: 'session affinity on', services: [{ info: sticky(60), endpoints: eps(2, 3) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: eps(7) }], changed: [web.key], kind: 'partial' },
    { name: 'affinity off, endpoint gone', services: [{ info: web, endpoints: eps(3) }, { info: dns, endpoints: eps(5) }, { info: api, endpoints: eps(7) }], changed: [web.key], kind: 'partial' },
    { name: 'service deleted', services: [{ info: web, endpoints: eps(3) }, { info: api, endpoints: eps(7) }], changed: [dns.key], kind: 'partial' },
    { name: 'full resync', services: [{ info: web, endpoints: eps(3, 9) }, { info: api, endpoints: eps(7) }], kind: 'full' },
    { name: 'everything deleted', services: [], kind: 'full' },
  ];
  test('steps', async () => {
    const { fake, dp } = harness();
    for (const s of steps) {
      assert.deepEqual(await dp.sync(state(s.services, s.changed)), { ok: true }, s.name);
      assert.equal(dp.lastSyncStats?.kind, s.kind, s.name);
      assert.equal(fake.dump(), renderIptablesDump(buildIptablesRules(state(s.services), { clusterCIDR: CIDR })), s.name);
    }
  });

  test('a one-endpoint change writes only the chains of that port besides the top-level ones', async () => {
    const { fake, dp } = harness();
    const many: Svc[] = Array.from({ length: 50 }, (_, i) => ({ info: portInfo({ namespace: 'ns', name: `s${i}`, clusterIPs: [`10.96.1.${i}`] }), endpoints: eps(2, 3) }));
    await dp.sync(state(many));
    const target = many[7];
    assert.ok(target);
    await dp.sync(state(many.map((s) => (s === target ? { ...s, endpoints: eps(2) } : s)), [target.info.key]));
    const input = fake.applied.at(-1) ?? '';
    const ownChains = input.split('\n').filter((l) => /^:KUBE-(SVC|SEP)-/.test(l));
    // The Service chain, the surviving endpoint chain, and the removed endpoint chain (flushed, then deleted).
    assert.equal(ownChains.length, 3, input);
    assert.equal(input.split('\n').filter((l) => l.startsWith('-X ')).length, 1);
    assert.equal(fake.chains('nat').filter((c) => c.startsWith('KUBE-SEP-')).length, 99);
  });
});

describe('iptables dataplane: startup, failures, conntrack, status, close', () => {
  test('a full sync deletes stale Service chains and inserts missing jump rules once', async () => {
    const { fake, dp } = harness();
    fake.restore('*nat\n:KUBE-SVC-STALESTALESTALE1 - [0:0]\n:KUBE-SEP-STALESTALESTALE2 - [0:0]\n-A KUBE-SVC-STALESTALESTALE1 -j KUBE-SEP-STALESTALESTALE2\n:OTHER - [0:0]\nCOMMIT\n');
    await dp.sync(state([{ info: web, endpoints: eps(2) }]));
    assert.ok(!fake.chains('nat').some((c) => c.includes('STALE')));
    assert.ok(fake.chains('nat').includes('OTHER'), 'chains of others are left alone');
    await dp.sync(state([{ info: web, endpoints: eps(2) }]));
    assert.equal(fake.rules('nat', 'PREROUTING').length, 1);
    assert.equal(fake.rules('filter', 'INPUT').length, 3);
  });

  test('a failed restore is reported and the next sync is full', async () => {
    const { fake, runner, dp } = harness();
    await dp.sync(state([{ info: web, endpoints: eps(2) }]));
    runner.handler = (argv, input) => (argv[0]?.endsWith('-restore') ? { code: 2, stderr: 'iptables-restore: line 7 failed' } : fake.handle(argv, input));
    const r = await dp.sync(state([{ info: web, endpoints: eps(2, 3) }], [web.key]));
    assert.equal(r.ok, false);
    assert.match(!r.ok ? (r.failures[0]?.error ?? '') : '', /line 7 failed/);
    runner.handler = (argv, input) => fake.handle(argv, input);
    assert.deepEqual(await dp.sync(state([{ info: web, endpoints: eps(2, 3) }], [web.key])), { ok: true });
    assert.equal(dp.lastSyncStats?.kind, 'full');
    assert.equal(fake.dump(), renderIptablesDump(buildIptablesRules(state([{ info: web, endpoints: eps(2, 3) }]), { clusterCIDR: CIDR })));
  });

  test('the configured variant is used for every tool', async () => {
    const { runner, dp } = harness('nft');
    await dp.sync(state([{ info: web, endpoints: eps(2) }]));
    const tools = new Set(runner.calls.map((c) => c.argv[0]));
    assert.deepEqual([...tools].sort(), ['iptables-nft-restore', 'iptables-nft-save']);
    assert.equal(dp.iptablesVariant, 'nft');
  });

  test('removing a UDP endpoint deletes its conntrack entries', async () => {
    const { runner, dp } = harness();
    await dp.sync(state([{ info: dns, endpoints: eps(4, 5) }]));
    // A UDP Service that gets its first endpoints forgets entries made while it had none.
    assert.deepEqual(
      runner.callsTo('conntrack').map((c) => c.argv.join(' ')),
      ['conntrack -D -p udp --orig-dst 10.96.0.11'],
    );
    const before = runner.callsTo('conntrack').length;
    await dp.sync(state([{ info: dns, endpoints: eps(5) }], [dns.key]));
    assert.deepEqual(
      runner
        .callsTo('conntrack')
        .slice(before)
        .map((c) => c.argv.join(' ')),
      ['conntrack -D -p udp --orig-dst 10.96.0.11 --dst-nat 10.244.0.4'],
    );
  });

  test('status shows the scheduler really used', async () => {
    const { dp } = harness();
    await dp.sync(state([{ info: { ...dns, scheduler: 'sh' }, endpoints: eps(4, 5) }, { info: { ...api, scheduler: 'lc' }, endpoints: eps(6) }]));
    assert.deepEqual(
      dp.status().map((v) => `${v.kind} ${v.protocol} ${v.address}:${v.port} ${v.scheduler}`),
      ['ExternalIP TCP 192.0.2.9:443 random (lc not available in iptables mode)', 'ClusterIP TCP 10.96.0.12:443 random (lc not available in iptables mode)', 'ClusterIP UDP 10.96.0.11:53 sh'],
    );
  });

  test('close removes jump rules and every chain of ours', async () => {
    const { fake, dp } = harness();
    await dp.sync(state([{ info: web, endpoints: eps(2, 3) }, { info: api, endpoints: [] }]));
    await dp.close();
    assert.deepEqual(fake.chains('nat'), []);
    assert.deepEqual(fake.chains('filter'), []);
    assert.equal(fake.rules('filter', 'INPUT').length, 0);
    assert.deepEqual(dp.status(), []);
  });

  test('the generated rules trace like the golden cases once programmed', async () => {
    const { fake, dp } = harness();
    await dp.sync(state([{ info: web, endpoints: eps(2, 3) }]));
    const r = tracePacket(fake.traceModel(), { source: '192.0.2.1', destination: '192.168.0.10', protocol: 'TCP', port: 30080 }, { nodeAddresses: ['192.168.0.10'] });
    assert.equal(r.summary, 'DNAT 10.244.0.2:8080,10.244.0.3:8080 masq');
  });

  test('parseSave finds chains and jumps', () => {
    const got = parseSave('*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\nCOMMIT\n');
    assert.deepEqual([...got.chains.nat], ['PREROUTING', 'KUBE-SERVICES']);
    assert.deepEqual([...got.jumps], ['nat|PREROUTING|KUBE-SERVICES']);
  });

  test('refuses to start where the rules would land in the host namespace', () => {
    assert.throws(() => new IptablesDataplane({ runner: new FakeCommandRunner(), netnsCheck: () => ({ ok: false, reason: 'host namespace' }) }), /iptables proxy mode: host namespace/);
  });
});
