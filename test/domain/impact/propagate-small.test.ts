import { describe, expect, it } from 'vitest';
import { propagateImpact, type FailState } from '../../../server/domain/impact/propagate.ts';
import { estate } from '../../topology/estate-builder.ts';
import { referencePropagate } from './reference-propagate.ts';

/**
 * Small answers' states may be arrays shared between answers (all down; the first down and the rest degraded): each
 * answer must still carry its own CIs' states, whatever shape the calls before it had.
 */
describe('impact propagation: the states of small answers', () => {
  // db is needed by app1 and app2 outright; cache is one of a pair web1 and web2 each need one of.
  const topo = estate().cisNamed('db', 'app1', 'app2', 'cache', 'spare', 'web1', 'web2', 'edge')
    .dependsOn('app1', 'db').dependsOn('app2', 'db')
    .dependsOn('web1', 'cache', { group: 'c1', minUp: 1 }).dependsOn('web1', 'spare', { group: 'c1', minUp: 1 })
    .dependsOn('web2', 'cache', { group: 'c2', minUp: 1 }).dependsOn('web2', 'spare', { group: 'c2', minUp: 1 })
    .dependsOn('edge', 'web1')
    .build();
  const ask = (failed: Record<string, FailState>) => {
    const input = Object.entries(failed).map(([id, state]) => ({ node: topo.nodeOf(id)!, state }));
    const r = propagateImpact(topo, input, { limit: 10 });
    const before = referencePropagate(topo, input, { limit: 10 });
    expect([...r.all]).toEqual([...before.all]);
    expect([...r.allStates]).toEqual([...before.allStates]);
    return Object.fromEntries([...r.all].map((n, i) => [topo.idOf(n), r.allStates[i]]));
  };

  it('one CI down and all it reaches down, then one down and all it reaches degraded, on answers of one size', () => {
    expect(ask({ db: 'down' })).toEqual({ db: 2, app1: 2, app2: 2 });
    expect(ask({ cache: 'down' })).toEqual({ cache: 2, web1: 1, web2: 1, edge: 1 });
    expect(ask({ db: 'down' })).toEqual({ db: 2, app1: 2, app2: 2 });
  });

  it('the one CI down is not the first named: a CI named degraded comes first', () => {
    // cache named degraded first, spare down second: web1 and web2 are degraded, edge degraded, spare alone down.
    expect(ask({ cache: 'degraded', spare: 'down' })).toEqual({ cache: 1, spare: 2, web1: 1, web2: 1, edge: 1 });
    expect(ask({ app1: 'degraded', db: 'down' })).toEqual({ app1: 2, db: 2, app2: 2 });
  });

  it('every CI degraded, and CIs both down and degraded, beside the shared shapes', () => {
    expect(ask({ cache: 'degraded' })).toEqual({ cache: 1, web1: 1, web2: 1, edge: 1 });
    expect(ask({ cache: 'down', spare: 'down' })).toEqual({ cache: 2, spare: 2, web1: 2, web2: 2, edge: 2 });
    expect(ask({ cache: 'down', db: 'down' })).toEqual({ cache: 2, db: 2, web1: 1, web2: 1, app1: 2, app2: 2, edge: 1 });
  });

  it('an answer\'s states cannot be changed by its reader, so no other answer sees such a change', () => {
    const r = propagateImpact(topo, [{ node: topo.nodeOf('db')!, state: 'down' }]);
    expect(() => { (r.allStates as number[])[1] = 1; }).toThrow(TypeError);
    expect(ask({ db: 'down' })).toEqual({ db: 2, app1: 2, app2: 2 });
  });
});
