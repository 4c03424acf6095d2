import { describe, it, expect } from 'vitest';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { deflateText, deflateTextAsync } from '../../server/store/sqlite/deflate-text.ts';

/** What the store wrote before its bytes went through a kept buffer: zlib handed the string itself. */
const asBefore = (text: string) => deflateRawSync(text, { level: 1 });
const inflated = (b: Buffer) => inflateRawSync(b).toString('utf8');

const texts = {
  ascii: JSON.stringify(Array.from({ length: 2_000 }, (_, i) => ({ id: `ci-${i}`, name: `svc-${i}` }))),
  latin1: JSON.stringify({ name: 'café crème', owner: 'Zoë' }).repeat(500),
  bmp: JSON.stringify({ name: '支付服务', note: 'ошибка' }).repeat(500),
  astral: JSON.stringify({ name: 'rocket 🚀 𝔘' }).repeat(500),
  // JSON.stringify escapes a lone surrogate, but a text may hold one: it is written as U+FFFD, as Buffer.from does.
  lone: `a\uD800b\uDC00c`.repeat(100),
};

describe('deflating a text through a kept buffer', () => {
  it('writes the same bytes as deflating the string did, for every kind of character', async () => {
    for (const [kind, text] of Object.entries(texts)) {
      expect(deflateText(text), kind).toEqual(asBefore(text));
      expect(await deflateTextAsync(text), kind).toEqual(asBefore(text));
    }
  });

  it('keeps texts deflated at once apart: a buffer is lent to one deflate until its callback', async () => {
    // Longer texts first, so a later, shorter text would overwrite an earlier one's bytes were its buffer shared.
    const many = Array.from({ length: 6 }, (_, i) => `${'x'.repeat(60_000 - i * 5_000)}|${i}|${JSON.stringify({ i, name: `ci-${i}-日本` })}`);
    const pending = many.map((t) => deflateTextAsync(t));
    // Sync deflates in between take a buffer too, and give it back before returning.
    const sync = many.map((t) => inflated(deflateText(t.slice(0, 1_000))));
    const done = await Promise.all(pending);
    expect(done.map(inflated)).toEqual(many);
    expect(sync).toEqual(many.map((t) => t.slice(0, 1_000)));
  });

  it('deflates a text too large to keep a buffer for, and a smaller one after it, each exactly', async () => {
    const huge = 'y'.repeat(6 << 20);
    expect(inflated(await deflateTextAsync(huge))).toBe(huge);
    expect(inflated(deflateText(texts.bmp))).toBe(texts.bmp);
  });
});
