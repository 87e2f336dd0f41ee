import { describe, expect, it } from 'vitest';
import { isObject } from '../../shared/model/is-object.js';
import { isolatedShare } from '../../shared/model/isolated-share.js';

describe('shared/model helpers every reader uses', () => {
  it('isObject: a JSON-like object only (not null, an array, or a YAML timestamp parsed into a Date)', () => {
    expect([{}, { a: 1 }, Object.create(null)].map(isObject)).toEqual([true, true, true]);
    expect([null, undefined, [], [1], new Date('2026-11-29T00:00:00Z'), 'x', 1, true].map(isObject)).toEqual([false, false, false, false, false, false, false, false]);
  });

  it('isolatedShare: percent with one decimal; an empty set has none (null), never 100%', () => {
    expect(isolatedShare(1, 3)).toBe(33.3);
    expect(isolatedShare(2, 3)).toBe(66.7);
    expect(isolatedShare(3, 3)).toBe(100);
    expect(isolatedShare(0, 4)).toBe(0);
    expect(isolatedShare(0, 0)).toBeNull();
  });
});
