/*
 * charts.js — SVG drawings for the explorer: bar and line charts, and the provenance
 * graph. Every label is set with textContent (ledger strings are never parsed as
 * markup). Exposes window.YC_CHARTS = {bars, line, graph}.
 */
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';

  function el(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const k in attrs || {}) {
      if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) {
      if (m * p >= v) return m * p;
    }
    return 10 * p;
  }

  function frame(w, h, title) {
    const svg = el('svg', {class: 'chart', viewBox: '0 0 ' + w + ' ' + h, role: 'img',
      preserveAspectRatio: 'xMidYMid meet'});
    if (title) svg.appendChild(el('title', {}, title));
    return svg;
  }

  function yAxis(svg, L, T, W, H, max, fmt) {
    for (let i = 0; i <= 4; i++) {
      const v = max * i / 4;
      const y = T + H - H * i / 4;
      svg.appendChild(el('line', {class: i ? 'grid-line' : 'axis', x1: L, x2: L + W, y1: y, y2: y}));
      svg.appendChild(el('text', {x: L - 6, y: y + 4, 'text-anchor': 'end'}, fmt(v)));
    }
  }

  /*
   * Bars: opts.points [{label, value, title}], opts.fmt(value) for the axis and tips.
   * Each bar carries data-value and data-label.
   */
  function bars(opts) {
    const w = opts.width || 640, h = opts.height || 220;
    const L = 56, R = 12, T = 14, B = 34, W = w - L - R, H = h - T - B;
    const pts = opts.points || [];
    const fmt = opts.fmt || (v => String(Math.round(v * 100) / 100));
    const max = niceMax(Math.max(0, ...pts.map(p => p.value)));
    const svg = frame(w, h, opts.title);
    yAxis(svg, L, T, W, H, max, fmt);
    const n = Math.max(1, pts.length), slot = W / n, bw = Math.max(2, slot * 0.68);
    const every = Math.max(1, Math.ceil(n / 10));
    pts.forEach((p, i) => {
      const bh = H * p.value / max;
      const x = L + slot * i + (slot - bw) / 2;
      const r = el('rect', {class: 'bar', x: x, y: T + H - bh, width: bw, height: Math.max(bh, 0),
        'data-value': p.value, 'data-label': p.label});
      r.appendChild(el('title', {}, (p.title || p.label) + ': ' + fmt(p.value)));
      svg.appendChild(r);
      if (i % every === 0)
        svg.appendChild(el('text', {x: x + bw / 2, y: T + H + 16, 'text-anchor': 'middle'}, p.label));
    });
    return svg;
  }

  /*
   * A line with its points: opts.points [{label, value, data: {k: v}}]; each point is a
   * <circle class="pt"> carrying data-value, data-label and data-<k> for each data key,
   * and its value printed above it.
   */
  function line(opts) {
    const w = opts.width || 640, h = opts.height || 220;
    const L = 64, R = 24, T = 22, B = 34, W = w - L - R, H = h - T - B;
    const pts = opts.points || [];
    const fmt = opts.fmt || (v => String(v));
    const max = niceMax(Math.max(0, ...pts.map(p => p.value)));
    const svg = frame(w, h, opts.title);
    yAxis(svg, L, T, W, H, max, opts.axisFmt || fmt);
    const n = pts.length;
    const xs = pts.map((p, i) => n === 1 ? L + W / 2 : L + W * i / (n - 1));
    const ys = pts.map(p => T + H - H * p.value / max);
    if (n > 1)
      svg.appendChild(el('polyline', {class: 'line', points: xs.map((x, i) => x + ',' + ys[i]).join(' ')}));
    const every = Math.max(1, Math.ceil(n / 8));
    pts.forEach((p, i) => {
      const attrs = {class: 'pt', cx: xs[i], cy: ys[i], r: 4.5, 'data-value': p.value, 'data-label': p.label};
      for (const k in p.data || {}) attrs['data-' + k] = p.data[k];
      const c = el('circle', attrs);
      c.appendChild(el('title', {}, p.label + ': ' + fmt(p.value)));
      svg.appendChild(c);
      if (n <= 8) svg.appendChild(el('text', {class: 'val', x: xs[i], y: ys[i] - 9, 'text-anchor': 'middle'}, fmt(p.value)));
      if (i % every === 0 || i === n - 1)
        svg.appendChild(el('text', {x: xs[i], y: T + H + 16, 'text-anchor': 'middle'}, p.label));
    });
    return svg;
  }

  function clip(s, n) {
    s = String(s || '');
    return s.length > n ? s.slice(0, n - 1) + '…' : s;
  }

  /*
   * The provenance graph: nodes [{id, kind: self|ancestor|descendant|agent, col, title,
   * sub, href}], edges [{from, to, label}]. Columns left to right by `col`; a node is an
   * <a> (when it has href) around a <g class="node KIND" data-id=…>.
   */
  function graph(nodes, edges, opts) {
    const NW = 210, NH = 50, GX = 90, GY = 22, PAD = 24;
    const cols = [...new Set(nodes.map(n => n.col))].sort((a, b) => a - b);
    const pos = new Map();
    let rows = 0;
    cols.forEach((c, ci) => {
      const inCol = nodes.filter(n => n.col === c);
      rows = Math.max(rows, inCol.length);
      inCol.forEach((n, ri) => pos.set(n.id, {x: PAD + ci * (NW + GX), ci: ci, ri: ri, n: inCol.length}));
    });
    /* edges that skip a column arc over the nodes between, through a top margin */
    const long = e => pos.has(e.from) && pos.has(e.to) && Math.abs(pos.get(e.from).ci - pos.get(e.to).ci) > 1;
    const TOP = PAD + (edges.some(long) ? 56 : 0);
    const height = TOP + PAD + rows * NH + (rows - 1) * GY;
    for (const [, p] of pos) {
      const colH = p.n * NH + (p.n - 1) * GY;
      p.y = TOP + (rows * NH + (rows - 1) * GY - colH) / 2 + p.ri * (NH + GY);
    }
    const width = PAD * 2 + cols.length * NW + (cols.length - 1) * GX;
    const svg = el('svg', {class: 'graph', viewBox: '0 0 ' + width + ' ' + height, role: 'img',
      width: width, 'data-nodes': nodes.length, 'data-edges': edges.length});
    svg.appendChild(el('title', {}, (opts && opts.title) || 'provenance'));
    const defs = el('defs');
    const mk = el('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
      markerHeight: 7, orient: 'auto-start-reverse'});
    mk.appendChild(el('path', {d: 'M0,0 L10,5 L0,10 z', fill: '#9aa8b8'}));
    defs.appendChild(mk);
    svg.appendChild(defs);
    const labels = [];
    for (const e of edges) {
      const a = pos.get(e.from), b = pos.get(e.to);
      if (!a || !b) continue;
      let x1 = a.x + NW, y1 = a.y + NH / 2, x2 = b.x, y2 = b.y + NH / 2;
      if (b.x < a.x) { x1 = a.x; x2 = b.x + NW; }
      const mx = (x1 + x2) / 2;
      let d, ly;
      if (long(e)) {
        x1 = a.x + NW / 2; y1 = a.y; x2 = b.x + NW / 2; y2 = b.y;
        const top = PAD / 2 - 4;
        d = 'M' + x1 + ',' + y1 + ' C' + x1 + ',' + top + ' ' + x2 + ',' + top + ' ' + x2 + ',' + y2;
        ly = 0.125 * (y1 + y2) + 0.75 * top - 4;
      } else {
        d = 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2;
        ly = (y1 + y2) / 2 - 5;
      }
      svg.appendChild(el('path', {class: 'edge', d: d, 'marker-end': 'url(#arrow)', 'data-from': e.from, 'data-to': e.to}));
      if (e.label)
        labels.push(el('text', {class: 'edge-label', x: (x1 + x2) / 2, y: ly, 'text-anchor': 'middle'}, e.label));
    }
    for (const n of nodes) {
      const p = pos.get(n.id);
      const g = el('g', {class: 'node ' + n.kind, 'data-id': n.id, transform: 'translate(' + p.x + ',' + p.y + ')'});
      g.appendChild(el('rect', {width: NW, height: NH, rx: 7}));
      g.appendChild(el('text', {x: 10, y: 20}, clip(n.title, 28)));
      g.appendChild(el('text', {class: 'sub', x: 10, y: 38}, clip(n.sub, 34)));
      const t = el('title', {}, n.tip || n.title);
      g.appendChild(t);
      if (n.href) {
        const a = el('a', {href: n.href});
        a.appendChild(g);
        svg.appendChild(a);
      } else {
        svg.appendChild(g);
      }
    }
    labels.forEach(l => svg.appendChild(l));
    return svg;
  }

  window.YC_CHARTS = {bars: bars, line: line, graph: graph};
})();
