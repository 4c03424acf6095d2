import { describe, expect, it } from 'vitest';
import { matchesWords } from '../../../server/domain/workflow/text-match.ts';

describe('a records list\'s free-text filter', () => {
  const change = ['Patch payments-db tonight', 'chg-8qiMArTO', undefined, 'alice'];

  it('needs every word somewhere in the texts, in any order and case', () => {
    expect(matchesWords('payments PATCH', change)).toBe(true);
    expect(matchesWords('tonight alice', change)).toBe(true);
    expect(matchesWords('payments orders', change)).toBe(false);
  });

  it('finds a record by a part of its id and ignores accents and extra spaces', () => {
    expect(matchesWords('  8qimar ', change)).toBe(true);
    expect(matchesWords('réseau', ['Reseau upgrade'])).toBe(true);
    expect(matchesWords('reseau', ['Réseau upgrade'])).toBe(true);
  });

  it('matches everything for an empty query and nothing in absent texts', () => {
    expect(matchesWords('   ', [])).toBe(true);
    expect(matchesWords('x', [null, undefined])).toBe(false);
  });
});
