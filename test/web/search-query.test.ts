import { describe, expect, it } from 'vitest';
import { classForWord, noMatchAdvice, parseSearch } from '../../web/lib/search-query.ts';

describe('CI search text', () => {
  it('sends name words as q and class/owner prefixes as filters', () => {
    expect(parseSearch('  checkout  api owner:payments ')).toEqual({ query: { q: 'checkout api', owner: 'payments' } });
    expect(parseSearch('class:database')).toEqual({ query: { class: 'database' } });
  });

  it('resolves a class from the name, title, plural or a common short word', () => {
    expect(classForWord('Databases')?.name).toBe('database');
    expect(classForWord('db')?.name).toBe('database');
    expect(classForWord('load-balancer')?.name).toBe('load_balancer');
    expect(classForWord('LoadBalancer')?.name).toBe('load_balancer');
    expect(classForWord('checkout')).toBeUndefined();
    expect(parseSearch('CLASS:lb').query).toEqual({ class: 'load_balancer' });
  });

  it('keeps a class word that names no class, so the box can say so instead of sending it', () => {
    const p = parseSearch('class:databse pay');
    expect(p).toEqual({ query: { q: 'pay' }, unknownClass: 'databse' });
    expect(noMatchAdvice(p).text).toMatch(/^No class “databse”\. Classes: business_service, .*database/);
  });

  it('offers the class filter when the words typed are a class name', () => {
    expect(noMatchAdvice(parseSearch('databases owner:payments'))).toEqual({
      text: 'No CI matches “databases”.',
      suggestion: { label: 'All databases (class:database owner:payments)', text: 'class:database owner:payments' },
    });
  });

  it('says what found nothing otherwise, and how to filter', () => {
    expect(noMatchAdvice(parseSearch('zzz')).text).toBe('No CI matches “zzz” in its name, identifiers or owner. Filter by class or owner too: class:database, owner:payments.');
    expect(noMatchAdvice(parseSearch('zzz class:queue')).text).toBe('No CI matches “zzz” with class queue.');
    expect(noMatchAdvice(parseSearch('owner:pay')).text).toBe('No CI with owner “pay”. owner: takes the exact team name; type “pay” without owner: to match part of it.');
  });
});
