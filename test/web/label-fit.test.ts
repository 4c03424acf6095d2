import { describe, expect, it } from 'vitest';
import { labelRank, labelsToHide, type LabelBox } from '../../web/lib/graph/label-fit.ts';

const box = (id: string, x: number, y: number, rank = 0, w = 60, h = 12): LabelBox => ({ id, x1: x - w / 2, y1: y, x2: x + w / 2, y2: y + h, rank });

describe('labels that never overlap', () => {
  it('keeps every label that has room', () => {
    expect(labelsToHide([box('a', 0, 0), box('b', 100, 0), box('c', 0, 40)])).toEqual(new Set());
  });

  it('of two labels on top of each other, keeps the more important one', () => {
    expect(labelsToHide([box('minor', 0, 0, 1), box('hub', 20, 4, 5)])).toEqual(new Set(['minor']));
    // Equal ranks: the first one listed.
    expect(labelsToHide([box('first', 0, 0), box('second', 20, 4)])).toEqual(new Set(['second']));
  });

  it('a hidden label takes no room: its neighbour beyond it stays', () => {
    // b overlaps a (kept, higher rank) and c; c overlaps only b: with b gone, c has room.
    expect(labelsToHide([box('a', 0, 0, 3), box('b', 50, 0, 2), box('c', 100, 0, 1)])).toEqual(new Set(['b']));
  });

  it('a row of 200 labels packed twice as tight as they are wide keeps every other one', () => {
    const row = Array.from({ length: 200 }, (_, i) => box(`n${i}`, i * 35, 0));
    const hidden = labelsToHide(row);
    expect(hidden.size).toBe(100);
    expect([...hidden].every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
  });

  it('ranks the selected CI first, then what a view marks, then tiers and upper layers, then hubs', () => {
    const ranks = [
      labelRank(['tier-3'], true, 0), labelRank(['focus'], false, 0), labelRank(['impact-down', 'tier-1'], false, 0),
      labelRank(['tier-1'], false, 0), labelRank(['layer-business'], false, 40), labelRank(['layer-business'], false, 3), labelRank([], false, 2),
    ];
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });
});
