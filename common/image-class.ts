/**
 * Recognises data stores by container image, so that a compose service or a Kubernetes workload
 * running `postgres:17` becomes a `database` CI rather than a generic `service`.
 */
export type DataClass = 'database' | 'queue' | 'cache';

export interface ImageKind {
  class: DataClass;
  /** The product the image was recognised as, e.g. `postgres`. */
  product: string;
}

const PRODUCTS: Record<string, ImageKind> = {};
function add(cls: DataClass, product: string, ...aliases: string[]) {
  for (const a of [product, ...aliases]) PRODUCTS[a] = { class: cls, product };
}
add('database', 'postgres', 'postgresql', 'postgis', 'timescaledb', 'pgvector');
add('database', 'mysql', 'percona');
add('database', 'mariadb');
add('database', 'mongo', 'mongodb');
add('database', 'elasticsearch');
add('database', 'opensearch');
add('database', 'cassandra', 'scylla', 'scylladb');
add('database', 'zookeeper');
add('database', 'etcd');
add('database', 'couchdb');
add('database', 'couchbase');
add('database', 'neo4j');
add('database', 'clickhouse', 'clickhouse-server');
add('database', 'cockroach', 'cockroachdb');
add('database', 'influxdb');
add('database', 'mssql', 'mssql-server');
add('database', 'oracle-database', 'oracle-xe');
add('queue', 'kafka', 'cp-kafka', 'cp-server');
add('queue', 'redpanda');
add('queue', 'rabbitmq');
add('queue', 'nats', 'nats-streaming');
add('queue', 'activemq', 'artemis', 'activemq-artemis');
add('queue', 'pulsar');
add('queue', 'mosquitto', 'eclipse-mosquitto');
add('queue', 'emqx');
add('queue', 'nsq', 'nsqd');
add('cache', 'redis', 'redis-stack', 'redis-stack-server');
add('cache', 'valkey');
add('cache', 'memcached');
add('cache', 'keydb');
add('cache', 'dragonfly');
add('cache', 'hazelcast');

/**
 * The image's repository name is read without registry, namespace and tag
 * (`docker.io/bitnami/postgresql:16` → `postgresql`), or with its namespace when that names the product
 * (`mcr.microsoft.com/mssql/server:2019-latest` → `mssql-server`). A generic repository whose tag ends with a product
 * (`ghcr.io/open-telemetry/demo:2.2.0-kafka`, the OpenTelemetry demo's convention) counts too.
 */
export function classifyImage(image: string | undefined): ImageKind | undefined {
  if (!image) return undefined;
  const noDigest = image.split('@')[0].toLowerCase();
  const lastSlash = noDigest.lastIndexOf('/');
  const tail = noDigest.slice(lastSlash + 1);
  const [repo, tag = ''] = tail.split(':');
  const direct = PRODUCTS[repo];
  if (direct) return direct;
  // `mcr.microsoft.com/mssql/server`: the product is the namespace, the repository a generic word.
  const namespace = noDigest.slice(0, Math.max(0, lastSlash)).split('/').pop();
  const nested = namespace ? PRODUCTS[`${namespace}-${repo}`] : undefined;
  if (nested) return nested;
  const tagTail = /[-_]([a-z][a-z0-9-]*)$/.exec(tag)?.[1];
  if (tagTail && PRODUCTS[tagTail]) return PRODUCTS[tagTail];
  return undefined;
}

/**
 * A product by name, as traces name it (`db.system` = `redis`, `postgresql`, `memcached`): the same
 * classes as the images, so that the cache a compose file runs and the cache a trace calls agree.
 */
export function classifyProduct(name: string | undefined): ImageKind | undefined {
  return name ? PRODUCTS[name.toLowerCase()] : undefined;
}
