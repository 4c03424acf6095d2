import { describe, expect, it } from 'vitest';
import { nextByArrow } from '../../web/lib/graph/keyboard-nav.ts';

const grid = new Map([
  ['a', { x: 0, y: 0 }], ['b', { x: 100, y: 0 }], ['c', { x: 200, y: 10 }],
  ['d', { x: 0, y: 100 }], ['e', { x: 110, y: 100 }],
]);

describe('choosing a CI with the arrow keys', () => {
  it('starts at the top-left CI when nothing is selected', () => {
    expect(nextByArrow(grid, null, 'ArrowRight')).toBe('a');
  });

  it('moves to the nearest CI that way, straight ahead before off to the side', () => {
    expect(nextByArrow(grid, 'a', 'ArrowRight')).toBe('b');
    expect(nextByArrow(grid, 'b', 'ArrowRight')).toBe('c');
    expect(nextByArrow(grid, 'a', 'ArrowDown')).toBe('d');
    expect(nextByArrow(grid, 'b', 'ArrowDown')).toBe('e');
    expect(nextByArrow(grid, 'e', 'ArrowUp')).toBe('b');
  });

  it('stays put at the edge of the map', () => {
    expect(nextByArrow(grid, 'a', 'ArrowLeft')).toBeNull();
    expect(nextByArrow(grid, 'a', 'ArrowUp')).toBeNull();
  });
});
