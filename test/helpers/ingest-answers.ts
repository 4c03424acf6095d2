/** Waits (polling every 10 ms, up to 10 s) until `ok` holds; throws naming `what` otherwise. */
export const until = async (ok: () => boolean | Promise<boolean>, what: string): Promise<void> => {
  for (let i = 0; i < 1000; i++) { if (await ok()) return; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error(`timed out waiting for ${what}`);
};

/** An ingest answer without what a server makes up per write (a sequence number, generated ids, the instant), to compare two servers'. */
export const comparable = (body: unknown) => JSON.parse(JSON.stringify(body, (k, v) => {
  if (k === 'seq' || (k === 'runId' && typeof v === 'string' && v.startsWith('run-')) || (k === 'ciId' && typeof v === 'string')) return '*';
  return typeof v === 'string' ? v.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<instant>') : v;
}));
