import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { endpointsStrategy } from './endpoints-strategy.js';

const ep = (subsets: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets });

describe('endpoints', () => {
  test('port protocols default to TCP', () => {
    const obj = ep([{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }]);
    endpointsStrategy.defaults?.(obj);
    assert.deepEqual((obj['subsets'] as any)[0].ports, [
      { port: 80, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ]);
  });

  const cases: { name: string; subsets: unknown[]; expect: string[] }[] = [
    { name: 'valid', subsets: [{ addresses: [{ ip: '10.244.1.5', nodeName: 'node-1' }], ports: [{ port: 80, protocol: 'TCP' }] }], expect: [] },
    {
      name: 'a subset needs addresses',
      subsets: [{ ports: [{ port: 80, protocol: 'TCP' }] }],
      expect: ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'],
    },
    {
      name: 'invalid and special addresses',
      subsets: [{ addresses: [{ ip: 'not-an-ip' }, { ip: '127.0.0.1' }], notReadyAddresses: [{ ip: '169.254.169.254' }] }],
      expect: [
        'subsets[0].addresses[0].ip: Invalid value: "not-an-ip": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'subsets[0].addresses[0].ip: Invalid value: "not-an-ip": must be a valid IP address',
        'subsets[0].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'subsets[0].notReadyAddresses[0].ip: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      ],
    },
    {
      name: 'several ports need names; port range',
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }, { name: 'metrics', port: 0, protocol: 'TCP' }] }],
      expect: ['subsets[0].ports[0].name: Required value', 'subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual((endpointsStrategy.validateCreate?.(ep(c.subsets)) ?? []).map(fieldErrorString), c.expect);
    });
  }
});
