// NetFlow console: renders the snapshots the node streams at /console/events (server-sent events).
'use strict';

const HISTORY_MS = 5 * 60 * 1000;
const history = new Map();           // node name -> [{x: time, y: cpu %}]
let loadChart;
let rewardsChart;
let lastSnapshotAt = 0;
let previous = null;                 // the last snapshot, for link rates

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function pct(v) { return Math.round(v * 100) + '%'; }
function mib(b) { return (b / 1048576).toFixed(1) + ' MiB'; }
function bytes(b) {
  if (!b) return '0';
  const units = ['B', 'K', 'M', 'G'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return (b < 10 && i ? b.toFixed(1) : Math.round(b)) + units[i];
}
// Counts grow without bound on a long-lived node: compact, so a lane table keeps its width.
function count(n) {
  if (!n || n < 10000) return String(n || 0);
  const units = ['k', 'M', 'G', 'T'];
  let i = -1;
  while (n >= 999.5 && i < units.length - 1) { n /= 1000; i++; }
  return (n < 10 ? n.toFixed(1) : Math.round(n)) + units[i];
}
function time(ms) { return new Date(ms).toLocaleTimeString(); }

function setStatus(text, cls) {
  const s = document.getElementById('status');
  s.textContent = text;
  s.className = cls;
}

function connect() {
  const source = new EventSource('events');
  source.onopen = () => setStatus('live', 'live');
  source.onmessage = (m) => {
    lastSnapshotAt = Date.now();
    setStatus('live', 'live');
    render(JSON.parse(m.data));
  };
  // EventSource reconnects by itself (the node asks for 1 s); the page only says what happens.
  source.onerror = () => setStatus('Lost connection to this node. Reconnecting…', 'lost');
}

// A node that hangs without closing the stream is lost too.
setInterval(() => {
  if (lastSnapshotAt && Date.now() - lastSnapshotAt > 3000) {
    setStatus('Lost connection to this node. Reconnecting…', 'lost');
  }
}, 1000);

function render(s) {
  const self = s.nodes.find((n) => n.self);
  document.getElementById('summary').textContent =
    `${s.nodes.length} node(s), cluster of ${s.clusterSize} · viewed from ${self ? self.name : '?'} · ` +
    `gameplay ${s.meshLoad} req/s · utilisation ${pct(s.utilisation || 0)} · ${time(s.at)}`;
  topology(s.nodes, linkRates(s));
  previous = s;
  loadHistory(s);
  nodes(s.nodes, s.models || []);
  models(s.models || []);
  work(s.work || {});
  rewards(s.rewards || {});
  events(s.events || []);
}

const LANES = ['CRITICAL', 'HIGH', 'NORMAL', 'MODEL', 'BULK'];

// Bytes per second per lane between each pair of nodes, both ways, from the change since the last snapshot.
function linkRates(s) {
  const rates = new Map();
  if (!previous) return rates;
  const seconds = (s.at - previous.at) / 1000;
  if (seconds <= 0) return rates;
  const before = new Map(previous.nodes.map((n) => [n.nodeId, n]));
  for (const n of s.nodes) {
    const old = before.get(n.nodeId);
    if (!old) continue;
    for (const [dest, lanes] of Object.entries(n.traffic.links || {})) {
      const key = [n.nodeId, dest].sort().join('|');
      const r = rates.get(key) || Object.fromEntries(LANES.map((l) => [l, 0]));
      const was = (old.traffic.links || {})[dest] || {};
      for (const l of LANES) r[l] += Math.max(0, ((lanes[l] || 0) - (was[l] || 0)) / seconds);
      rates.set(key, r);
    }
  }
  return rates;
}

function topology(list, rates) {
  const svg = d3.select('#topology').selectAll('svg').data([0]).join('svg').attr('viewBox', '0 0 600 260');
  const cx = 300, cy = 130, ring = list.length > 1 ? 95 : 0;
  const pos = list.map((n, i) => {
    const a = (2 * Math.PI * i) / list.length - Math.PI / 2;
    return { n, x: cx + ring * Math.cos(a), y: cy + ring * Math.sin(a) };
  });
  const links = [];
  for (let i = 0; i < pos.length; i++) for (let j = i + 1; j < pos.length; j++) links.push([pos[i], pos[j]]);
  const rateOf = (d) => rates.get([d[0].n.nodeId, d[1].n.nodeId].sort().join('|'));
  const total = (r) => (r ? LANES.reduce((sum, l) => sum + r[l], 0) : 0);
  const line = svg.selectAll('g.link').data(links, (d) => d[0].n.nodeId + d[1].n.nodeId).join((enter) => {
    const e = enter.append('g').attr('class', 'link');
    e.append('line');
    e.append('text').attr('text-anchor', 'middle').attr('class', 'rate');
    e.append('title');
    return e;
  });
  line.attr('data-link', (d) => `${d[0].n.name}|${d[1].n.name}`);
  line.select('line').attr('x1', (d) => d[0].x).attr('y1', (d) => d[0].y).attr('x2', (d) => d[1].x).attr('y2', (d) => d[1].y)
    .attr('stroke', (d) => (total(rateOf(d)) > 0 ? '#3b6fd8' : '#c9ced8'))
    .attr('stroke-width', (d) => 1.5 + Math.min(10, Math.log10(1 + total(rateOf(d))) * 1.5));
  line.select('text.rate').attr('x', (d) => (d[0].x + d[1].x) / 2).attr('y', (d) => (d[0].y + d[1].y) / 2 - 4)
    .text((d) => (total(rateOf(d)) > 0 ? bytes(total(rateOf(d))) + '/s' : ''));
  line.select('title').text((d) => {
    const r = rateOf(d);
    return `${d[0].n.name} <-> ${d[1].n.name}: ` + (r ? LANES.map((l) => `${l} ${bytes(r[l])}/s`).join(', ') : 'no traffic');
  });
  const color = d3.scaleLinear().domain([0, 0.5, 1]).range(['#2e9d5b', '#e0a526', '#c8372d']).clamp(true);
  const g = svg.selectAll('g.node').data(pos, (d) => d.n.nodeId).join((enter) => {
    const e = enter.append('g').attr('class', 'node');
    e.append('circle');
    e.append('text').attr('class', 'name').attr('text-anchor', 'middle');
    e.append('text').attr('class', 'detail').attr('text-anchor', 'middle');
    return e;
  });
  g.attr('data-node-name', (d) => d.n.name).attr('data-state', (d) => d.n.state)
    .attr('transform', (d) => `translate(${d.x},${d.y})`);
  g.select('circle')
    .attr('r', (d) => 14 + 10 * Math.sqrt(Math.min(d.n.capacity, 16)))
    .attr('fill', (d) => (d.n.stale ? '#b9bec9' : color(d.n.load.cpu)))
    .attr('stroke', (d) => (d.n.state === 'OVERLOADED' ? '#b3261e' : d.n.state === 'DRAINING' ? '#a15c00' : '#1d2330'))
    .attr('stroke-width', (d) => (d.n.state === 'UP' ? 1.5 : 4))
    .attr('stroke-dasharray', (d) => (d.n.state === 'DRAINING' ? '6 4' : null));
  g.select('text.name').attr('dy', (d) => 30 + 10 * Math.sqrt(Math.min(d.n.capacity, 16)) - 4)
    .text((d) => d.n.name + (d.n.self ? ' (this node)' : ''));
  g.select('text.detail').attr('dy', 4).text((d) => pct(d.n.load.cpu));
}

// The CPU chart spans at least this much: with one or two samples Chart.js would otherwise stretch a
// zero-width range to years (the first snapshot) or label sub-second ticks with the same second.
const MIN_SPAN_MS = 30 * 1000;
const PALETTE = ['#3b6fd8', '#d8553b', '#2e9d5b', '#9b59d0', '#e0a526', '#1fa3a3', '#c8378f', '#6b7280'];
const colours = new Map();           // node name -> line colour

// Chart.js would colour lines by position, so every line after a node that left would change colour.
function colourOf(name) {
  if (!colours.has(name)) {
    const used = new Set(colours.values());
    colours.set(name, PALETTE.find((c) => !used.has(c)) || PALETTE[colours.size % PALETTE.length]);
  }
  return colours.get(name);
}

function loadHistory(s) {
  const now = s.at;
  for (const n of s.nodes) {
    const points = history.get(n.name) || [];
    points.push({ x: now, y: Math.round(n.load.cpu * 1000) / 10 });
    while (points.length && points[0].x < now - HISTORY_MS) points.shift();
    history.set(n.name, points);
  }
  for (const name of [...history.keys()]) {
    if (!s.nodes.some((n) => n.name === name)) { history.delete(name); colours.delete(name); }
  }
  const datasets = [...history.entries()].map(([name, data]) => ({
    label: name, data, borderWidth: 2, borderColor: colourOf(name), backgroundColor: colourOf(name),
    // A line needs two samples: the newest one is a dot, so a node shows from its first sample on.
    pointRadius: (ctx) => (ctx.dataIndex === data.length - 1 ? 3 : 0),
    // The newest dot sits on the plot's right edge, an idle node's line on its bottom: unclipped,
    // neither is cut in half.
    clip: false,
  }));
  const oldest = Math.min(now, ...datasets.map((d) => d.data[0].x));
  const x = {
    type: 'linear', min: Math.min(oldest, now - MIN_SPAN_MS), max: now,
    ticks: { callback: (v) => new Date(v).toLocaleTimeString(), maxTicksLimit: 5 },
  };
  if (!loadChart) {
    loadChart = new Chart(document.getElementById('load-chart'), {
      type: 'line', data: { datasets },
      options: {
        animation: false, maintainAspectRatio: false, parsing: false,
        scales: { x, y: { min: 0, suggestedMax: 100, title: { display: true, text: 'CPU %' } } },
      },
    });
  } else {
    loadChart.data.datasets = datasets;
    loadChart.options.scales.x = x;
    loadChart.update('none');
  }
}

function laneTable(lanes) {
  const t = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'lane'), el('th', { class: 'num' }, 'queued'),
    el('th', { class: 'num' }, 'flight'), el('th', { class: 'num' }, 'sent'), el('th', { class: 'num' }, 'shed'))));
  const body = el('tbody');
  for (const lane of LANES) {
    const l = lanes[lane] || {};
    body.append(el('tr', { 'data-lane': lane }, el('td', {}, lane), el('td', { class: 'num' }, bytes(l.queuedBytes)),
      el('td', { class: 'num' }, bytes(l.inFlightBytes)),
      el('td', { class: 'num', title: String(l.sent || 0) }, count(l.sent)),
      el('td', { class: 'num', title: String(l.shed || 0) }, count(l.shed))));
  }
  t.append(body);
  return t;
}

const cards = new Map();             // node id -> {card, body}: kept across snapshots, so buttons stay clickable

function nodes(list, modelList) {
  const box = document.getElementById('nodes');
  for (const [id, c] of cards) if (!list.some((n) => n.nodeId === id)) { c.card.remove(); cards.delete(id); }
  for (const n of list) {
    let c = cards.get(n.nodeId);
    if (!c) {
      const drain = el('button', { class: 'drain', 'data-node-id': n.nodeId, type: 'button' }, 'Drain');
      drain.onclick = () => adminDrain(n);
      const body = el('div');
      c = { card: el('div', { 'data-node-card': n.name }, body, drain), body };
      cards.set(n.nodeId, c);
    }
    c.card.className = `node-card ${n.state}`;
    box.append(c.card);                 // (re)appended in the view's order
    const services = n.traffic.services.filter((x) => !x.startsWith('netflow.'));
    const held = modelList.flatMap((m) => (m.nodes || []).filter((h) => h.nodeId === n.nodeId)
      .map((h) => `${m.name} ${m.version} (${h.state.toLowerCase()})`));
    c.body.replaceChildren(
      el('h3', {}, el('span', {}, n.name), el('span', { class: `state ${n.state}` }, n.unreachable ? 'UNREACHABLE' : n.stale ? 'STALE' : n.state)),
      el('p', { class: 'meta' }, `${n.role} · ${n.region} · capacity ${n.capacity} · CPU ${pct(n.load.cpu)} · ` +
        `heap ${mib(n.load.heapUsedBytes)} · report ${n.ageMs} ms old`),
      el('p', { class: 'meta' }, `admission ${n.traffic.inFlight}/${n.traffic.concurrencyLimit} · services: ` +
        (services.length ? services.join(', ') : 'none') + (n.traffic.topics ? ` · topics: ${n.traffic.topics}` : '')),
      el('p', { class: 'meta' }, 'models: ' + (held.length ? held.join(', ') : 'none')),
      laneTable(n.traffic.lanes || {}));
  }
}

function models(list) {
  const box = document.getElementById('models');
  if (!list.length) {
    box.replaceChildren(el('p', { class: 'empty' }, 'No model versions yet.'));
    return;
  }
  box.replaceChildren(...list.map((m) => {
    const rows = (m.nodes || []).map((h) => {
      const done = h.total ? h.held / h.total : 0;
      return el('tr', { 'data-model-node': h.nodeName },
        el('td', {}, h.nodeName || h.node), el('td', {}, h.state),
        el('td', {}, el('div', { class: 'bar' + (done >= 1 ? ' done' : ''), 'data-model-progress': Math.round(done * 100) },
          el('span', { style: `width:${Math.round(done * 100)}%` }))),
        el('td', { class: 'num' }, `${h.held}/${h.total}`));
    });
    const t = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'node'), el('th', {}, 'state'),
      el('th', {}, 'progress'), el('th', { class: 'num' }, 'chunks'))), el('tbody', {}, ...rows));
    return el('div', { 'data-model': `${m.name}/${m.version}` },
      el('h3', {}, `${m.name} ${m.version}` + (m.desired ? ' (desired)' : '')),
      el('p', { class: 'meta' }, `${mib(m.size)} · ${m.chunks} chunks · signed by ${m.keyId}`),
      devices(m), t);
  }));
}

/** How many devices run this version (an estimate) and, while devices move to it, how far its waves are open. */
function devices(m) {
  if (m.devices === undefined) {
    return el('p', { class: 'meta' }, 'devices: unknown');
  }
  const w = m.deviceWaves;
  const waves = !w ? '' : w.aborted ? ' · waves aborted'
    : ` · waves ${w.openPercent}% open` + (w.pausedAt ? ' (paused)' : '');
  return el('p', { class: 'meta', 'data-model-devices': m.devices },
    `devices running it: ~${m.devices}` + waves);
}

function work(w) {
  const box = document.getElementById('work');
  if (!w.QUEUED) {
    box.replaceChildren(el('p', { class: 'empty' }, 'Scheduler starting…'));
    return;
  }
  const classes = ['REALTIME', 'NORMAL', 'BULK'];
  box.replaceChildren(el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, ''), ...classes.map((c) => el('th', { class: 'num' }, c)))),
    el('tbody', {}, ...['QUEUED', 'RUNNING'].map((state) => el('tr', { 'data-work-state': state }, el('td', {}, state.toLowerCase()),
      ...classes.map((c) => el('td', { class: 'num' }, w[state][c])))))),
    el('p', { class: 'meta' }, `this node runs ${w.runningHere}; it admits ${w.limitHere} NORMAL/BULK item(s) at once now`));
}

function rewards(r) {
  const windows = r.windows || [];
  const labels = windows.map((w) => new Date(w.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  const data = windows.map((w) => w.multiplier);
  const y = { min: 0, suggestedMax: r.maxMultiplier || 3 };
  if (!rewardsChart) {
    rewardsChart = new Chart(document.getElementById('rewards-chart'), {
      type: 'bar', data: { labels, datasets: [{ label: 'multiplier', data, backgroundColor: '#3b6fd8' }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y } },
    });
  } else {
    rewardsChart.data.labels = labels;
    rewardsChart.data.datasets[0].data = data;
    rewardsChart.options.scales.y = y;
    rewardsChart.update('none');
  }
  const note = document.getElementById('rewards-note');
  note.textContent = rewardsNote(r, windows);
  note.hidden = !note.textContent;
}

// Bars alone do not say why they are missing or all alike; the planner pays the minimum everywhere
// until load history shows quieter windows (or when load is flat), so a flat chart is expected.
function rewardsNote(r, windows) {
  if (!windows.length) {
    return 'No reward schedule from this node yet' + (r.unavailable ? `: ${r.unavailable}.` : '.');
  }
  if (windows.every((w) => w.multiplier <= r.minMultiplier + 1e-9)) {
    return `No load history yet (or flat load): every window pays the minimum, ×${r.minMultiplier}.`;
  }
  return '';
}

function events(list) {
  document.getElementById('events').replaceChildren(...list.map((e) =>
    el('li', { class: e.kind }, el('time', {}, time(e.at)), e.text)));
}

function adminDrain(node) {
  const key = document.getElementById('admin-key').value.trim();
  const result = document.getElementById('admin-result');
  fetch(`../v1/nodes/${encodeURIComponent(node.nodeId)}/drain`, {
    method: 'POST', headers: key ? { Authorization: `Bearer ${key}` } : {},
  }).then(async (r) => {
    const body = await r.json().catch(() => ({}));
    if (r.ok) {
      result.className = 'ok';
      result.textContent = `${node.name} is draining.`;
    } else {
      result.className = 'error';
      result.textContent = `Drain refused (${r.status} ${body.error || ''}): ${body.message || 'no message'}`;
    }
  }).catch((e) => {
    result.className = 'error';
    result.textContent = `Drain failed: ${e}`;
  });
}

function adminResult(ok, text) {
  const result = document.getElementById('admin-result');
  result.className = ok ? 'ok' : 'error';
  result.textContent = text;
}

document.getElementById('upload').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = e.target.elements;
  const file = f.file.files[0];
  const key = document.getElementById('admin-key').value.trim();
  const headers = {
    'X-Netflow-Size': String(file.size), 'X-Netflow-Key-Id': f.keyId.value.trim(),
    'X-Netflow-Signature': f.signature.value.trim(), 'X-Netflow-Chunk-Size': f.chunkSize.value,
  };
  if (key) headers.Authorization = `Bearer ${key}`;
  adminResult(true, `Uploading ${file.name} (${bytes(file.size)})…`);
  fetch(`../v1/models/${encodeURIComponent(f.name.value)}/${encodeURIComponent(f.version.value)}`,
    { method: 'PUT', headers, body: file })
    .then(async (r) => {
      const body = await r.json().catch(() => ({}));
      if (r.status === 201) adminResult(true, `Published ${body.name} ${body.version}: ${body.chunks} chunks, rolling out.`);
      else adminResult(false, `Upload refused (${r.status} ${body.error || ''}): ${body.message || 'no message'}`);
    })
    .catch((err) => adminResult(false, `Upload failed: ${err}`));
});

const stored = sessionStorage.getItem('netflow.adminKey');
if (stored) document.getElementById('admin-key').value = stored;
document.getElementById('admin-key').addEventListener('change', (e) => sessionStorage.setItem('netflow.adminKey', e.target.value));
connect();
