'use strict';
// Polls this node's view of the mesh once a second and renders it.
const statusEl = document.getElementById('status');
const tbody = document.getElementById('nodes');

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function render(view) {
  statusEl.className = '';
  statusEl.textContent = `node ${view.self} · cluster of ${view.clusterSize} · updated ${new Date().toLocaleTimeString()}`;
  tbody.replaceChildren(...view.nodes.map(n => {
    const tr = document.createElement('tr');
    if (n.stale) tr.className = 'stale';
    const r = n.load || {};
    const services = ((n.traffic || {}).services || []).join(', ') || '-';
    tr.append(cell(n.name + (n.nodeId === view.self ? ' (this node)' : '')), cell(n.role),
      cell(n.region, 'wide'), cell(n.stale ? 'STALE' : n.state, n.state),
      cell(r.cpu === undefined ? '-' : Math.round(r.cpu * 100) + '%', 'wide'),
      cell(r.heapUsedBytes === undefined ? '-' : Math.round(r.heapUsedBytes / 1048576) + ' MiB', 'wide'),
      cell(services, 'wide'), cell(n.ageMs === undefined ? '-' : n.ageMs + ' ms'));
    return tr;
  }));
}

async function poll() {
  try {
    const res = await fetch('/v1/mesh/nodes', { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    render(await res.json());
  } catch (e) {
    statusEl.className = 'lost';
    statusEl.textContent = 'lost contact with this node (' + e.message + '), retrying…';
  }
}

poll();
setInterval(poll, 1000);
