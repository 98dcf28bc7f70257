// NetFlow's JavaScript client against real nodes, as JsClientTest starts them: two nodes (NETFLOW_NODES),
// both hosting "echo", a game key (NETFLOW_KEY) and an admin key (NETFLOW_ADMIN_KEY). The nodes allow
// each key 5 messages a second (burst 5), so a burst of sends meets 429s. Run: node --test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { NetflowClient, MeshError } from '../../../../client/src/main/resources/META-INF/resources/netflow/sdk/netflow.mjs';

const NODES = process.env.NETFLOW_NODES.split(',');
const KEY = process.env.NETFLOW_KEY;
const ADMIN = process.env.NETFLOW_ADMIN_KEY;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, condition, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function client() {
  return new NetflowClient({ nodes: [NODES[0]], apiKey: KEY, WebSocket, checkIntervalMs: 200 });
}

test('every node serves the module as it is in the repository', async () => {
  const local = await readFile(new URL('../../../../client/src/main/resources/META-INF/resources/netflow/sdk/netflow.mjs', import.meta.url), 'utf8');
  for (const node of NODES) {
    const r = await fetch(`${node}/sdk/netflow.mjs`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/javascript/);
    assert.equal(await r.text(), local);
  }
});

test('a game sends, is answered, and gets what it subscribed to', async () => {
  const c = client();
  try {
    const node = await c.connect();
    assert.ok(NODES.includes(node), `connected to a node of the mesh: ${node}`);
    const ack = await c.send({ service: 'echo', priority: 'CRITICAL', payload: 'jump' });
    assert.equal(ack.reply, 'echo:jump');
    assert.equal(ack.status, 200);
    const got = [];
    const subscribed = new Promise((resolve) => c.onFrame((f) => f.op === 'subscribed' && resolve()));
    c.subscribe('news', (d) => got.push(d.payload));
    await subscribed;
    await c.send({ topic: 'news', payload: 'kickoff' });
    await until('the publication', () => got.includes('kickoff'));
  } finally {
    c.close();
  }
});

test('a burst past the rate waits as long as the mesh asks, and nothing is refused', async () => {
  await sleep(1100); // a full bucket
  const c = client();
  try {
    await c.connect();
    const t0 = Date.now();
    const times = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      c.send({ service: 'echo', priority: 'HIGH', payload: `p${i}` }).then((ack) => {
        assert.equal(ack.reply, `echo:p${i}`);
        return Date.now() - t0;
      })));
    times.sort((a, b) => a - b);
    assert.ok(times[0] < 900, `the first go at once (${times})`);
    assert.ok(times[9] >= 950, `the ones past the burst wait the second they were told (${times})`);
  } finally {
    c.close();
  }
});

test('a request the key may not make is refused at once, with its code, and not retried', async () => {
  await sleep(1100);
  const c = client();
  try {
    await c.connect();
    const t0 = Date.now();
    await assert.rejects(c.send({ service: 'secret.service', payload: 'x' }), (e) => {
      assert.ok(e instanceof MeshError);
      assert.equal(e.code, 1003);
      assert.equal(e.retryable, false);
      return true;
    });
    assert.ok(Date.now() - t0 < 900);
    await assert.rejects(c.request('POST', '/v1/work', { nonsense: true }), (e) => e instanceof MeshError && !e.retryable);
  } finally {
    c.close();
  }
});

test('the client leaves a draining node within a second, and its subscription follows it', async () => {
  await sleep(1100);
  const c = client();
  try {
    const first = await c.connect();
    const got = [];
    const subscribed = new Promise((resolve) => c.onFrame((f) => f.op === 'subscribed' && resolve()));
    c.subscribe('news', (d) => got.push(d.payload));
    await subscribed;
    const self = (await (await fetch(`${first}/v1/mesh/nodes`, { headers: { Authorization: `Bearer ${KEY}` } })).json()).self;
    const drained = await fetch(`${first}/v1/nodes/${self}/drain`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}` } });
    assert.equal(drained.status, 202);
    const t0 = Date.now();
    await until('another node', () => c.node != null && c.node !== first, 2000);
    const movedMs = Date.now() - t0;
    console.log(`[measure] JS client off a draining node in ${movedMs} ms`);
    assert.ok(movedMs < 1000, `moved in ${movedMs} ms`);
    // CRITICAL sends keep working from the new node, and the subscription came along.
    const ack = await c.send({ service: 'echo', priority: 'CRITICAL', payload: 'after' });
    assert.equal(ack.reply, 'echo:after');
    await sleep(300);
    await c.send({ topic: 'news', payload: 'still here' });
    await until('the publication after the move', () => got.includes('still here'));
  } finally {
    c.close();
  }
});
