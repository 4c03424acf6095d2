import { describe, expect, it } from 'vitest';
import { extractEndpoints } from '../../../collectors/shared/endpoints.ts';
import { classifyImage } from '../../../common/image-class.ts';

const hosts = (key: string, value: string) => extractEndpoints(key, value).map((e) => (e.port ? `${e.host}:${e.port}` : e.host));

describe('endpoint names in configuration values', () => {
  it.each([
    ['CART_ADDR', 'cart:7070', ['cart:7070']],
    ['EMAIL_ADDR', 'http://email:6060', ['email:6060']],
    ['DB', 'postgres://user:s3cret@astronomy-db/astronomy_db?sslmode=disable', ['astronomy-db']],
    ['DB', 'postgres://user@db.prod.svc.cluster.local:5432/app', ['db.prod.svc.cluster.local:5432']],
    ['DB_CONNECTION_STRING', 'Host=astronomy-db;Username=u;Password=p;Database=d', ['astronomy-db']],
    ['DB_CONNECTION_STRING', 'host=astronomy-db user=u password=p dbname=d', ['astronomy-db']],
    ['SQL', 'Data Source=sql1,1433;Initial Catalog=x', ['sql1']],
    ['MONGO_URL', 'mongodb://a:27017,b:27017/db?replicaSet=rs', ['a:27017', 'b:27017']],
    ['KAFKA_CONTROLLER_QUORUM_VOTERS', '1@kafka:9093', ['kafka:9093']],
    ['FLAGD_HOST', 'flagd', ['flagd']],
    ['JAEGER_HOST', 'jaeger-query.otel.svc.cluster.local', ['jaeger-query.otel.svc.cluster.local']],
  ])('%s=%s → %j', (key, value, expected) => {
    expect(hosts(key, value)).toEqual(expected);
  });

  it.each([
    ['OTEL_SERVICE_NAME', 'cart'],
    ['OTEL_COLLECTOR_NAME', 'otel-collector'],
    ['POSTGRES_DB', 'orders'],
    ['OTEL_RESOURCE_ATTRIBUTES', 'service.namespace=opentelemetry-demo,service.version=2.2.0'],
    ['ASPNETCORE_URLS', 'http://*:7070'],
    ['LOCUST_WEB_HOST', '0.0.0.0'],
    ['PUBLIC_ENDPOINT', 'http://localhost:8080/otlp-http/v1/traces'],
    ['FRONTEND_ADDR', ':8080'],
    ['VERSION', '2.2.0'],
    ['TIME', '12:30'],
    ['JAVA_OPTS', '-Xms400m -Xmx400m'],
  ])('%s=%s names no peer', (key, value) => {
    expect(hosts(key, value)).toEqual([]);
  });
});

describe('data stores recognised by image', () => {
  it.each([
    ['postgres:17.8', 'database'],
    ['docker.io/bitnami/postgresql:16', 'database'],
    ['mongo:4.4.6', 'database'],
    ['valkey/valkey:9.0.2-alpine3.23', 'cache'],
    ['memcached', 'cache'],
    ['confluentinc/cp-kafka:7.6.0', 'queue'],
    ['ghcr.io/open-telemetry/demo:2.2.0-kafka', 'queue'],
    ['rabbitmq:3-management', 'queue'],
    ['opensearchproject/opensearch:3.5.0', 'database'],
  ])('%s → %s', (image, cls) => {
    expect(classifyImage(image)?.class).toBe(cls);
  });

  it.each(['ghcr.io/open-telemetry/demo:2.2.0-frontend', 'jaegertracing/all-in-one:1.53.0', 'redis-exporter-ui:1', 'hashicorp/consul'])('%s is not a data store', (image) => {
    expect(classifyImage(image)).toBeUndefined();
  });
});
