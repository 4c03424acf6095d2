import { describe, expect, it } from 'vitest';
import { SpanAggregator } from '../../../common/otel/aggregator.ts';
import type { FoldSpan } from '../../../common/otel/span.ts';

let n = 0;
function span(over: Partial<FoldSpan>): FoldSpan {
  return { traceId: 't1', spanId: `s${++n}`, parentSpanId: '', service: 'a', kind: 'internal', error: false, endMs: 1_000, peer: null, ...over };
}
const edgeList = (agg: SpanAggregator) => agg.drain().edges.map((e) => `${e.from.name} -> ${e.to.class}:${e.to.name} calls=${e.calls} errors=${e.errors}`);

describe('SpanAggregator', () => {
  it('pairs a client span with its server child in another service, whichever arrives first', () => {
    const agg = new SpanAggregator();
    agg.add(span({ spanId: 'c2', parentSpanId: 'c1', service: 'cart', kind: 'server' }));
    agg.add(span({ spanId: 'c1', service: 'frontend', kind: 'client' }));
    agg.add(span({ spanId: 'c3', service: 'frontend', kind: 'client' }));
    agg.add(span({ spanId: 'c4', parentSpanId: 'c3', service: 'cart', kind: 'server', error: true, endMs: 5_000 }));
    const [edge] = agg.drain().edges;
    expect(edge).toMatchObject({ from: { name: 'frontend' }, to: { class: 'service', name: 'cart' }, calls: 2, errors: 1, lastSeenMs: 5_000, evidence: 'parent' });
  });

  it('ignores parent and child in the same service', () => {
    const agg = new SpanAggregator();
    agg.add(span({ spanId: 'p', service: 'cart', kind: 'server' }));
    agg.add(span({ spanId: 'c', parentSpanId: 'p', service: 'cart', kind: 'internal' }));
    agg.expire();
    expect(agg.drain().edges).toEqual([]);
  });

  it('names an uninstrumented database by server address, else db name, when the client span stays unpaired', () => {
    const agg = new SpanAggregator();
    agg.add(span({ service: 'accounting', kind: 'client', peer: { dbSystem: 'postgresql', dbName: 'otel', serverAddress: 'postgresql:5432' } }));
    agg.add(span({ service: 'metrics', kind: 'client', error: true, peer: { dbSystem: 'clickhouse', dbName: 'metrics' } }));
    expect(agg.drain().edges).toEqual([]); // still waiting for a child that may come
    agg.expire();
    expect(edgeList(agg).sort()).toEqual(['accounting -> database:postgresql calls=1 errors=0', 'metrics -> database:metrics calls=1 errors=1']);
  });

  it('makes a redis or memcached callee a cache, the class the config collectors give its image', () => {
    const agg = new SpanAggregator();
    agg.add(span({ spanId: 'r', service: 'cart', kind: 'client', peer: { dbSystem: 'redis', serverAddress: 'valkey-cart:6379' } }));
    agg.add(span({ spanId: 'm', service: 'review', kind: 'client', peer: { dbSystem: 'memcached', serverAddress: 'memcached-review' } }));
    agg.expire();
    expect(edgeList(agg).sort()).toEqual(['cart -> cache:valkey-cart calls=1 errors=0', 'review -> cache:memcached-review calls=1 errors=0']);
  });

  it('makes no virtual node when an instrumented child answered the client span', () => {
    const agg = new SpanAggregator();
    agg.add(span({ spanId: 'x', service: 'agent', kind: 'client', peer: { peerService: 'vector-store' } }));
    agg.add(span({ spanId: 'y', parentSpanId: 'x', service: 'vector-store', kind: 'server' }));
    agg.expire();
    expect(edgeList(agg)).toEqual(['agent -> service:vector-store calls=1 errors=0']);
  });

  it('links producers and consumers to the queue, not to each other', () => {
    const agg = new SpanAggregator();
    const peer = { messagingSystem: 'kafka', destination: 'orders' };
    agg.add(span({ spanId: 'p', service: 'checkout', kind: 'producer', peer }));
    agg.add(span({ spanId: 'c', parentSpanId: 'p', service: 'accounting', kind: 'consumer', peer }));
    agg.expire();
    expect(edgeList(agg).sort()).toEqual(['accounting -> queue:orders calls=1 errors=0', 'checkout -> queue:orders calls=1 errors=0']);
  });

  it('uses peer.service, then server.address, for other unpaired client calls', () => {
    const agg = new SpanAggregator();
    agg.add(span({ service: 'web', kind: 'client', peer: { peerService: 'payments', serverAddress: '10.0.0.7' } }));
    agg.add(span({ service: 'web', kind: 'client', peer: { serverAddress: 'api.stripe.com:443' } }));
    agg.add(span({ service: 'web', kind: 'server', peer: { serverAddress: 'web.local' } }));
    agg.expire();
    expect(edgeList(agg).sort()).toEqual(['web -> service:api.stripe.com calls=1 errors=0', 'web -> service:payments calls=1 errors=0']);
  });

  it('stays within its caps and counts what it dropped', () => {
    const agg = new SpanAggregator({ maxEdges: 2, maxServices: 3, maxPending: 10 });
    for (let i = 0; i < 100; i++) {
      agg.add(span({ traceId: `t${i}`, spanId: 'c', service: 'caller', kind: 'client' }));
      agg.add(span({ traceId: `t${i}`, spanId: 's', parentSpanId: 'c', service: `callee${i}`, kind: 'server' }));
    }
    expect(agg.pendingSpans).toBeLessThanOrEqual(10);
    const { edges, services, stats } = agg.drain();
    expect(edges).toHaveLength(2);
    expect(services).toHaveLength(3);
    expect(stats).toMatchObject({ spans: 200, paired: 100, droppedEdges: 98, droppedServices: 98, evicted: 190 });
  });

  it('drains counts since the last drain and keeps pairing across drains', () => {
    const agg = new SpanAggregator();
    agg.add(span({ spanId: 'c', service: 'a', kind: 'client' }));
    expect(agg.drain().edges).toEqual([]);
    agg.add(span({ spanId: 's', parentSpanId: 'c', service: 'b', kind: 'server' }));
    expect(edgeList(agg)).toEqual(['a -> service:b calls=1 errors=0']);
    expect(agg.drain().edges).toEqual([]);
  });

  it('settles only spans that arrived before the given time', () => {
    const agg = new SpanAggregator();
    agg.add(span({ service: 'a', kind: 'client', peer: { peerService: 'old' } }), 100);
    agg.add(span({ service: 'a', kind: 'client', peer: { peerService: 'new' } }), 200);
    agg.expire(150);
    expect(edgeList(agg)).toEqual(['a -> service:old calls=1 errors=0']);
    expect(agg.pendingSpans).toBe(1);
  });
});

describe('SpanAggregator in a long-running receiver', () => {
  it('lets children whose parent never came age out of the window', () => {
    const agg = new SpanAggregator();
    agg.add(span({ traceId: 'x', spanId: 'child-old', parentSpanId: 'gone', service: 'b', kind: 'server' }), 100);
    agg.add(span({ traceId: 'x', spanId: 'child-new', parentSpanId: 'late', service: 'b', kind: 'server' }), 300);
    agg.expire(200);
    expect(agg.drain().stats).toMatchObject({ unparented: 1 });
    agg.add(span({ traceId: 'x', spanId: 'late', service: 'a', kind: 'client' }), 400);
    expect(agg.drain().edges.map((e) => `${e.from.name} -> ${e.to.name}`)).toEqual(['a -> b']);
  });
});
