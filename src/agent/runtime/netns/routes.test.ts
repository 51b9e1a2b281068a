import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { FakeCommandRunner } from './command-runner.js';
import { diffPodRoutes, parseIpRouteJson, planPodRoutes, syncPodRoutes } from './routes.js';

function node(name: string, podCIDR: string | undefined, ip: string | undefined, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: { addresses: [...(ip ? [{ type: 'InternalIP', address: ip }] : []), { type: 'Hostname', address: name }] },
    ...extra,
  };
}

describe('planPodRoutes', () => {
  const cases: { name: string; nodes: KubeObject[]; self: string; want: string[] }[] = [
    {
      name: 'three nodes: routes to the other two',
      nodes: [node('n1', '10.244.0.0/24', '172.30.0.11'), node('n2', '10.244.1.0/24', '172.30.0.12'), node('n3', '10.244.2.0/24', '172.30.0.13')],
      self: 'n1',
      want: ['10.244.1.0/24 via 172.30.0.12', '10.244.2.0/24 via 172.30.0.13'],
    },
    {
      name: 'nodes without pod CIDR or InternalIP yet are skipped',
      nodes: [node('n1', '10.244.0.0/24', '172.30.0.11'), node('n2', undefined, '172.30.0.12'), node('n3', '10.244.2.0/24', undefined)],
      self: 'n1',
      want: [],
    },
    {
      name: 'IPv4 CIDR picked from dual-stack podCIDRs; host bits cleared',
      nodes: [
        node('n1', '10.244.0.0/24', '172.30.0.11'),
        { ...node('n2', undefined, '172.30.0.12'), spec: { podCIDRs: ['fd00:10:244:1::/64', '10.244.1.7/24'] } },
      ],
      self: 'n1',
      want: ['10.244.1.0/24 via 172.30.0.12'],
    },
    {
      name: 'an IPv6 InternalIP does not make a route; a CIDR equal to our own is never routed away',
      nodes: [node('n1', '10.244.0.0/24', '172.30.0.11'), node('n2', '10.244.1.0/24', 'fd00::2'), node('n3', '10.244.0.0/24', '172.30.0.13')],
      self: 'n1',
      want: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(
        planPodRoutes(c.nodes, c.self).map((r) => `${r.dst} via ${r.via}`),
        c.want,
      );
    });
  }
});

describe('diffPodRoutes', () => {
  test('adds missing, corrects a changed gateway, removes routes of departed nodes', () => {
    const plan = diffPodRoutes(
      [
        { dst: '10.244.1.0/24', via: '172.30.0.12' },
        { dst: '10.244.2.0/24', via: '172.30.0.99' },
        { dst: '10.244.9.0/24', via: '172.30.0.19' },
      ],
      [
        { dst: '10.244.1.0/24', via: '172.30.0.12' },
        { dst: '10.244.2.0/24', via: '172.30.0.13' },
        { dst: '10.244.3.0/24', via: '172.30.0.14' },
      ],
    );
    assert.deepEqual(plan, {
      replace: [
        { dst: '10.244.2.0/24', via: '172.30.0.13' },
        { dst: '10.244.3.0/24', via: '172.30.0.14' },
      ],
      remove: ['10.244.9.0/24'],
    });
  });
});

test('parseIpRouteJson reads ip -j output', () => {
  assert.deepEqual(parseIpRouteJson('[{"dst":"10.244.2.0/24","gateway":"172.30.0.12","dev":"br0","flags":[]}]'), [{ dst: '10.244.2.0/24', via: '172.30.0.12' }]);
  assert.deepEqual(parseIpRouteJson(''), []);
});

test('syncPodRoutes applies the plan through the command port, touching only its own protocol', async () => {
  const cmd = new FakeCommandRunner((argv) =>
    argv.includes('show') ? { stdout: '[{"dst":"10.244.7.0/24","gateway":"172.30.0.17","dev":"eth1","flags":[]}]' } : undefined,
  );
  await syncPodRoutes([node('n1', '10.244.0.0/24', '172.30.0.11'), node('n2', '10.244.1.0/24', '172.30.0.12')], 'n1', {
    commands: cmd,
    allowHostNetworkNamespace: true, // the fake runner touches no kernel
  });
  assert.deepEqual(cmd.lines(), [
    'ip -4 -j route show proto 211',
    'ip route del 10.244.7.0/24 proto 211',
    'ip route replace 10.244.1.0/24 via 172.30.0.12 proto 211',
  ]);
});
