import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSlots, OWNERS_PER_MAP, SLOTS_PER_OWNER, slotMapName } from './endpoint-slots.js';

describe('endpoint slots', () => {
  const cases: { name: string; run: (s: EndpointSlots) => unknown; want: unknown }[] = [
    {
      name: 'an owner keeps its range across calls',
      run: (s) => [s.acquire('a|cluster', 'tcp'), s.acquire('b|cluster', 'tcp'), s.acquire('a|cluster', 'tcp')],
      want: [
        { map: 'endpoint-slots-tcp-0', offset: 0 },
        { map: 'endpoint-slots-tcp-0', offset: SLOTS_PER_OWNER },
        { map: 'endpoint-slots-tcp-0', offset: 0 },
      ],
    },
    {
      name: 'protocols have maps of their own',
      run: (s) => [s.acquire('a|cluster', 'tcp'), s.acquire('d|cluster', 'udp'), [...s.maps().keys()]],
      want: [{ map: 'endpoint-slots-tcp-0', offset: 0 }, { map: 'endpoint-slots-udp-0', offset: 0 }, ['endpoint-slots-tcp-0', 'endpoint-slots-udp-0']],
    },
    {
      name: 'released ranges are reused, smallest first',
      run: (s) => {
        for (const o of ['a', 'b', 'c', 'd']) s.acquire(o, 'tcp');
        s.release('c');
        s.release('b');
        s.release('nobody');
        return [s.acquire('e', 'tcp').offset / SLOTS_PER_OWNER, s.acquire('f', 'tcp').offset / SLOTS_PER_OWNER, s.acquire('g', 'tcp').offset / SLOTS_PER_OWNER];
      },
      want: [1, 2, 4],
    },
    {
      name: 'a full page opens the next map; maps stay declared after their owners left',
      run: (s) => {
        for (let i = 0; i <= OWNERS_PER_MAP; i++) s.acquire(`o${i}`, 'tcp');
        const last = s.acquire(`o${OWNERS_PER_MAP}`, 'tcp');
        s.release(`o${OWNERS_PER_MAP}`);
        return [last, [...s.maps().keys()]];
      },
      want: [{ map: slotMapName('tcp', 1), offset: 0 }, ['endpoint-slots-tcp-0', 'endpoint-slots-tcp-1']],
    },
    {
      name: 'a clone allocates independently',
      run: (s) => {
        s.acquire('a', 'tcp');
        const c = s.clone();
        c.acquire('b', 'tcp');
        return [s.acquire('x', 'tcp').offset, c.acquire('a', 'tcp').offset];
      },
      want: [SLOTS_PER_OWNER, 0],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(c.run(new EndpointSlots()), c.want));

  test('the largest offset fits the 32-bit numgen key', () => {
    const max = (OWNERS_PER_MAP - 1) * SLOTS_PER_OWNER + SLOTS_PER_OWNER - 1;
    assert.ok(max < 2 ** 32);
  });
});
