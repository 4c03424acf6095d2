import { parseArgs } from 'node:util';
import { configFromEnv } from './config.ts';
import { startServer } from './server.ts';
import { loadDemo } from './demo/load-demo.ts';

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    'demo-size': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(`servicegraph server
  npm start                  start on the embedded store (./data), UI and API on :8080
  npm start -- --demo        also load the demo estate (about 3,000 CIs) if it is not loaded yet
  --demo-size N              size of the demo estate
Environment: PORT, SERVICEGRAPH_DATA_DIR, SERVICEGRAPH_ADMIN_TOKEN, SERVICEGRAPH_STORE=sqlite|neo4j, NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD (see README).`);
  process.exit(0);
}

const config = configFromEnv();
const server = await startServer(config);
const { store } = server;

const empty = (await store.listCis({ limit: 1, lifecycle: 'any' })).items.length === 0;
if (values.demo) {
  if (empty) {
    const started = Date.now();
    const size = values['demo-size'] ? Number(values['demo-size']) : 3000;
    let last = 0;
    const loaded = await loadDemo(store, config.limits, {
      cis: size,
      progress: (m) => { if (Date.now() - last > 1000) { last = Date.now(); process.stderr.write(`${m}\n`); } },
    });
    await server.ctx.feed.poke();
    console.log(`Loaded the demo estate: ${loaded.cis} CIs and ${loaded.relations} relations in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } else {
    console.log('The store already holds data; the demo estate was not loaded again.');
  }
}

const link = server.adminToken ? `${server.url}/#token=${server.adminToken}` : null;
console.log(`servicegraph is listening on ${server.url} (store: ${store.kind}, data: ${config.store === 'sqlite' ? config.dataDir : config.neo4j.uri})`);
if (link) console.log(`Open the map, signed in as admin: ${link}`);
else console.log(`Sign in with an admin token (SERVICEGRAPH_ADMIN_TOKEN or the one in ${config.dataDir}/admin-token).`);
if (empty && !values.demo) console.log('The store is empty. Load the demo estate with: npm start -- --demo');

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void server.close().then(() => process.exit(0));
  });
}
