import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProxyState } from '../proxy-state.js';
import { CLUSTER_CIDR, NODE_IP, RULE_CASES } from '../kernel/testing/rule-cases.js';
import { tracePacket } from '../kernel/tracer.js';
import { ep, portInfo } from '../testing/fixtures.js';
import { FakeNft, nftScriptTraceModel } from './nft-fake.js';
import { buildNftRules, hashAndTruncate, renderNftRuleset, servicePortChainNameBase, servicePortEndpointChainNameBase } from './nft-rules.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const OPTS = { clusterCIDR: CLUSTER_CIDR };

describe('nftables rules: golden dumps', () => {
  for (const c of RULE_CASES) {
    test(c.name, () => {
      const text = renderNftRuleset(buildNftRules(c.state, OPTS));
      const file = join(TESTDATA, `${c.name}.nft`);
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, 'utf8'));
      // The golden text is a valid transaction for the fake kernel (references resolve, no duplicates).
      const fake = new FakeNft();
      fake.apply(text);
      assert.equal(fake.dump(), text);
    });
  }
});

describe('nftables rules: packet traces', () => {
  for (const c of RULE_CASES) {
    const model = nftScriptTraceModel(renderNftRuleset(buildNftRules(c.state, OPTS)));
    for (const t of c.traces) {
      test(`${c.name}: ${t.name}`, () => {
        assert.equal(tracePacket(model, t.packet, { nodeAddresses: [NODE_IP] }).summary, t.want);
      });
    }
  }
});

describe('nftables rules: names and options', () => {
  test('chain names follow upstream servicePortChainNameBase / servicePortEndpointChainNameBase', () => {
    const info = portInfo({ namespace: 'ns1', name: 'svc1', portName: 'p80' });
    const base = servicePortChainNameBase(info);
    assert.match(base, /^[A-Z2-7]{8}-ns1\/svc1\/tcp\/p80$/);
    assert.equal(base, hashAndTruncate('ns1/svc1/tcp/p80'));
    assert.match(servicePortEndpointChainNameBase(info, { ip: '10.180.0.1', port: 80 }), /^[A-Z2-7]{8}-ns1\/svc1\/tcp\/p80__10\.180\.0\.1\/80$/);
    assert.equal(hashAndTruncate('x'.repeat(300)).length, 240);
  });

  const three = (scheduler?: string) =>
    buildProxyState({
      serviceMap: new Map([['ns/s:/TCP', portInfo({ namespace: 'ns', name: 's', clusterIPs: ['10.96.1.1'], ...(scheduler ? { scheduler } : {}) })]]),
      endpointsMap: new Map([['ns/s:/TCP', [ep('10.244.0.2'), ep('10.244.0.3'), ep('10.244.0.4')]]]),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
    });
  const table: { name: string; scheduler?: string; rules: RegExp[]; label: string }[] = [
    { name: 'default is numgen random over the slots', rules: [/meta l4proto tcp dnat to numgen random mod 3 offset 0 map @endpoint-slots-tcp-0/], label: 'random' },
    { name: 'sh uses jhash of the source address', scheduler: 'sh', rules: [/meta l4proto tcp dnat to jhash ip saddr mod 3 seed 0x0 offset 0 map @endpoint-slots-tcp-0/], label: 'sh' },
    { name: 'rr falls back to random and says so', scheduler: 'rr', rules: [/dnat to numgen random mod 3 offset 0 map/], label: 'random (rr not available in nftables mode)' },
    { name: 'an unknown scheduler falls back to random', scheduler: 'fastest', rules: [/dnat to numgen random mod 3 offset 0 map/], label: 'random (unknown scheduler "fastest")' },
  ];
  for (const row of table) {
    test(`scheduler: ${row.name}`, () => {
      const rs = buildNftRules(three(row.scheduler));
      const svc = [...rs.services.values()][0];
      assert.ok(svc);
      const text = renderNftRuleset(rs);
      for (const re of row.rules) assert.match(text, re);
      for (const [k, ip] of [[0, '10.244.0.2'], [1, '10.244.0.3'], [2, '10.244.0.4']] as const) assert.match(text, new RegExp(`endpoint-slots-tcp-0 \\{ ${k} : ${ip.replaceAll('.', '\\.')} \\. 80 \\}`));
      // No anonymous maps or vmaps: they make large transactions quadratic in the kernel. No per-endpoint chains either.
      assert.doesNotMatch(text, / v?map \{/);
      assert.doesNotMatch(text, /chain ip kube-proxy endpoint-/);
      assert.equal(svc.scheduling.label, row.label);
      const r = tracePacket(nftScriptTraceModel(text), { source: '10.244.5.5', destination: '10.96.1.1', protocol: 'TCP', port: 80 }, { nodeAddresses: [] });
      assert.equal(r.summary, 'DNAT 10.244.0.2:80,10.244.0.3:80,10.244.0.4:80');
    });
  }

  test('nodeport addresses: a set instead of fib type local when not all local addresses serve NodePorts', () => {
    const state = buildProxyState({
      serviceMap: new Map(),
      endpointsMap: new Map(),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: ['192.168.0.10', '127.0.0.1'],
    });
    const text = renderNftRuleset(buildNftRules(state, { nodePortsOnAllLocalAddresses: false }));
    assert.match(text, /add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto \. th dport vmap @service-nodeports/);
    assert.match(text, /add element ip kube-proxy nodeport-ips \{ 192\.168\.0\.10 \}/);
    assert.doesNotMatch(text, /127\.0\.0\.1 \}/);
    assert.doesNotMatch(text, /fib daddr type local/);
  });

  test('hairpin: a pod reaching itself through its Service is masqueraded, other pods are not', () => {
    const info = portInfo({ namespace: 'ns', name: 'self', clusterIPs: ['10.96.3.1'] });
    const other = portInfo({ namespace: 'ns', name: 'other', clusterIPs: ['10.96.3.2'] });
    const state = buildProxyState({
      serviceMap: new Map([
        [info.key, info],
        [other.key, other],
      ]),
      endpointsMap: new Map([
        [info.key, [ep('10.244.0.2')]],
        [other.key, [ep('10.244.0.2'), ep('10.244.0.9')]],
      ]),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
    });
    const text = renderNftRuleset(buildNftRules(state, OPTS));
    // One element per endpoint address, shared by both Services.
    assert.equal(text.match(/hairpin-endpoints \{ 10\.244\.0\.2 \. 10\.244\.0\.2 \}/g)?.length, 1);
    const model = nftScriptTraceModel(text);
    const trace = (source: string, destination: string) => tracePacket(model, { source, destination, protocol: 'TCP', port: 80 }, { nodeAddresses: [NODE_IP] }).summary;
    assert.equal(trace('10.244.0.2', '10.96.3.1'), 'DNAT 10.244.0.2:80 masq');
    assert.equal(trace('10.244.0.7', '10.96.3.1'), 'DNAT 10.244.0.2:80');
    assert.equal(trace('10.244.0.2', '10.96.3.2'), 'DNAT 10.244.0.2:80 masq | DNAT 10.244.0.9:80');
    // Not DNATed: a pod sending to its own address directly is left alone.
    assert.equal(trace('10.244.0.2', '10.244.0.2'), 'ACCEPT');
  });

  test('two Services claiming one external IP and port: the first (sorted) keeps it', () => {
    const a = portInfo({ namespace: 'a', name: 'one', clusterIPs: ['10.96.2.1'], externalIPs: ['192.0.2.9'] });
    const b = portInfo({ namespace: 'b', name: 'two', clusterIPs: ['10.96.2.2'], externalIPs: ['192.0.2.9'] });
    const state = buildProxyState({
      serviceMap: new Map([
        [a.key, a],
        [b.key, b],
      ]),
      endpointsMap: new Map([
        [a.key, [ep('10.244.0.2')]],
        [b.key, [ep('10.244.0.3')]],
      ]),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
    });
    const text = renderNftRuleset(buildNftRules(state));
    const fake = new FakeNft();
    fake.apply(text);
    const r = tracePacket(fake.traceModel(), { source: '192.0.2.99', destination: '192.0.2.9', protocol: 'TCP', port: 80 }, { nodeAddresses: [] });
    assert.equal(r.summary, 'DNAT 10.244.0.2:80 masq');
  });
});
