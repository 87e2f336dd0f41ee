import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs, withBackoff } from '../../shared/aws/backoff.js';

describe('withBackoff (the one retry loop of the Slack webhook and Security Hub import)', () => {
  it('waits the backoff (doubling) between retries, or what the answer said, and returns what the attempt that succeeds returns', async () => {
    const waits: number[] = [];
    const outcomes = [{ retry: 'a' }, { retry: 'b', waitMs: 3000 }, { retry: 'c' }, { done: 'ok' }];
    const value = await withBackoff({ maxAttempts: 5, baseMs: 100, sleep: async (ms) => void waits.push(ms) }, async (n) => outcomes[n - 1]!, () => new Error('gave up'));
    expect(value).toBe('ok');
    expect(waits).toEqual([100, 3000, 400]);
  });

  it('gives up after maxAttempts with the last failure, without sleeping after it', async () => {
    const waits: number[] = [];
    const attempts: number[] = [];
    const failure = withBackoff(
      { maxAttempts: 3, baseMs: 10, sleep: async (ms) => void waits.push(ms) },
      async (n) => (attempts.push(n), { retry: `failure ${n}` }),
      (last, count) => new Error(`${last} after ${count}`),
    );
    await expect(failure).rejects.toThrow('failure 3 after 3');
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toEqual([10, 20]);
  });

  it('gives up rather than wait past maxTotalMs, and an attempt that throws ends the loop with its error', async () => {
    let clock = 0;
    const overdue = withBackoff(
      { maxAttempts: 10, baseMs: 10, maxTotalMs: 5_000, now: () => clock, sleep: async (ms) => void (clock += ms) },
      async () => ({ retry: 'rate-limited', waitMs: 6_000 }),
      (last, count, elapsed) => new Error(`${last}: ${count} attempt(s) in ${elapsed} ms`),
    );
    await expect(overdue).rejects.toThrow('rate-limited: 1 attempt(s) in 0 ms');
    await expect(withBackoff({ maxAttempts: 3, baseMs: 0 }, async () => Promise.reject(new Error('refused')), () => new Error('gave up'))).rejects.toThrow('refused');
  });

  it('jitters within the exponential delay plus the floor, and reads Retry-After in seconds with a floor', () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(3, { baseMs: 250, jitter: true, minMs: 50 });
      expect(delay).toBeGreaterThanOrEqual(50);
      expect(delay).toBeLessThanOrEqual(1050);
    }
    expect(retryAfterMs('2', 1000)).toBe(2000);
    expect(retryAfterMs('0', 1000)).toBe(1000);
    expect(retryAfterMs('soon', 1000)).toBe(1000);
    expect(retryAfterMs(null, 1000)).toBe(1000);
  });
});
