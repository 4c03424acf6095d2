import { describe, expect, it } from 'vitest';
import { changeLines } from '../../web/lib/history-diff.ts';

describe('what changed between two versions', () => {
  it('names each changed field with its old and new value', () => {
    expect(changeLines({ tier: 2, owner: 'core' }, { tier: 1, owner: 'core' }, ['tier'])).toEqual([{ field: 'tier', before: '2', after: '1' }]);
  });

  it('opens free attributes key by key, saying when one appeared or went', () => {
    const before = { attributes: { version: '1.4.2', engine: 'postgres', old: true } };
    const after = { attributes: { version: '1.5.0', engine: 'postgres', replicas: 3 } };
    expect(changeLines(before, after, ['attributes'])).toEqual([
      { field: 'attributes.old', before: 'true', after: '(none)' },
      { field: 'attributes.replicas', before: '(none)', after: '3' },
      { field: 'attributes.version', before: '1.4.2', after: '1.5.0' },
    ]);
  });

  it('shows nested values as JSON and absent ones as (none)', () => {
    expect(changeLines({ owner: null, attributes: { ports: [80] } }, { owner: 'sre', attributes: { ports: [80, 443] } }, ['owner', 'attributes']))
      .toEqual([{ field: 'owner', before: '(none)', after: 'sre' }, { field: 'attributes.ports', before: '[80]', after: '[80,443]' }]);
  });
});
