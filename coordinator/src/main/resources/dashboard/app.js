// The coordinator's dashboard: polls /api/pressure and /api/kills once a second and redraws in place (no reload);
// a pasted OOM report is posted to /api/explain. It fetches nothing but those from the coordinator that served it.
'use strict';

const POLL_MS = 1000;
const PSI_POINTS = 300; // 5 minutes of avg10 samples at one a second
const opened = new Set();
const psiHistory = [];
let lastKills = '';
let lastKillsList = [];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  children.forEach(c => e.append(c === null || c === undefined ? '' : c));
  return e;
}

const fmt = n => (n === null || n === undefined ? '-' : Number(n).toLocaleString('en-US'));
const pct = n => (n === null || n === undefined ? '-' : Number(n).toFixed(2) + '%');
const utc = ms => (ms ? new Date(ms).toISOString().substring(11, 23) : '-');

function card(k, v, cls) {
  return el('div', { class: 'card' }, el('div', { class: 'k' }, k), el('div', { class: 'v ' + (cls || '') }, v));
}

function lvl(level) {
  return level ? el('span', { class: 'lvl ' + level }, level) : '-';
}

function renderCards(c) {
  const box = document.getElementById('cards');
  if (!c) {
    box.replaceChildren(el('span', { class: 'empty' }, 'no cluster view yet: no node has reported'));
    return;
  }
  const lock = c.lock;
  const holder = lock && lock.holder ? lock.holder.contender : 'free';
  const kw = c.killWindows;
  box.replaceChildren(
    card('nodes', fmt(c.nodes)),
    card('free / managed pages', fmt(c.freePages) + ' / ' + fmt(c.managedPages)),
    card('worst level', lvl(c.level)),
    card('kills', fmt(c.kills) + (kw ? ' (' + fmt(kw.lastMinute) + ' last min)' : '')),
    card('psi some / full avg10', c.psi ? pct(c.psi.some.avg10) + ' / ' + pct(c.psi.full.avg10) : '-'),
    card('oom_lock', holder),
    card('dead letters', fmt((c.deadLetters || []).reduce((s, d) => s + d.count, 0))));
}

function scaled(v, max) {
  return (max > 0 ? Math.max(0, Math.min(100, 100 * v / max)) : 0) + '%';
}

function bar(z, max, title) {
  const b = el('div', { class: 'bar', title: title });
  const fill = el('span', { class: 'fill ' + z.level });
  fill.style.width = scaled(z.freePages, max);
  b.append(fill);
  [['min', z.watermarkMin], ['low', z.watermarkLow], ['high', z.watermarkHigh]].forEach(([name, v]) => {
    if (v <= max) {
      const m = el('span', { class: 'mark ' + name, title: name + ' watermark: ' + fmt(v) + ' pages' });
      m.style.left = scaled(v, max);
      b.append(m);
    }
  });
  return b;
}

// The highest order with a free block: how large an allocation can still succeed without compaction.
function largestFreeOrder(z) {
  const nr = z.nrFree || [];
  for (let o = nr.length - 1; o >= 0; o--) {
    if (nr[o] > 0) {
      return o;
    }
  }
  return -1;
}

function renderNodes(nodes) {
  const box = document.getElementById('nodes');
  if (nodes.length === 0) {
    box.replaceChildren(el('span', { class: 'empty' }, 'no node has reported yet'));
    return;
  }
  const rows = [];
  nodes.forEach(n => (n.zones || []).forEach(z => {
    const order = largestFreeOrder(z);
    rows.push(el('div', { class: 'zone', 'data-node': String(n.node), 'data-zone': z.zone },
      el('span', { class: 'mono' }, n.scope + ' ' + z.zone),
      bar(z, z.managedPages, fmt(z.freePages) + ' of ' + fmt(z.managedPages) + ' pages free'),
      bar(z, 2 * z.watermarkHigh, 'free ' + fmt(z.freePages) + '; min ' + fmt(z.watermarkMin) + ', low '
          + fmt(z.watermarkLow) + ', high ' + fmt(z.watermarkHigh)),
      el('span', { title: 'free blocks per order 0..10: ' + (z.nrFree || []).join(' ') },
        lvl(z.level), ' ', el('span', { class: 'mono' }, fmt(z.freePages) + '/' + fmt(z.managedPages)),
        ' free, largest free order ' + (order < 0 ? '-' : order))));
  }));
  box.replaceChildren(...rows);
}

function renderPsi(c, nodes) {
  if (c && c.psi) {
    psiHistory.push([c.psi.some.avg10, c.psi.full.avg10]);
    if (psiHistory.length > PSI_POINTS) {
      psiHistory.shift();
    }
  }
  const svg = document.getElementById('psi');
  const w = 420, h = 120, top = Math.max(10, ...psiHistory.map(p => Math.max(p[0], p[1])));
  const ns = 'http://www.w3.org/2000/svg'; // the SVG namespace name, not a fetched address
  const line = (i, cls) => {
    const p = document.createElementNS(ns, 'polyline');
    p.setAttribute('class', cls);
    p.setAttribute('points', psiHistory.map((s, x) => ((x / (PSI_POINTS - 1)) * w).toFixed(1) + ','
        + (h - 14 - (s[i] / top) * (h - 24)).toFixed(1)).join(' '));
    return p;
  };
  const label = (y, text) => {
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', '4');
    t.setAttribute('y', String(y));
    t.textContent = text;
    return t;
  };
  svg.replaceChildren(line(0, 'some'), line(1, 'full'), label(12, top.toFixed(0) + '%'), label(h - 2, '0%'));
  const rows = [];
  const row = v => el('tr', {}, el('td', { class: 'mono' }, v.scope),
    el('td', { class: 'num' }, v.psi ? [v.psi.some.avg10, v.psi.some.avg60, v.psi.some.avg300].map(pct).join(' ') : '-'),
    el('td', { class: 'num' }, v.psi ? [v.psi.full.avg10, v.psi.full.avg60, v.psi.full.avg300].map(pct).join(' ') : '-'));
  if (c) {
    rows.push(row(c));
  }
  nodes.forEach(n => rows.push(row(n)));
  document.querySelector('#psi-table tbody').replaceChildren(...rows);
}

function kv(k, v) {
  return el('tr', {}, el('th', {}, k), el('td', { class: 'num' }, v));
}

function renderPaths(c) {
  const a = c && c.allocations;
  const body = document.querySelector('#paths tbody');
  if (!a) {
    body.replaceChildren(el('tr', {}, el('td', { class: 'empty' }, 'no allocation outcome yet')));
    return;
  }
  const r = a.perSecond, t = a.totals;
  body.replaceChildren(
    el('tr', {}, el('th', {}, 'path'), el('th', { class: 'num' }, '/s'), el('th', { class: 'num' }, 'total')),
    ...[['fast path', 'fastPath'], ['slow path', 'slowPath'], ['reclaim', 'reclaim'], ['may_oom', 'mayOom'],
      ['nopage', 'nopage']].map(([name, key]) => el('tr', {}, el('td', {}, name),
      el('td', { class: 'num' }, r[key].toFixed(1)), el('td', { class: 'num' }, fmt(t[key])))),
    el('tr', {}, el('td', {}, 'retries'), el('td', {}), el('td', { class: 'num' }, fmt(a.retries))),
    el('tr', {}, el('td', {}, 'stall'), el('td', {}), el('td', { class: 'num' }, fmt(a.stallMs) + ' ms')));
}

function renderLock(c) {
  const l = c && c.lock;
  const body = document.querySelector('#lock tbody');
  if (!l) {
    body.replaceChildren(el('tr', {}, el('td', { class: 'empty' }, 'no claim on the lock yet')));
    return;
  }
  const holder = l.holder ? l.holder.contender + ' (token ' + l.holder.token + ', since ' + utc(l.holder.sinceMs) + ')'
      : 'free';
  body.replaceChildren(kv('holder', holder), kv('grants', fmt(l.grants)), kv('takeovers (lease expired)',
    fmt(l.takeovers)), kv('trylock failures', fmt(l.trylockFailures) + ' (' + l.trylockFailuresPerSecond.toFixed(1)
    + '/s)'), kv('hold last / mean / max', fmt(l.lastHoldMs) + ' / ' + l.meanHoldMs.toFixed(0) + ' / '
    + fmt(l.maxHoldMs) + ' ms'));
}

function renderDeadLetters(c) {
  const body = document.querySelector('#dead-letters tbody');
  const dl = (c && c.deadLetters) || [];
  if (dl.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '5', class: 'empty' }, 'none')));
    return;
  }
  body.replaceChildren(...dl.map(d => el('tr', { class: 'dead-letter' }, el('td', { class: 'mono' }, d.sourceTopic),
    el('td', {}, d.reason), el('td', { class: 'num' }, fmt(d.count)), el('td', {}, utc(d.lastAtMs)),
    el('td', {}, d.lastDetail))));
}

function explanation(k) {
  const lines = ['victim ' + k.victimPid + ' (' + k.victimComm + '), uid ' + k.victimUid + ', ' + k.points
      + ' points (chosen ' + k.chosenPid + '), constraint ' + k.constraint,
    'invoked by ' + (k.invokingComm || '?') + ' (pid ' + k.invokingPid + ') on node ' + k.invokingNode + ', order '
      + k.order + ', gfp_mask 0x' + Number(k.gfpMask).toString(16) + ', oom_lock token ' + k.lockToken, '',
    'top candidates (best first):'];
  (k.candidates || []).forEach(c => lines.push('  ' + c.pid + ' ' + c.comm + ': ' + c.points + ' points'));
  if ((k.signalled || []).length) {
    lines.push('', 'also signalled (sharing the mm): ' + k.signalled.join(', '));
  }
  if ((k.log || []).length) {
    lines.push('', 'kernel log:');
    k.log.forEach(l => lines.push('  ' + l));
  }
  return lines.join('\n');
}

function renderKills(kills) {
  const body = document.querySelector('#kills tbody');
  if (kills.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '6', class: 'empty' }, 'no kill yet')));
    return;
  }
  const rows = [];
  kills.forEach(k => {
    const id = k.requestId + '@' + k.timestampMs;
    const open = opened.has(id);
    const top = (k.candidates || []).slice(0, 3).map(c => c.comm + ' ' + c.points).join(', ');
    const row = el('tr', { class: 'kill' + (open ? ' open' : ''), 'data-kill': id },
      el('td', { class: 'mono' }, utc(k.timestampMs)), el('td', {}, k.victimPid + ' ' + k.victimComm),
      el('td', {}, String(k.invokingNode)), el('td', {}, k.constraint), el('td', { class: 'num' }, fmt(k.points)),
      el('td', {}, top));
    row.addEventListener('click', () => {
      if (opened.has(id)) {
        opened.delete(id);
      } else {
        opened.add(id);
      }
      renderKills(lastKillsList);
    });
    rows.push(row);
    if (open) {
      rows.push(el('tr', { class: 'explanation' },
        el('td', { colspan: '6' }, el('pre', { class: 'explanation' }, explanation(k)))));
    }
  });
  body.replaceChildren(...rows);
}

function renderKillSummary(c) {
  const kw = c && c.killWindows;
  document.getElementById('kill-summary').textContent = kw ? 'last closed minute: ' + fmt(kw.lastMinute)
      + ' · per minute over 5 min: ' + kw.perMinuteOver5m.toFixed(2) + ' · by constraint: '
      + (Object.entries(kw.byConstraint).map(([k, v]) => k + ' ' + v).join(', ') || '-')
      + (kw.lateDropped ? ' · dead-lettered as too late: ' + kw.lateDropped : '') : '';
}

async function poll() {
  const status = document.getElementById('status');
  try {
    const [p, k] = await Promise.all([fetch('api/pressure', { cache: 'no-store' }),
      fetch('api/kills?limit=50', { cache: 'no-store' })]);
    if (p.ok) {
      const pressure = await p.json();
      const nodes = pressure.nodes || [];
      renderCards(pressure.cluster);
      renderNodes(nodes);
      renderPsi(pressure.cluster, nodes);
      renderPaths(pressure.cluster);
      renderLock(pressure.cluster);
      renderKillSummary(pressure.cluster);
      renderDeadLetters(pressure.cluster);
    }
    if (k.ok) {
      const text = await k.text();
      if (text !== lastKills) {
        lastKills = text;
        lastKillsList = JSON.parse(text).kills || [];
        renderKills(lastKillsList);
      }
    }
    if (p.ok && k.ok) {
      status.className = 'live';
      status.textContent = 'live, updated ' + new Date().toISOString().substring(11, 19) + ' UTC';
    } else {
      const bad = p.ok ? k : p;
      const body = await bad.json().catch(() => ({}));
      status.className = 'down';
      status.textContent = 'coordinator answers ' + bad.status + (body.message ? ': ' + body.message : '');
    }
  } catch (e) {
    status.className = 'down';
    status.textContent = 'coordinator unreachable: ' + e;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();

// ---- Explain a pasted OOM report (POST /api/explain) ----------------------------------------------------------------

function explainedReport(r) {
  const box = el('div', { class: 'verdict', 'data-report-line': String(r.report_line) });
  if (r.error) {
    box.append(el('div', { class: 'err' }, 'report at line ' + r.report_line + ': ' + r.error));
    return box;
  }
  const k = r.kernel || {};
  const m = r.model || {};
  box.append(el('div', {},
    'report at line ' + r.report_line + ' (' + r.era + ', profile ' + r.profile + '): the kernel killed ',
    el('b', { class: 'kernel-victim' }, String(k.victim)), k.score === null ? '' : ' (score ' + k.score + ')',
    '; the model kills ', el('b', { class: 'model-victim' }, String(m.victim) + ' ' + (m.comm || '')),
    m.score === null || m.score === undefined ? '' : ' (score ' + m.score + ')', ' — ',
    r.matches_kernel ? el('span', { class: 'ok' }, 'same decision') : el('span', { class: 'no' }, 'differs')));
  const cands = r.candidates || [];
  const top = cands.length ? Number(cands[0].points) : 0;
  const table = el('table', { class: 'candidates' }, el('thead', {}, el('tr', {}, el('th', {}, 'pid'),
    el('th', {}, 'comm'), el('th', { class: 'num' }, 'points'), el('th', {}, ''), el('th', { class: 'num' }, 'score'),
    el('th', { class: 'num' }, 'rss'), el('th', { class: 'num' }, 'swap'), el('th', { class: 'num' }, 'page tables'),
    el('th', { class: 'num' }, 'adj term'))));
  const body = el('tbody');
  cands.forEach(c => {
    const w = el('span', { class: 'pts' });
    w.style.width = (top > 0 ? Math.max(1, Math.round(160 * Number(c.points) / top)) : 0) + 'px';
    body.append(el('tr', {}, el('td', { class: 'num' }, String(c.pid)), el('td', {}, c.comm),
      el('td', { class: 'num' }, fmt(c.points)), el('td', {}, w), el('td', { class: 'num' }, fmt(c.score)),
      el('td', { class: 'num' }, fmt(c.rss)), el('td', { class: 'num' }, fmt(c.swapents)),
      el('td', { class: 'num' }, fmt(c.pagetables)), el('td', { class: 'num' }, fmt(c.adj_term))));
  });
  table.append(body);
  box.append(table);
  if (r.what_if) {
    const w = r.what_if.model || {};
    box.append(el('div', { class: 'what-if' }, 'what if ' + r.what_if.what_if + ': the model kills ',
      el('b', { class: 'what-if-victim' }, String(w.victim) + ' ' + (w.comm || ''))));
  }
  box.append(el('pre', { class: 'explanation' }, r.text));
  return box;
}

async function explain(ev) {
  ev.preventDefault();
  const out = document.getElementById('explain-result');
  const q = new URLSearchParams();
  [['set', 'explain-set'], ['kill', 'explain-kill'], ['profile', 'explain-profile'], ['add_swap', 'explain-swap']]
    .forEach(([name, id]) => { const v = document.getElementById(id).value.trim(); if (v) { q.set(name, v); } });
  out.replaceChildren(el('span', { class: 'empty' }, 'explaining…'));
  try {
    const res = await fetch('api/explain' + (q.toString() ? '?' + q : ''), {
      method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: document.getElementById('explain-text').value });
    const body = await res.json();
    if (!res.ok) {
      out.replaceChildren(el('div', { class: 'verdict' }, el('span', { class: 'err' },
        body.code + ': ' + body.message)));
      return;
    }
    out.replaceChildren(el('div', { class: 'legend' }, fmt(body.reports.length) + ' report(s) in ' + fmt(body.lines)
      + ' lines, ' + fmt(body.lines_outside_reports) + ' outside any report'), ...body.reports.map(explainedReport));
  } catch (e) {
    out.replaceChildren(el('span', { class: 'err' }, 'explain failed: ' + e));
  }
}

document.getElementById('explain-form').addEventListener('submit', explain);
