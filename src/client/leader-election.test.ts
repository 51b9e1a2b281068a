import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { KubeClient } from './kube-client.js';
import { type Lease, LeaderElector, microTime } from './leader-election.js';
import { FakeApiServer } from './testing/fake-api-server.js';

const COLL = 'coordination.k8s.io/v1/leases';

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('microTime has six fractional digits', () => {
  assert.equal(microTime(Date.UTC(2026, 10, 22, 2, 0, 0, 123)), '2026-11-22T02:00:00.123000Z');
});

interface Candidate {
  readonly id: string;
  readonly elector: LeaderElector;
  readonly ctl: AbortController;
  readonly log: string[];
  leadSignal?: AbortSignal;
  done: Promise<void>;
}

describe('LeaderElector with two candidates on a fake lease endpoint', () => {
  const fake = new FakeApiServer();
  let url = '';
  const clients: KubeClient[] = [];
  let candidates: Candidate[] = [];
  before(async () => {
    url = await fake.start();
  });
  after(async () => {
    for (const c of clients) c.close();
    await fake.stop();
  });
  afterEach(async () => {
    for (const c of candidates) c.ctl.abort();
    await Promise.all(candidates.map((c) => c.done));
    candidates = [];
    fake.objects.clear();
    fake.interceptor = undefined;
  });

  function candidate(id: string): Candidate {
    const client = new KubeClient({ server: url }, { component: id });
    clients.push(client);
    const log: string[] = [];
    const ctl = new AbortController();
    const c: Candidate = {
      id,
      ctl,
      log,
      done: Promise.resolve(),
      elector: new LeaderElector({
        client,
        namespace: 'kube-system',
        name: 'switchyard-controllers',
        identity: id,
        leaseDurationMs: 1000,
        renewDeadlineMs: 500,
        retryPeriodMs: 100,
        callbacks: {
          onStartedLeading: (signal) => {
            c.leadSignal = signal;
            log.push('started');
          },
          onStoppedLeading: () => log.push('stopped'),
          onNewLeader: (who) => log.push(`leader=${who}`),
        },
      }),
    };
    c.done = c.elector.run(ctl.signal);
    candidates.push(c);
    return c;
  }

  const lease = (): Lease | undefined => fake.objects.get(COLL)?.get('kube-system/switchyard-controllers') as Lease | undefined;

  test('first candidate creates the lease; the second waits; release hands over at once', async () => {
    const a = candidate('a');
    await waitUntil('a leads', () => a.elector.isLeader());
    const l = lease();
    assert.equal(l?.spec?.holderIdentity, 'a');
    assert.equal(l?.spec?.leaseDurationSeconds, 1);
    assert.equal(l?.spec?.leaseTransitions, 0);
    assert.match(l?.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const b = candidate('b');
    await delay(1500); // longer than the lease: a keeps renewing, so b must not take over
    assert.equal(b.elector.isLeader(), false);
    assert.equal(b.elector.getLeader(), 'a');
    assert.notEqual(lease()?.spec?.renewTime, l?.spec?.renewTime, 'a renewed');
    const released = Date.now();
    a.ctl.abort();
    await a.done;
    assert.deepEqual(a.log.filter((x) => !x.startsWith('leader=')), ['started', 'stopped']);
    assert.equal(a.leadSignal?.aborted, true);
    await waitUntil('b leads', () => b.elector.isLeader());
    assert.ok(Date.now() - released < 900, 'takeover after release does not wait for expiry');
    assert.equal(lease()?.spec?.holderIdentity, 'b');
    assert.equal(lease()?.spec?.leaseTransitions, 1);
    assert.ok(b.log.includes('leader=a') && b.log.includes('leader=b'));
  });

  test('a leader that cannot renew steps down; the other takes over after expiry', async () => {
    const a = candidate('a');
    await waitUntil('a leads', () => a.elector.isLeader());
    const b = candidate('b');
    await delay(200);
    // Cut a off from the API server.
    fake.interceptor = (r) =>
      r.headers['user-agent'] === 'switchyard/a'
        ? { code: 503, body: 'unavailable', contentType: 'text/plain' }
        : undefined;
    const cut = Date.now();
    await a.done; // run() returns once leadership is lost
    const lostAfter = Date.now() - cut;
    assert.ok(lostAfter >= 400 && lostAfter < 1500, `lost after ${lostAfter} ms`);
    assert.equal(a.elector.isLeader(), false);
    assert.equal(a.leadSignal?.aborted, true);
    assert.deepEqual(a.log.filter((x) => !x.startsWith('leader=')), ['started', 'stopped']);
    await waitUntil('b leads', () => b.elector.isLeader());
    assert.ok(Date.now() - cut >= 900, 'b waited for the lease to expire');
    assert.equal(lease()?.spec?.holderIdentity, 'b');
  });

  test('candidates starting together: exactly one leads', async () => {
    const all = ['x', 'y', 'z'].map(candidate);
    await waitUntil('someone leads', () => all.some((c) => c.elector.isLeader()));
    await delay(400);
    assert.equal(all.filter((c) => c.elector.isLeader()).length, 1);
    const leader = all.find((c) => c.elector.isLeader());
    assert.equal(lease()?.spec?.holderIdentity, leader?.id);
  });

  test('options are checked like client-go', () => {
    const client = new KubeClient({ server: url });
    clients.push(client);
    const base = { client, namespace: 'ns', name: 'l', identity: 'i', callbacks: { onStartedLeading: () => {} } };
    assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 1000, renewDeadlineMs: 1000 }), /leaseDuration must be greater/);
    assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 3000, renewDeadlineMs: 1000, retryPeriodMs: 900 }), /renewDeadline must be greater/);
  });
});
