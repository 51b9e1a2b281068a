import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProxyState } from '../proxy-state.js';
import { CLUSTER_CIDR, NODE_IP, RULE_CASES } from '../kernel/testing/rule-cases.js';
import { tracePacket } from '../kernel/tracer.js';
import { ep, portInfo } from '../testing/fixtures.js';
import { FakeIptables, iptablesTraceModel, parseIptablesRule, splitWords } from './iptables-fake.js';
import {
  buildIptablesRules,
  computeProbability,
  renderIptablesDump,
  serviceExternalChainName,
  servicePortChainName,
  servicePortEndpointChainName,
  servicePortNameString,
} from './iptables-rules.js';

const TESTDATA = join(import.meta.dirname, 'testdata');
const OPTS = { clusterCIDR: CLUSTER_CIDR };

describe('iptables rules: golden dumps', () => {
  for (const c of RULE_CASES) {
    test(c.name, () => {
      const text = renderIptablesDump(buildIptablesRules(c.state, OPTS));
      const file = join(TESTDATA, `${c.name}.iptables`);
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, 'utf8'));
      // The golden text restores cleanly into the fake kernel and reads back the same.
      const fake = new FakeIptables();
      fake.restore(text);
      assert.equal(fake.dump(), text);
    });
  }
});

describe('iptables rules: packet traces', () => {
  for (const c of RULE_CASES) {
    const model = iptablesTraceModel(renderIptablesDump(buildIptablesRules(c.state, OPTS)));
    for (const t of c.traces) {
      test(`${c.name}: ${t.name}`, () => {
        assert.equal(tracePacket(model, t.packet, { nodeAddresses: [NODE_IP] }).summary, t.wantIptables ?? t.want);
      });
    }
  }
});

describe('iptables rules: names, probabilities, schedulers', () => {
  // Chain names as upstream kube-proxy computes them (well-known values from real clusters and upstream tests).
  const names: { name: string; got: () => string; want: string }[] = [
    { name: 'default/kubernetes:https', got: () => servicePortChainName('default/kubernetes:https', 'tcp'), want: 'KUBE-SVC-NPX46M4PTMTKRN6Y' },
    { name: 'kube-dns UDP', got: () => servicePortChainName('kube-system/kube-dns:dns', 'udp'), want: 'KUBE-SVC-TCOU7JCQXEZGVUNU' },
    { name: 'kube-dns TCP', got: () => servicePortChainName('kube-system/kube-dns:dns-tcp', 'tcp'), want: 'KUBE-SVC-ERIFXISQEP7F7OF4' },
    { name: 'kube-dns metrics', got: () => servicePortChainName('kube-system/kube-dns:metrics', 'tcp'), want: 'KUBE-SVC-JD5MR3NA4I4DYORP' },
    { name: 'upstream test svc1', got: () => servicePortChainName('ns1/svc1:p80', 'tcp'), want: 'KUBE-SVC-XPGD46QRK7WJZT7O' },
    { name: 'upstream test svc1 external', got: () => serviceExternalChainName('ns1/svc1:p80', 'tcp'), want: 'KUBE-EXT-XPGD46QRK7WJZT7O' },
    { name: 'upstream test svc1 endpoint', got: () => servicePortEndpointChainName('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), want: 'KUBE-SEP-SXIVWICOYRO3J4NJ' },
    { name: 'unnamed port has no colon', got: () => servicePortNameString({ namespace: 'ns', name: 's', portName: '' }), want: 'ns/s' },
  ];
  for (const n of names) test(`chain name: ${n.name}`, () => assert.equal(n.got(), n.want));

  const probs: [number, string][] = [
    [2, '0.5000000000'],
    [3, '0.3333333333'],
    [4, '0.2500000000'],
    [7, '0.1428571429'],
    [1024, '0.0009765625'],
    // 1/2048 = 0.00048828125: a tie that Go's %0.10f rounds to even.
    [2048, '0.0004882812'],
  ];
  for (const [n, want] of probs) test(`probability 1/${n} is %0.10f`, () => assert.equal(computeProbability(n), want));

  const three = (scheduler?: string) =>
    buildProxyState({
      serviceMap: new Map([['ns/s:/TCP', portInfo({ namespace: 'ns', name: 's', clusterIPs: ['10.96.1.1'], ...(scheduler ? { scheduler } : {}) })]]),
      endpointsMap: new Map([['ns/s:/TCP', [ep('10.244.0.2'), ep('10.244.0.3'), ep('10.244.0.4')]]]),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
    });
  const table: { name: string; scheduler?: string; rules: RegExp[]; label: string }[] = [
    {
      name: 'default is statistic random with 1/(n-i)',
      rules: [/-m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-/, /-m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/],
      label: 'random',
    },
    { name: 'sh hashes the source with the cluster match', scheduler: 'sh', rules: [/-m cluster --cluster-total-nodes 3 --cluster-local-node 1 --cluster-hash-seed 0 -j KUBE-SEP-/, /--cluster-local-node 2 /], label: 'sh' },
    { name: 'wrr falls back to random and says so', scheduler: 'wrr', rules: [/--probability 0\.3333333333/], label: 'random (wrr not available in iptables mode)' },
  ];
  for (const row of table) {
    test(`scheduler: ${row.name}`, () => {
      const rs = buildIptablesRules(three(row.scheduler));
      const text = renderIptablesDump(rs);
      for (const re of row.rules) assert.match(text, re);
      assert.equal([...rs.services.values()][0]?.scheduling.label, row.label);
      // Whatever the scheduler, a trace reaches all three endpoints and nothing else.
      const r = tracePacket(iptablesTraceModel(text), { source: '10.244.5.5', destination: '10.96.1.1', protocol: 'TCP', port: 80 }, { nodeAddresses: [] });
      assert.equal(r.summary, 'DNAT 10.244.0.2:80,10.244.0.3:80,10.244.0.4:80');
    });
  }

  test('sh over more than 32 endpoints falls back to random', () => {
    const eps = Array.from({ length: 33 }, (_, i) => ep(`10.244.1.${i + 1}`));
    const state = buildProxyState({
      serviceMap: new Map([['ns/s:/TCP', portInfo({ namespace: 'ns', name: 's', scheduler: 'sh' })]]),
      endpointsMap: new Map([['ns/s:/TCP', eps]]),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
    });
    const rs = buildIptablesRules(state);
    assert.doesNotMatch(renderIptablesDump(rs), /-m cluster/);
    assert.equal([...rs.services.values()][0]?.scheduling.label, 'random (sh over more than 32 endpoints not available in iptables mode)');
  });

  test('nodeport addresses: one KUBE-NODEPORTS jump per address instead of addrtype LOCAL', () => {
    const state = buildProxyState({ serviceMap: new Map(), endpointsMap: new Map(), node: { nodeName: 'n', labels: {} }, nodePortAddresses: ['192.168.0.10', '127.0.0.1'] });
    const text = renderIptablesDump(buildIptablesRules(state, { nodePortsOnAllLocalAddresses: false }));
    assert.match(text, /-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192\.168\.0\.10 -j KUBE-NODEPORTS/);
    assert.doesNotMatch(text, /-d 127\.0\.0\.1 -j KUBE-NODEPORTS/);
    assert.doesNotMatch(text, /--dst-type LOCAL ! -d 127/);
  });

  const words: { text: string; want: string[] }[] = [
    { text: '-m comment --comment "a b" -j X', want: ['-m', 'comment', '--comment', 'a b', '-j', 'X'] },
    { text: '-m comment --comment "say \\"hi\\"" -j X', want: ['-m', 'comment', '--comment', 'say "hi"', '-j', 'X'] },
  ];
  for (const w of words) test(`splitWords: ${w.text}`, () => assert.deepEqual(splitWords(w.text), w.want));

  test('the rule parser refuses what it does not understand (so traces cannot silently skip rules)', () => {
    assert.throws(() => parseIptablesRule('-m tcp -p tcp --sport 80 -j ACCEPT', 'filter'), /unsupported word "--sport"/);
  });
});
