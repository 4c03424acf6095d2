import { describe, expect, it } from 'vitest';
import { nodeAt, type HitBox } from '../../web/lib/graph/hit-test.ts';

const box = (id: string, x: number, y: number, half = 11, compound = false): HitBox => ({ id, x1: x - half, y1: y - half, x2: x + half, y2: y + half, compound });

describe('finding the node under the mouse on a large map', () => {
  const boxes = [box('a', 0, 0), box('b', 18, 0), box('c', 100, 100), box('cg:team:x', 50, 50, 80, true), box('cg:team:outer', 50, 50, 200, true)];

  it('finds the CI whose box contains the point, and none off every box', () => {
    expect(nodeAt(boxes, { x: 100, y: 105 })).toBe('c');
    expect(nodeAt(boxes, { x: 400, y: 400 })).toBeNull();
  });

  it('where boxes overlap, picks the node whose centre is nearest', () => {
    expect(nodeAt(boxes, { x: 8, y: 0 })).toBe('a');
    expect(nodeAt(boxes, { x: 10, y: 0 })).toBe('b');
  });

  it('prefers a CI over the compound group around it, and the innermost group over an outer one', () => {
    expect(nodeAt(boxes, { x: 0, y: 1 })).toBe('a');
    expect(nodeAt(boxes, { x: 60, y: 40 })).toBe('cg:team:x');
    expect(nodeAt(boxes, { x: 200, y: 200 })).toBe('cg:team:outer');
  });
});
