/**
 * `ignoredSignals` keeps the first 10 and the last 10 entries; `ignoredSignalsOmitted` counts the rest (CONTRACT.md
 * v3). The bound is one pure function, so that any list a long run could grow (grace-period extensions too) can
 * reuse it; the end-to-end check is in test/workflows/malformed-messages.e2e.test.ts.
 */
import { appendBounded, FIRST_AND_LAST_TEN } from '../../src/workflows/bounded-list';

function fill(count: number, bound = FIRST_AND_LAST_TEN): { list: number[]; omitted: number } {
  const list: number[] = [];
  let omitted = 0;
  for (let i = 1; i <= count; i++) omitted += appendBounded(list, i, bound);
  return { list, omitted };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('appendBounded', () => {
  it('keeps every entry up to 20', () => {
    expect(fill(0)).toEqual({ list: [], omitted: 0 });
    expect(fill(1)).toEqual({ list: [1], omitted: 0 });
    expect(fill(20)).toEqual({ list: range(1, 20), omitted: 0 });
  });

  it('from the 21st on keeps the first 10 and the last 10, in order, and counts the rest', () => {
    expect(fill(21)).toEqual({ list: [...range(1, 10), ...range(12, 21)], omitted: 1 });
    expect(fill(40)).toEqual({ list: [...range(1, 10), ...range(31, 40)], omitted: 20 });
    expect(fill(10_000)).toEqual({ list: [...range(1, 10), ...range(9_991, 10_000)], omitted: 9_980 });
  });

  it('kept plus omitted is always the number appended', () => {
    for (let n = 0; n <= 60; n++) {
      const { list, omitted } = fill(n);
      expect(list.length + omitted).toBe(n);
      expect(list.length).toBeLessThanOrEqual(20);
    }
  });

  it('brings a list that is already too long (e.g. carried from an older run) within the bound', () => {
    const list = range(1, 30);
    expect(appendBounded(list, 31)).toBe(11);
    expect(list).toEqual([...range(1, 10), ...range(22, 31)]);
  });

  it('takes other bounds', () => {
    expect(fill(5, { head: 1, tail: 2 })).toEqual({ list: [1, 4, 5], omitted: 2 });
    expect(fill(5, { head: 0, tail: 1 })).toEqual({ list: [5], omitted: 4 });
    expect(fill(5, { head: 2, tail: 0 })).toEqual({ list: [1, 2], omitted: 3 });
  });
});
