import { describe, it, expect } from 'vitest';
import { invisibleIn, nameText, spelledOut } from '../../server/model/text.ts';

describe('names people read: no invisible or bidirectional control characters', () => {
  it.each([
    ['a right-to-left override', 'invoice\u202Egnp.exe', 'U+202E', 7],
    ['a left-to-right embedding', '\u202Apayments', 'U+202A', 0],
    ['a first-strong isolate', 'pay\u2068ments\u2069', 'U+2068', 3],
    ['a pop directional isolate', 'payments\u2069', 'U+2069', 8],
    ['a right-to-left mark', 'payments\u200F', 'U+200F', 8],
    ['an Arabic letter mark', 'a\u061Cb', 'U+061C', 1],
    ['a zero-width space', 'pay\u200Bments', 'U+200B', 3],
    ['a byte order mark', '\uFEFFpayments', 'U+FEFF', 0],
    ['a word joiner', 'pay\u2060ments', 'U+2060', 3],
    ['a soft hyphen', 'pay\u00ADments', 'U+00AD', 3],
    ['a Hangul filler', 'pay\u3164', 'U+3164', 3],
    ['a line separator', 'pay\u2028ments', 'U+2028', 3],
    ['a tag character (invisible ASCII)', 'payments\u{E0069}\u{E0067}', 'U+E0069', 8],
    ['a zero-width joiner joining nothing', 'pay\u200D ments', 'U+200D', 3],
    ['a zero-width non-joiner at the end', 'payments\u200C', 'U+200C', 8],
  ])('finds %s', (_what, text, codePoint, index) => {
    expect(invisibleIn(text)).toEqual({ codePoint, index });
    const r = nameText(1, 100).safeParse(text);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toContain(codePoint);
  });

  it.each([
    ['plain ASCII', 'payments-db (eu-west-1)'],
    ['accents and CJK', 'Zürich 支付服务'],
    ['Hebrew and Arabic letters (right-to-left text itself)', 'שירות-תשלומים خدمة'],
    ['Persian with its zero-width non-joiner between letters', 'می\u200Cخواهم'],
    ['a Devanagari conjunct with a zero-width joiner', 'क्\u200Dष'],
    ['an emoji family joined by zero-width joiners', 'team 👨\u200D👩\u200D👧'],
    ['an emoji with a skin tone joined', '👩🏽\u200D💻 devs'],
    ['an emoji with its variation selector', 'love ❤️'],
    ['a subdivision flag (tag characters)', 'uk 🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}'],
  ])('accepts %s', (_what, text) => {
    expect(invisibleIn(text)).toBeNull();
    expect(nameText(1, 100).safeParse(text).success).toBe(true);
  });
});

describe('spelledOut', () => {
  it('writes out every character a name may not hold, and leaves the rest as it reads', () => {
    expect(spelledOut('invoice\u202Egnp.exe')).toBe('invoice\\u202Egnp.exe');
    expect(spelledOut('pay\u200Bments\u0007')).toBe('pay\\u200Bments\\u0007');
    expect(spelledOut('tag\u{E0041}')).toBe('tag\\u{E0041}');
    // Joiners inside words and emoji, and a subdivision flag's tags, are text; so is plain ASCII.
    for (const kept of ['می\u200Cخواهم', '👩\u200D💻', '\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}', 'checkout-db']) expect(spelledOut(kept)).toBe(kept);
  });
});
