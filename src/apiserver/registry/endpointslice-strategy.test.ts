import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { endpointSliceStrategy } from './endpointslice-strategy.js';

function slice(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }],
    ports: [{ port: 80 }],
    ...extra,
  };
}

const validate = (o: KubeObject): string[] => {
  endpointSliceStrategy.defaults?.(o);
  return (endpointSliceStrategy.validateCreate?.(o) ?? []).map(fieldErrorString);
};

describe('endpointslice', () => {
  test('ports default to an empty name and TCP', () => {
    const obj = slice();
    endpointSliceStrategy.defaults?.(obj);
    assert.deepEqual(obj['ports'], [{ port: 80, name: '', protocol: 'TCP' }]);
    assert.deepEqual(validate(obj), []);
  });

  const cases: { name: string; obj: KubeObject; expect: string[] }[] = [
    { name: 'addressType is required', obj: slice({ addressType: undefined }), expect: ['addressType: Required value'] },
    {
      name: 'unknown addressType',
      obj: slice({ addressType: 'IP' }),
      expect: ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'],
    },
    {
      name: 'addresses must match the type',
      obj: slice({ endpoints: [{ addresses: ['fd00::1'] }, { addresses: [] }] }),
      expect: [
        'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
        'endpoints[1].addresses: Required value: must contain at least 1 address',
      ],
    },
    {
      name: 'at most 1000 endpoints',
      obj: slice({ endpoints: Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] })) }),
      expect: ['endpoints: Too many: 1001: must have at most 1000 items'],
    },
    {
      name: 'at most 100 ports',
      obj: slice({ ports: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, port: 1000 + i, protocol: 'TCP' })) }),
      expect: ['ports: Too many: 101: must have at most 100 items'],
    },
    {
      name: 'duplicate port names and unknown protocol',
      obj: slice({ ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'http', port: 81, protocol: 'HTTP' }] }),
      expect: ['ports[1].name: Duplicate value: "http"', 'ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(validate(c.obj), c.expect));
  }

  test('addressType is immutable', () => {
    const old = slice();
    const next = cloneJson(old);
    next['addressType'] = 'IPv6';
    next['endpoints'] = [{ addresses: ['fd00::1'] }];
    endpointSliceStrategy.defaults?.(next);
    assert.deepEqual((endpointSliceStrategy.validateUpdate?.(next, old) ?? []).map(fieldErrorString), ['addressType: Invalid value: "IPv6": field is immutable']);
  });
});
