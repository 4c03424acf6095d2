import { describe, expect, it } from 'vitest';
import { absoluteWindow, absoluteWords, dayWord, instantWords, windowFromNow, windowPhrase, windowWords } from '../../web/lib/when.ts';

/** A person in Paris reading British English, and one in New York reading American English. */
const paris = { locale: 'en-GB', timeZone: 'Europe/Paris' };
const newYork = { locale: 'en-US', timeZone: 'America/New_York' };
/** Monday 7 December 2026, 16:00 in Paris. */
const NOW = new Date('2026-12-07T15:00:00Z');
const paristime = (day: number, h: number, m = 0) => new Date(Date.UTC(2026, 11, day, h - 1, m));

describe('a window said from now, in the reader\'s language and zone', () => {
  it('names the days a person would: tonight, tomorrow night, a weekday within the week, else the date', () => {
    expect(windowPhrase(paristime(7, 22), paristime(7, 23, 30), NOW, paris)).toBe('tonight 22:00 – 23:30 (1 h 30 min)');
    expect(windowPhrase(paristime(7, 22), paristime(8, 2), NOW, paris)).toBe('tonight 22:00 – tomorrow 02:00 (4 h)');
    expect(windowPhrase(paristime(8, 22), paristime(8, 23), NOW, paris)).toBe('tomorrow night 22:00 – 23:00 (1 h)');
    expect(windowPhrase(paristime(8, 9), paristime(8, 10), NOW, paris)).toBe('tomorrow 09:00 – 10:00 (1 h)');
    expect(windowPhrase(paristime(10, 1), paristime(10, 3), NOW, paris)).toBe('Thursday 01:00 – 03:00 (2 h)');
    expect(windowPhrase(paristime(16, 22), paristime(16, 23), NOW, paris)).toBe('Wed 16 Dec 22:00 – 23:00 (1 h)');
    expect(windowPhrase(new Date('2027-01-05T21:00:00Z'), new Date('2027-01-05T22:00:00Z'), NOW, paris)).toBe('Tue, 5 Jan 2027 22:00 – 23:00 (1 h)');
  });

  it('says the same instants in the New Yorker\'s zone and clock', () => {
    // 22:00 in Paris is 16:00 in New York, where it is 10:00 in the morning.
    expect(windowPhrase(paristime(7, 22), paristime(7, 23, 30), NOW, newYork)).toBe('today 4:00 PM – 5:30 PM (1 h 30 min)');
  });

  it('says how far off the window is, whether it is under way, or how long ago it ended', () => {
    expect(windowFromNow(paristime(7, 22), paristime(7, 23, 30), NOW)).toBe('in 6 h');
    expect(windowFromNow(paristime(7, 16, 25), paristime(7, 17), NOW)).toBe('in 25 min');
    expect(windowFromNow(paristime(10, 1), paristime(10, 3), NOW)).toBe('in 2 days');
    expect(windowFromNow(paristime(7, 15), paristime(7, 16, 40), NOW)).toBe('under way, 40 min left');
    expect(windowFromNow(paristime(5, 1), paristime(5, 2), NOW)).toBe('ended 3 days ago');
  });

  it('says what is wrong with a window that cannot be', () => {
    expect(windowPhrase(paristime(8, 2), paristime(8, 1), NOW, paris)).toBe('The end must come after the start.');
    expect(windowPhrase(new Date(''), paristime(8, 1), NOW, paris)).toBe('Give a start and an end.');
    expect(windowWords(paristime(8, 2), paristime(8, 1), paris)).toBe('The end must come after the start.');
  });
});

describe('instants', () => {
  it('are a day word and a clock time; an evening already past is today, not tonight', () => {
    expect(instantWords(paristime(7, 12, 22), NOW, paris)).toBe('today 12:22');
    expect(instantWords(paristime(6, 9, 10), NOW, paris)).toBe('yesterday 09:10');
    expect(instantWords(paristime(1, 12, 22), NOW, paris)).toBe('Tue 1 Dec 12:22');
    expect(dayWord(paristime(6, 20), NOW, paris)).toBe('yesterday');
    expect(dayWord(paristime(7, 19), new Date(Date.UTC(2026, 11, 7, 19)), paris)).toBe('today');
  });

  it('are absolute, with the year and the zone, for hover, print and texts read later', () => {
    expect(absoluteWords(paristime(7, 22), paris)).toBe('Mon, 7 Dec 2026, 22:00 CET');
    expect(absoluteWindow(paristime(7, 22), paristime(7, 23, 30), paris)).toBe('Mon, 7 Dec 2026, 22:00 CET – Mon, 7 Dec 2026, 23:30 CET');
    expect(windowWords(paristime(7, 22), paristime(8, 0), paris)).toBe('Mon 7 Dec 22:00 – Tue 8 Dec 00:00 (2 h)');
    expect(windowWords(paristime(8, 1), paristime(8, 2, 30), paris)).toBe('Tue 8 Dec 01:00 – 02:30 (1 h 30 min)');
    expect(absoluteWords(paristime(8, 1), newYork)).toBe('Mon, Dec 7, 2026, 7:00 PM EST');
    expect(windowWords(paristime(8, 1), paristime(8, 1, 45), newYork)).toBe('Mon, Dec 7 7:00 PM – 7:45 PM (45 min)');
  });
});
