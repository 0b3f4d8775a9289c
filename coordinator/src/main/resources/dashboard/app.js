// The coordinator's dashboard: polls /api/pressure and /api/kills every second, no reload, no network beyond it.
'use strict';

const opened = new Set();

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  children.forEach(c => e.append(c));
  return e;
}

function zoneBar(z) {
  const bar = el('span', { class: 'bar', title: z.freePages + ' of ' + z.managedPages + ' pages free' });
  const pct = v => (z.managedPages > 0 ? Math.min(100, 100 * v / z.managedPages) : 0) + '%';
  const used = el('span', { class: 'used ' + z.level });
  used.style.width = pct(z.freePages);
  bar.append(used);
  [['min', z.watermarkMin], ['low', z.watermarkLow], ['high', z.watermarkHigh]].forEach(([name, v]) => {
    const m = el('span', { class: 'mark ' + name, title: name + ' watermark: ' + v + ' pages' });
    m.style.left = pct(v);
    bar.append(m);
  });
  return bar;
}

function renderNodes(nodes) {
  const box = document.getElementById('nodes');
  box.replaceChildren();
  if (nodes.length === 0) {
    box.append('no node has reported yet');
  }
  nodes.forEach(n => {
    (n.zones || []).forEach(z => {
      box.append(el('div', { class: 'node', 'data-node': String(n.node), 'data-zone': z.zone },
        el('span', { class: 'label' }, n.scope + ' ' + z.zone + ' ' + z.freePages + '/' + z.managedPages),
        zoneBar(z), el('span', { class: 'level' }, z.level)));
    });
  });
}

function renderCluster(c) {
  const box = document.getElementById('cluster');
  if (!c) {
    box.textContent = 'no cluster view yet';
    return;
  }
  const lock = c.lock;
  const holder = lock && lock.holder ? lock.holder.contender + ' (token ' + lock.holder.token + ')' : 'free';
  const psi = c.psi ? 'PSI some avg10 ' + c.psi.some.avg10.toFixed(2) + '%, full avg10 '
      + c.psi.full.avg10.toFixed(2) + '%' : 'PSI: -';
  const dead = (c.deadLetters || []).reduce((s, d) => s + d.count, 0);
  box.textContent = c.nodes + ' node(s), ' + c.freePages + '/' + c.managedPages + ' pages free, level '
      + (c.level || '-') + ', ' + c.kills + ' kill(s); ' + psi + '; oom_lock: ' + holder
      + (lock ? ', ' + lock.trylockFailures + ' trylock failures, ' + lock.takeovers + ' takeovers' : '')
      + '; dead letters: ' + dead;
}

function explanation(k) {
  const lines = ['victim ' + k.victimPid + ' (' + k.victimComm + '), points ' + k.points + ', constraint '
      + k.constraint + ', order ' + k.order + ' on node ' + k.invokingNode + ' by ' + k.invokingComm, '',
      'top candidates:'];
  (k.candidates || []).forEach(c => lines.push('  ' + c.pid + ' ' + c.comm + ': ' + c.points + ' points'));
  if ((k.log || []).length) {
    lines.push('', 'kernel log:');
    k.log.forEach(l => lines.push('  ' + l));
  }
  return lines.join('\n');
}

function renderKills(kills) {
  const body = document.querySelector('#kills tbody');
  body.replaceChildren();
  kills.forEach(k => {
    const id = k.requestId + '@' + k.timestampMs;
    const row = el('tr', { class: 'kill', 'data-kill': id },
      el('td', {}, new Date(k.timestampMs).toISOString().substring(11, 23)),
      el('td', {}, k.victimPid + ' ' + k.victimComm), el('td', {}, String(k.invokingNode)),
      el('td', {}, k.constraint), el('td', {}, String(k.points)));
    row.addEventListener('click', () => {
      if (opened.has(id)) { opened.delete(id); } else { opened.add(id); }
      renderKills(kills);
    });
    body.append(row);
    if (opened.has(id)) {
      body.append(el('tr', { class: 'explanation' },
        el('td', { colspan: '5' }, el('pre', { class: 'explanation' }, explanation(k)))));
    }
  });
}

let lastKills = '';

async function poll() {
  const status = document.getElementById('status');
  try {
    const [p, k] = await Promise.all([fetch('api/pressure'), fetch('api/kills?limit=50')]);
    if (p.ok) {
      const pressure = await p.json();
      renderNodes(pressure.nodes || []);
      renderCluster(pressure.cluster);
    }
    if (k.ok) {
      const text = await k.text();
      if (text !== lastKills) {
        lastKills = text;
        renderKills(JSON.parse(text).kills);
      }
    }
    status.textContent = p.ok && k.ok ? 'live, updated ' + new Date().toLocaleTimeString()
        : 'coordinator answers ' + p.status + ' (restoring?)';
  } catch (e) {
    status.textContent = 'coordinator unreachable: ' + e;
  }
}

poll();
setInterval(poll, 1000);
