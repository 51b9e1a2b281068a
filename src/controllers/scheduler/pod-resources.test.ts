import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bytes, milliCPU, podRequests } from './pod-resources.js';
import type { PodSpecShape } from './scheduling-types.js';

describe('quantities', () => {
  const cpu: [string, unknown, number][] = [
    ['whole cores', '2', 2000],
    ['millicores', '250m', 250],
    ['fraction', '0.5', 500],
    ['number', 1, 1000],
    ['sub-millicore rounds up', '1u', 1],
    ['garbage', 'lots', 0],
  ];
  for (const [name, v, want] of cpu) test(`cpu ${name}`, () => assert.equal(milliCPU(v), want));
  const mem: [string, unknown, number][] = [
    ['Gi', '1Gi', 2 ** 30],
    ['M', '128M', 128e6],
    ['plain', '1000', 1000],
    ['missing', undefined, 0],
  ];
  for (const [name, v, want] of mem) test(`memory ${name}`, () => assert.equal(bytes(v), want));
});

describe('podRequests', () => {
  const cases: { name: string; spec: PodSpecShape; want: { milliCPU: number; memory: number } }[] = [
    { name: 'no requests', spec: { containers: [{ name: 'a' }] }, want: { milliCPU: 0, memory: 0 } },
    {
      name: 'containers add up',
      spec: { containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '1Mi' } } }, { name: 'b', resources: { requests: { cpu: '200m' } } }] },
      want: { milliCPU: 300, memory: 2 ** 20 },
    },
    {
      name: 'a larger init container raises the request',
      spec: {
        containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '1Mi' } } }],
        initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }],
      },
      want: { milliCPU: 1000, memory: 2 ** 20 },
    },
    {
      name: 'overhead is added',
      spec: { containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }], overhead: { cpu: '50m', memory: '10' } },
      want: { milliCPU: 150, memory: 10 },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(podRequests(c.spec), c.want));
});
