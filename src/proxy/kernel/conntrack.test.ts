import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServicePortState } from '../dataplane.js';
import { buildProxyState } from '../proxy-state.js';
import { ep, portInfo } from '../testing/fixtures.js';
import type { EndpointInfo, ServicePortInfo } from '../types.js';
import { FakeCommandRunner } from './fake-command-runner.js';
import { type ServicePortChange, planConntrackCleanup, runConntrackCleanup } from './conntrack.js';

function portState(info: ServicePortInfo, endpoints: EndpointInfo[]): ServicePortState {
  const s = buildProxyState({ serviceMap: new Map([[info.key, info]]), endpointsMap: new Map([[info.key, endpoints]]), node: { nodeName: 'n', labels: {} }, nodePortAddresses: [] });
  const got = s.services.get(info.key);
  assert.ok(got);
  return got;
}

const dns = portInfo({ namespace: 'kube-system', name: 'dns', protocol: 'UDP', clusterIPs: ['10.96.0.10'], port: 53, externalIPs: ['192.0.2.5'] });
const dnsNP = { ...dns, type: 'NodePort' as const, nodePort: 30053 };
const web = portInfo({ name: 'web', clusterIPs: ['10.96.0.11'] });
const a = ep('10.244.0.2', { port: 53 });
const b = ep('10.244.0.3', { port: 53 });

describe('planConntrackCleanup', () => {
  const cases: { name: string; changes: ServicePortChange[]; want: string[] }[] = [
    {
      name: 'a removed UDP endpoint: entries to each Service address NATed to it',
      changes: [{ previous: portState(dns, [a, b]), current: portState(dns, [b]) }],
      want: ['-D -p udp --orig-dst 10.96.0.10 --dst-nat 10.244.0.2', '-D -p udp --orig-dst 192.0.2.5 --dst-nat 10.244.0.2'],
    },
    {
      name: 'a removed UDP endpoint of a NodePort Service: also the node port',
      changes: [{ previous: portState(dnsNP, [a, b]), current: portState(dnsNP, [b]) }],
      want: ['-D -p udp --orig-dst 10.96.0.10 --dst-nat 10.244.0.2', '-D -p udp --orig-dst 192.0.2.5 --dst-nat 10.244.0.2', '-D -p udp --orig-port-dst 30053 --dst-nat 10.244.0.2'],
    },
    {
      name: 'a removed UDP Service port: everything to its addresses',
      changes: [{ previous: portState(dnsNP, [a]) }],
      want: ['-D -p udp --orig-dst 10.96.0.10', '-D -p udp --orig-dst 192.0.2.5', '-D -p udp --orig-port-dst 30053'],
    },
    {
      name: 'no endpoints → some: entries made while packets went nowhere',
      changes: [{ previous: portState(dns, []), current: portState(dns, [a]) }],
      want: ['-D -p udp --orig-dst 10.96.0.10', '-D -p udp --orig-dst 192.0.2.5'],
    },
    { name: 'an added endpoint needs nothing', changes: [{ previous: portState(dns, [a]), current: portState(dns, [a, b]) }], want: [] },
    { name: 'TCP needs nothing (connections end by themselves)', changes: [{ previous: portState(web, [ep('10.244.0.2')]), current: portState(web, []) }], want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(planConntrackCleanup(c.changes).map((d) => d.join(' ')), c.want));

  test("the state's deleted UDP lists are honoured", () => {
    const state = buildProxyState({
      serviceMap: new Map([[dns.key, dns]]),
      endpointsMap: new Map([[dns.key, [b]]]),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
      deletedUDPClusterIPs: new Set(['10.96.0.99']),
      deletedUDPEndpoints: new Set([`${dns.key}|10.244.0.2:53`]),
    });
    assert.deepEqual(
      planConntrackCleanup([], state).map((d) => d.join(' ')),
      ['-D -p udp --orig-dst 10.96.0.10 --dst-nat 10.244.0.2', '-D -p udp --orig-dst 10.96.0.99', '-D -p udp --orig-dst 192.0.2.5 --dst-nat 10.244.0.2'],
    );
  });
});

describe('runConntrackCleanup', () => {
  test('"0 flow entries have been deleted" is success; other failures are reported', async () => {
    const runner = new FakeCommandRunner((argv) =>
      argv.includes('10.96.0.1') ? { code: 1, stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.' } : { code: 1, stderr: 'Operation failed: invalid parameters' },
    );
    const errors = await runConntrackCleanup(runner, [
      ['-D', '-p', 'udp', '--orig-dst', '10.96.0.1'],
      ['-D', '-p', 'udp', '--orig-dst', '10.96.0.2'],
    ]);
    assert.equal(runner.calls.length, 2);
    assert.deepEqual(errors, ['conntrack -D -p udp --orig-dst 10.96.0.2: Operation failed: invalid parameters']);
  });

  test('a missing conntrack tool is one error, not one per entry', async () => {
    const runner = new FakeCommandRunner();
    runner.run = async () => {
      throw new Error('conntrack: spawn conntrack ENOENT');
    };
    const errors = await runConntrackCleanup(runner, Array.from({ length: 10 }, (_, i) => ['-D', '--orig-dst', `10.96.0.${i}`]));
    assert.ok(errors.length <= 4, errors.join('\n'));
    assert.match(errors[0] ?? '', /ENOENT/);
  });
});
