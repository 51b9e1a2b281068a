import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../client/clock.js';
import { BoundedFrequencyRunner } from './bounded-frequency-runner.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setup(opts: { min?: number; max?: number; fn?: (n: number) => Promise<void> } = {}) {
  const clock = new FakeClock(0);
  const times: number[] = [];
  const runner: BoundedFrequencyRunner = new BoundedFrequencyRunner({
    name: 'test',
    minIntervalMs: opts.min ?? 1000,
    maxIntervalMs: opts.max ?? 10_000,
    clock,
    fn: async () => {
      times.push(clock.now());
      await opts.fn?.(times.length);
    },
  });
  const stop = new AbortController();
  const advance = async (ms: number): Promise<void> => {
    // Step through time so async completions land before later timers.
    for (let t = 0; t < ms; t += 1) {
      clock.advance(1);
      await flush();
    }
  };
  return { clock, times, runner, stop, advance };
}

describe('BoundedFrequencyRunner', () => {
  test('nothing runs before loop(); a request made before runs right after', async () => {
    const { runner, times, stop, advance } = setup();
    runner.run();
    await advance(500);
    assert.deepEqual(times, []);
    runner.loop(stop.signal);
    await advance(100);
    assert.deepEqual(times, [500]);
    stop.abort();
  });

  test('requests within the minimum interval coalesce into one deferred run', async () => {
    const { runner, times, stop, advance } = setup({ min: 1000 });
    runner.loop(stop.signal);
    runner.run();
    await advance(100);
    runner.run();
    runner.run();
    runner.run();
    await advance(2000);
    // Each run completes 1 ms of fake time after it starts (the advance step).
    assert.deepEqual(times, [0, 1001]);
    stop.abort();
  });

  test('without requests the function runs every maxInterval', async () => {
    const { runner, times, stop, advance } = setup({ min: 1000, max: 5000 });
    runner.loop(stop.signal);
    await advance(16_000);
    assert.deepEqual(times, [5000, 10_000, 15_000]);
    stop.abort();
  });

  test('retryAfter from a failed run brings the next run forward, not before minInterval', async () => {
    let r: BoundedFrequencyRunner | undefined;
    const { runner, times, stop, advance } = setup({
      min: 1000,
      max: 60_000,
      fn: async (n) => {
        if (n === 1) r?.retryAfter(300);
        if (n === 2) r?.retryAfter(3000);
      },
    });
    r = runner;
    runner.loop(stop.signal);
    runner.run();
    await advance(5000);
    // Retry at 300 is held back to end of run 1 (1) + minInterval; the second retry counts from inside run 2.
    assert.deepEqual(times, [0, 1001, 4001]);
    stop.abort();
  });

  test('runs never overlap; a request during a slow run follows it', async () => {
    let release: (() => void) | undefined;
    let active = 0;
    let maxActive = 0;
    const { runner, times, stop, advance } = setup({
      min: 0,
      fn: async (n) => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (n === 1) await new Promise<void>((res) => (release = res));
        active--;
      },
    });
    runner.loop(stop.signal);
    runner.run();
    await advance(100);
    runner.run();
    await advance(500);
    assert.equal(times.length, 1, 'second run waits for the first');
    release?.();
    await advance(200);
    assert.equal(times.length, 2);
    assert.equal(maxActive, 1);
    stop.abort();
  });

  test('a thrown error is reported and the loop keeps going', async () => {
    const errors: unknown[] = [];
    const clock = new FakeClock(0);
    let n = 0;
    const runner = new BoundedFrequencyRunner({
      name: 'err',
      minIntervalMs: 10,
      maxIntervalMs: 100,
      clock,
      onError: (e) => errors.push(e),
      fn: async () => {
        n++;
        throw new Error('boom');
      },
    });
    const stop = new AbortController();
    runner.loop(stop.signal);
    for (let i = 0; i < 25; i++) {
      clock.advance(10);
      await flush();
    }
    assert.equal(n, 2);
    assert.equal(errors.length, 2);
    stop.abort();
  });

  test('maxInterval below minInterval is rejected', () => {
    assert.throws(() => new BoundedFrequencyRunner({ name: 'x', fn: async () => {}, minIntervalMs: 10, maxIntervalMs: 5 }), /maxInterval/);
  });
});
