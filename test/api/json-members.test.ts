import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { arrayLength, jsonMembers, memberArrayLength } from '../../server/api/json-members.ts';
import { MAX_JSON_DEPTH } from '../../server/api/json-depth.ts';

const bytes = (s: string) => Buffer.from(s, 'utf8');
/** The members as JSON.parse reads each value's bytes. */
function parsedMembers(text: string): Record<string, unknown> | null {
  const b = bytes(text);
  const m = jsonMembers(b);
  return m && Object.fromEntries([...m].map(([k, [s, e]]) => [k, JSON.parse(b.toString('utf8', s, e))]));
}

describe('jsonMembers: the top-level members of a JSON object body, values delimited without parsing them', () => {
  it('finds every member of an object however it is laid out, strings with brackets, quotes and escapes included', () => {
    fc.assert(fc.property(
      fc.dictionary(fc.string().filter((k) => !k.includes('\\') && !k.includes('"') && k !== '__proto__'), fc.jsonValue()),
      fc.constantFrom(undefined, 0, 2, '\t'),
      (value, indent) => {
        expect(parsedMembers(JSON.stringify(value, null, indent))).toEqual(JSON.parse(JSON.stringify(value)));
      },
    ), { numRuns: 300 });
    expect(parsedMembers('{"a":"]}\\"[{","b":[{"c":"\\\\"}],"d":-1.5e3,"e":null,"f":true}')).toEqual({ a: ']}"[{', b: [{ c: '\\' }], d: -1500, e: null, f: true });
  });

  it('is null for what is not one plain object: other values, trailing bytes, repeated or escaped names, unbalanced brackets', () => {
    for (const text of ['[1]', '"x"', '', '{', '{"a":1}x', '{"a":1}{}', '{"a":1,"a":2}', '{"\\u0061":1}', '{"a":[1}', '{"a":', '{"a" 1}', '{"a":1,}', '{a:1}']) {
      expect(jsonMembers(bytes(text)), text).toBeNull();
    }
    expect(jsonMembers(bytes(' {} '))).toEqual(new Map());
  });

  it('is null for a body nesting deeper than MAX_JSON_DEPTH (the body itself a level), so members found say its depth was checked', () => {
    const body = (depth: number) => bytes(`{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`);
    expect(jsonMembers(body(MAX_JSON_DEPTH))?.get('a')).toEqual([5, 5 + 2 * (MAX_JSON_DEPTH - 1)]);
    expect(jsonMembers(body(MAX_JSON_DEPTH + 1))).toBeNull();
  });

  it('never delimits a body that is not JSON into values that all parse (so a body read member by member is a body JSON.parse reads)', () => {
    const pieces = ['{', '}', '[', ']', '"', '\\', ':', ',', ' ', 'a', '1', 'true', '"k"'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }), (parts) => {
      const text = parts.join('');
      let members: Record<string, unknown> | null;
      try { members = parsedMembers(text); } catch { return; }
      if (members === null) return;
      expect(JSON.parse(text)).toEqual(members);
    }), { numRuns: 3000 });
  });
});

describe('arrayLength: how many elements a member\'s array holds, from its bytes', () => {
  const lengthOf = (text: string, stopAfter?: number) => { const b = bytes(text); return arrayLength(b, jsonMembers(b)!.get('a')!, stopAfter); };

  it('counts as JSON.parse would, whatever the elements hold', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue(), { maxLength: 30 }), fc.constantFrom('', ' ', '\n  '), (values, space) => {
      const text = `{"a":${space}[${space}${values.map((v) => JSON.stringify(v)).join(`${space},${space}`)}${space}]${space}}`;
      expect(lengthOf(text)).toBe(values.length);
    }));
  });

  it('stops counting once past stopAfter, and is null for what is not an array', () => {
    expect(lengthOf(`{"a":[${'1,'.repeat(99)}1]}`, 10)).toBe(11);
    expect(lengthOf('{"a":{"x":[1,2]}}')).toBeNull();
    expect(lengthOf('{"a":"[1,2]"}')).toBeNull();
  });
});

describe('memberArrayLength: arrayLength of one member, the body walked only up to its count', () => {
  it('finds the member after others and counts it, stopping past stopAfter without reading the rest', () => {
    expect(memberArrayLength(bytes('{"v":"4","g":{"x":[1,{"alerts":[]}]},"alerts":[{"a":"],"},[1,2],3],"z":1}'), 'alerts')).toBe(3);
    // Stopped after 3: the broken rest is never read.
    expect(memberArrayLength(bytes(`{"alerts":[1,2,3,4,5${'@'.repeat(100)}`), 'alerts', 3)).toBe(4);
    expect(memberArrayLength(bytes('{"alerts":[]}'), 'alerts')).toBe(0);
  });

  it('is null when there is no such array member', () => {
    for (const text of ['[]', '{"alert":[1]}', '{"alerts":{"a":1}}', '{"a":1 "alerts":[1]}']) expect(memberArrayLength(bytes(text), 'alerts')).toBeNull();
  });
});
