import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSubset } from './endpoints-types.js';
import { repackSubsets } from './repack-subsets.js';

const a = (ip: string, uid?: string): { ip: string; targetRef?: { kind: string; uid: string } } => (uid ? { ip, targetRef: { kind: 'Pod', uid } } : { ip });
const p = (name: string, port: number, protocol = 'TCP'): { name: string; port: number; protocol: string } => ({ name, port, protocol });

interface Case {
  readonly name: string;
  readonly input: EndpointSubset[];
  readonly want: EndpointSubset[];
}

const cases: Case[] = [
  { name: 'empty stays empty', input: [], want: [] },
  {
    name: 'one address per port is merged into one subset with both ports',
    input: [
      { addresses: [a('10.0.0.1')], ports: [p('http', 80)] },
      { addresses: [a('10.0.0.1')], ports: [p('https', 443)] },
    ],
    want: [{ addresses: [a('10.0.0.1')], ports: [p('http', 80), p('https', 443)] }],
  },
  {
    name: 'addresses offering the same port are grouped and sorted by IP text',
    input: [
      { addresses: [a('10.0.0.2')], ports: [p('', 80)] },
      { addresses: [a('10.0.0.10')], ports: [p('', 80)] },
      { addresses: [a('10.0.0.1')], ports: [p('', 80)] },
    ],
    // "10.0.0.10" sorts before "10.0.0.2" as upstream compares the IP strings bytewise.
    want: [{ addresses: [a('10.0.0.1'), a('10.0.0.10'), a('10.0.0.2')], ports: [p('', 80)] }],
  },
  {
    name: 'addresses with different port sets land in different subsets',
    input: [
      { addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [p('http', 80)] },
      { addresses: [a('10.0.0.2')], ports: [p('metrics', 9090)] },
    ],
    want: [
      { addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [p('http', 80)] },
      { addresses: [a('10.0.0.2')], ports: [p('metrics', 9090)] },
    ],
  },
  {
    name: 'ready and not-ready addresses of one port share a subset',
    input: [
      { addresses: [a('10.0.0.1')], ports: [p('', 80)] },
      { notReadyAddresses: [a('10.0.0.2')], ports: [p('', 80)] },
    ],
    want: [{ addresses: [a('10.0.0.1')], notReadyAddresses: [a('10.0.0.2')], ports: [p('', 80)] }],
  },
  {
    name: 'not ready wins over ready for the same address and port',
    input: [
      { addresses: [a('10.0.0.1')], ports: [p('', 80)] },
      { notReadyAddresses: [a('10.0.0.1')], ports: [p('', 80)] },
      { addresses: [a('10.0.0.1')], ports: [p('', 80)] },
    ],
    want: [{ notReadyAddresses: [a('10.0.0.1')], ports: [p('', 80)] }],
  },
  {
    name: 'same IP from two pods (different UIDs) stays two addresses, ordered by UID',
    input: [
      { addresses: [a('10.0.0.1', 'uid-b')], ports: [p('', 80)] },
      { addresses: [a('10.0.0.1', 'uid-a')], ports: [p('', 80)] },
      { addresses: [a('10.0.0.1')], ports: [p('', 80)] },
    ],
    want: [{ addresses: [a('10.0.0.1'), a('10.0.0.1', 'uid-a'), a('10.0.0.1', 'uid-b')], ports: [p('', 80)] }],
  },
  {
    name: 'duplicate addresses are de-duplicated',
    input: [{ addresses: [a('10.0.0.1'), a('10.0.0.1')], ports: [p('', 80)] }],
    want: [{ addresses: [a('10.0.0.1')], ports: [p('', 80)] }],
  },
  {
    name: 'subsets without ports keep their addresses (headless without ports)',
    input: [{ addresses: [a('10.0.0.2')] }, { addresses: [a('10.0.0.1')], ports: [] }],
    want: [{ addresses: [a('10.0.0.1'), a('10.0.0.2')] }],
  },
  {
    name: 'the same port number under two protocols is two ports',
    input: [{ addresses: [a('10.0.0.1')], ports: [p('dns-udp', 53, 'UDP'), p('dns-tcp', 53, 'TCP')] }],
    want: [{ addresses: [a('10.0.0.1')], ports: [p('dns-tcp', 53, 'TCP'), p('dns-udp', 53, 'UDP')] }],
  },
];

describe('repackSubsets', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(repackSubsets(c.input), c.want);
    });
  }

  test('is idempotent and independent of input order', () => {
    const input: EndpointSubset[] = [
      { addresses: [a('10.0.0.3')], ports: [p('a', 1)] },
      { notReadyAddresses: [a('10.0.0.1')], ports: [p('b', 2)] },
      { addresses: [a('10.0.0.2')], ports: [p('a', 1), p('b', 2)] },
    ];
    const once = repackSubsets(input);
    assert.deepEqual(repackSubsets(once), once);
    assert.deepEqual(repackSubsets([...input].reverse()), once);
  });

  test('does not modify its input', () => {
    const input: EndpointSubset[] = [{ addresses: [a('10.0.0.2'), a('10.0.0.1')], ports: [p('', 80)] }];
    const copy = structuredClone(input);
    repackSubsets(input);
    assert.deepEqual(input, copy);
  });
});
