import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointKey, endpointPortsForPod, endpointsEqualBeyondKey, findPort, podAddresses, portMapKey, shouldPodBeInEndpoints } from './pod-endpoint.js';
import type { Endpoint, Pod, ServicePort } from './slice-types.js';
import { pod, svc } from './test-fixtures.js';

describe('findPort', () => {
  const p = pod('p', 0, { ports: [{ name: 'web', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
  const withSidecar: Pod = { ...p, spec: { ...p.spec, initContainers: [{ restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] }, { ports: [{ name: 'init', containerPort: 1 }] }] } };
  const cases: [string, Pod, ServicePort, number | undefined][] = [
    ['numeric targetPort as is', p, { port: 80, targetPort: 9000 }, 9000],
    ['no targetPort: the service port', p, { port: 80 }, 80],
    ['named, found', p, { port: 80, targetPort: 'web' }, 8080],
    ['named, protocol must match', p, { port: 53, targetPort: 'dns', protocol: 'TCP' }, undefined],
    ['named, UDP', p, { port: 53, targetPort: 'dns', protocol: 'UDP' }, 53],
    ['named, missing', p, { port: 80, targetPort: 'nope' }, undefined],
    ['named, in a sidecar (restartable init container)', withSidecar, { port: 1, targetPort: 'proxy' }, 15001],
    ['named, not in a plain init container', withSidecar, { port: 1, targetPort: 'init' }, undefined],
  ];
  for (const [name, pd, sp, want] of cases) test(name, () => assert.equal(findPort(pd, sp), want));
});

describe('endpointPortsForPod', () => {
  test('unresolvable ports are left out; name always present; appProtocol kept', () => {
    const s = svc({ ports: [{ port: 80, targetPort: 'web', protocol: 'TCP', appProtocol: 'http' }, { name: 'm', port: 90, targetPort: 'metrics', protocol: 'TCP' }] });
    assert.deepEqual(endpointPortsForPod(s, pod('p', 0, { ports: [{ name: 'web', containerPort: 8080 }] })), [{ name: '', protocol: 'TCP', port: 8080, appProtocol: 'http' }]);
  });
  test('port set identity ignores order', () => {
    const a = { name: 'a', protocol: 'TCP', port: 1 };
    const b = { name: 'b', protocol: 'TCP', port: 2 };
    assert.equal(portMapKey([a, b]), portMapKey([b, a]));
    assert.notEqual(portMapKey([a]), portMapKey([a, b]));
    assert.equal(portMapKey(undefined), portMapKey([]));
  });
});

describe('pod membership and addresses', () => {
  const cases: [string, Pod, boolean][] = [
    ['running with IP', pod('p', 0), true],
    ['no IP yet', pod('p', 0, { ip: null }), false],
    ['succeeded', pod('p', 0, { phase: 'Succeeded' }), false],
    ['failed', pod('p', 0, { phase: 'Failed' }), false],
    ['terminating', pod('p', 0, { deleting: true }), true],
  ];
  for (const [name, p, want] of cases) test(`shouldPodBeInEndpoints: ${name}`, () => assert.equal(shouldPodBeInEndpoints(p), want));

  test('addresses by family, podIP as fallback, sloppy IPv4 normalised', () => {
    const dual: Pod = { ...pod('p', 0), status: { podIP: '10.0.0.1', podIPs: [{ ip: '010.000.000.001' }, { ip: 'fd00::1' }] } };
    assert.deepEqual(podAddresses(dual, 'IPv4'), ['10.0.0.1']);
    assert.deepEqual(podAddresses(dual, 'IPv6'), ['fd00::1']);
    const legacy: Pod = { ...pod('p', 0), status: { podIP: '10.0.0.9' } };
    assert.deepEqual(podAddresses(legacy, 'IPv4'), ['10.0.0.9']);
  });
});

describe('endpoint identity', () => {
  const base: Endpoint = { addresses: ['10.0.0.2', '10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u' }, nodeName: 'n', zone: 'z' };
  test('key: addresses (any order), hostname, pod', () => {
    assert.equal(endpointKey(base), endpointKey({ ...base, addresses: ['10.0.0.1', '10.0.0.2'], conditions: { ready: false } }));
    assert.notEqual(endpointKey(base), endpointKey({ ...base, hostname: 'h' }));
    assert.notEqual(endpointKey(base), endpointKey({ ...base, targetRef: { ...base.targetRef, name: 'q' } }));
  });
  const cases: [string, Endpoint, boolean][] = [
    ['same', { ...base }, true],
    ['hints and targetRef resourceVersion do not matter', { ...base, hints: { forZones: [{ name: 'x' }] }, targetRef: { ...base.targetRef, resourceVersion: '9' } }, true],
    ['ready differs', { ...base, conditions: { ...base.conditions, ready: false } }, false],
    ['terminating differs', { ...base, conditions: { ...base.conditions, terminating: true } }, false],
    ['zone differs', { ...base, zone: 'y' }, false],
    ['node differs', { ...base, nodeName: 'm' }, false],
    ['uid differs', { ...base, targetRef: { ...base.targetRef, uid: 'v' } }, false],
  ];
  for (const [name, other, want] of cases) test(`equal beyond key: ${name}`, () => assert.equal(endpointsEqualBeyondKey(base, other), want));
});
