/*
 * explorer.js — the Yuchain explorer: a read-only single-page application over the
 * node's own JSON-RPC (POST /, batches). Pages by URL fragment (docs/explorer.md):
 * #/ (chain), #/block/H, #/tx/ID, #/account/ADDR, #/asset/ID, #/market, #/supervision.
 *
 * Every string from the ledger enters the page as text (textContent or an SVG text
 * node), never as markup. Nothing is fetched from anywhere but this node. Failures are
 * shown in the page, never thrown to the console.
 */
'use strict';
(function () {
  const I18N = window.YC_I18N;
  const C = window.YC_CHARTS;
  const LANG_KEY = 'yc.lang';
  const SCAN_BLOCKS = 500;   /* market and supervision look this many recent blocks back */
  const SCAN_TXS = 1000;     /* … and at most this many of their transactions */
  const BATCH = 200;         /* calls per POST (the node takes up to [rpc] max_batch) */
  const REFRESH_MS = 15000;  /* the chain page refreshes itself */

  function storedLang() {
    try { return localStorage.getItem(LANG_KEY); } catch (e) { return null; }
  }
  let lang = storedLang() || ((navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en');
  if (!I18N[lang]) lang = 'en';

  const CODE_PREFIX = /^(st|type|role|grade|right|offer|credit|auth|alert)_/;
  function t(key, ...args) {
    let s = (I18N[lang] && I18N[lang][key]) || I18N.en[key];
    if (s === undefined) s = CODE_PREFIX.test(key) ? key.replace(CODE_PREFIX, '').replace(/_/g, ' ') : key;
    args.forEach((a, i) => { s = s.split('{' + i + '}').join(String(a)); });
    return s;
  }

  /* ---- DOM ---- */

  function h(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    add(e, kids);
    return e;
  }

  function add(e, kids) {
    for (const k of kids) {
      if (k === undefined || k === null || k === false) continue;
      if (Array.isArray(k)) add(e, k);
      else if (k instanceof Node) e.appendChild(k);
      else e.appendChild(document.createTextNode(String(k)));
    }
  }

  function card(title, ...kids) {
    return h('section', {class: 'card'}, title ? h('h2', {}, title) : null, ...kids);
  }

  function table(cols, rows, emptyText) {
    if (!rows.length) return h('p', {class: 'empty'}, emptyText || t('none'));
    return h('table', {},
      h('thead', {}, h('tr', {}, cols.map(c => h('th', {class: c.num ? 'num' : null}, c.label)))),
      h('tbody', {}, rows.map(r => h('tr', r.attrs || {},
        cols.map((c, i) => h('td', {class: c.num ? 'num' : c.cls || null}, r.cells[i]))))));
  }

  function kv(pairs) {
    return h('dl', {class: 'kv'}, pairs.filter(p => p).map(p => [h('dt', {}, p[0]), h('dd', {}, p[1])]));
  }

  function tile(label, value, hint, tone, id) {
    return h('div', {class: 'tile' + (tone ? ' ' + tone : ''), id: id || null},
      h('div', {class: 'label'}, label), h('div', {class: 'value'}, value),
      hint ? h('div', {class: 'hint'}, hint) : null);
  }

  const TONES = {
    good: ['active', 'committed', 'ok', 'certified', 'registered', 'open', 'good', 'healthy',
      'accepted', 'completed', 'approved', 'upheld', 'restored', 'released'],
    warn: ['pending', 'notice', 'warning', 'restricted', 'exhausted', 'expired', 'behind',
      'requested', 'enforced'],
    bad: ['revoked', 'failed', 'refused', 'frozen', 'void', 'retired', 'unreachable',
      'rejected', 'cancelled', 'dismissed'],
  };
  function badge(status, label) {
    let tone = TONES[status] || status === 'info' || status === 'primary' ? status : 'info';
    for (const k in TONES) if (TONES[k].includes(status)) tone = k;
    return h('span', {class: 'badge ' + tone, 'data-status': status}, label || t('st_' + status));
  }

  /* ---- formatting ---- */

  function short(s, a, b) {
    s = String(s || '');
    a = a || 8; b = b || 6;
    return s.length > a + b + 1 ? s.slice(0, a) + '…' + s.slice(-b) : s;
  }

  /* fen (decimal string) -> "1,234.56 yuan" */
  function yuan(fen) {
    if (fen === null || fen === undefined || fen === '') return '–';
    let v;
    try { v = BigInt(fen); } catch (e) { return String(fen); }
    const neg = v < 0n;
    if (neg) v = -v;
    const whole = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const cents = (v % 100n).toString().padStart(2, '0');
    return (neg ? '-' : '') + whole + '.' + cents + ' ' + t('yuan');
  }
  function yuanNum(fen) { return Number(fen) / 100; }

  function pad(n) { return String(n).padStart(2, '0'); }
  function when(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    if (isNaN(d)) return String(iso);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  /* a price index period: its UTC day */
  function day(p) {
    const ms = /^\d+$/.test(String(p.period_start || '')) ? Number(p.period_start) :
      /^\d+$/.test(String(p.period)) ? Number(p.period) : Date.parse(p.period_start);
    return isNaN(ms) ? String(p.period) : new Date(ms).toISOString().slice(0, 10);
  }
  function whenMs(ms) { return ms ? when(new Date(Number(ms)).toISOString()) : '–'; }
  function ago(ms) {
    const s = Math.max(0, Math.round((Date.now() - Number(ms)) / 1000));
    if (s < 90) return t('ago_s', s);
    if (s < 5400) return t('ago_m', Math.round(s / 60));
    if (s < 129600) return t('ago_h', Math.round(s / 3600));
    return t('ago_d', Math.round(s / 86400));
  }
  function int(v) { return Number(v || 0).toLocaleString('en-US'); }
  function list(a) { return a && a.length ? a.join(', ') : '–'; }
  function uses(n, max) { return t('uses_of', n, String(max) === '0' ? t('unlimited') : max); }

  function txLink(id, text) { return h('a', {class: 'mono', href: '#/tx/' + id, title: id}, text || short(id)); }
  function blockLink(hgt) { return hgt === null || hgt === undefined ? '–' : h('a', {href: '#/block/' + hgt}, '#' + hgt); }
  function assetLink(id, title) {
    if (!id) return '–';
    return h('a', {href: '#/asset/' + id, title: id}, title ? title : h('span', {class: 'mono'}, short(id)));
  }

  /* ---- RPC ---- */

  class RpcError extends Error {
    constructor(err) {
      super(err && err.message ? err.message : 'error');
      this.code = err && err.data ? err.data.code : 'error';
    }
  }

  let nextId = 1;
  /* calls: [[method, params]] -> [{result} | {error}] in order */
  async function batch(calls) {
    const out = [];
    for (let i = 0; i < calls.length; i += BATCH) {
      const part = calls.slice(i, i + BATCH);
      const base = nextId;
      nextId += part.length;
      const body = part.map((c, k) => ({jsonrpc: '2.0', id: base + k, method: c[0], params: c[1] || {}}));
      const r = await fetch('/', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify(body), cache: 'no-store'});
      const j = await r.json();
      if (!Array.isArray(j)) throw new RpcError(j && j.error);
      const byId = new Map(j.map(x => [x.id, x]));
      part.forEach((c, k) => out.push(byId.get(base + k) || {error: {message: 'no answer'}}));
    }
    return out;
  }
  async function rpc(method, params) {
    const [r] = await batch([[method, params]]);
    if (r.error) throw new RpcError(r.error);
    return r.result;
  }
  function ok(r) { return r && !r.error ? r.result : null; }

  /* Names of accounts: address -> name ('' when unregistered). */
  const names = new Map();
  async function loadNames(addrs) {
    const want = [...new Set(addrs.filter(a => typeof a === 'string' && a.startsWith('yc1') && !names.has(a)))];
    if (!want.length) return;
    const rs = await batch(want.map(a => ['account', {address: a}]));
    want.forEach((a, i) => names.set(a, ok(rs[i]) ? ok(rs[i]).name : ''));
  }
  function who(addr) {
    if (!addr) return '–';
    const n = names.get(addr);
    return h('a', {class: 'who', href: '#/account/' + addr, title: addr, 'data-address': addr},
      h('span', {class: 'name'}, n || t('unnamed')), h('span', {class: 'addr'}, short(addr, 9, 6)));
  }
  /* Every yc1 address anywhere in a JSON value. */
  function addrsIn(v, out) {
    out = out || [];
    if (typeof v === 'string') { if (/^yc1[02-9ac-hj-np-z]{20,}$/.test(v)) out.push(v); }
    else if (Array.isArray(v)) v.forEach(x => addrsIn(x, out));
    else if (v && typeof v === 'object') for (const k in v) addrsIn(v[k], out);
    return out;
  }

  let validatorsCache = null;
  async function validators() {
    if (!validatorsCache) validatorsCache = await rpc('validators');
    return validatorsCache;
  }
  function validatorName(vs, idx) {
    const v = vs && vs.validators.find(x => Number(x.index) === Number(idx));
    return v ? v.name : '#' + idx;
  }

  /* Transactions of the recent blocks (newest first), decoded: [{tx result}] */
  async function recentTxs() {
    const st = await rpc('status');
    const tip = Number(st.height);
    const calls = [];
    for (let hi = tip; hi >= 1 && tip - hi < SCAN_BLOCKS; hi -= 100)
      calls.push(['blockchain', {min: String(Math.max(1, hi - 99)), max: String(hi)}]);
    const chains = await batch(calls);
    const heights = [];
    for (const r of chains) for (const b of (ok(r) ? ok(r).blocks : [])) if (Number(b.tx_count) > 0) heights.push(b.height);
    /* newest blocks first, 20 at a time, until they hold SCAN_TXS transactions */
    const ids = [];
    for (let i = 0; i < heights.length && ids.length < SCAN_TXS; i += 20) {
      const blocks = await batch(heights.slice(i, i + 20).map(x => ['block', {height: x}]));
      for (const r of blocks) if (ok(r)) ids.push(...ok(r).txs);
    }
    const txs = await batch(ids.slice(0, SCAN_TXS).map(id => ['tx', {id: id}]));
    return {tip: tip, txs: txs.map(ok).filter(x => x && x.tx), truncated: ids.length > SCAN_TXS};
  }

  /* ---- pages ---- */

  async function pageChain() {
    const [st, vs, ni, unc, al] = (await batch([['status'], ['validators'], ['net_info'],
      ['num_unconfirmed_txs'], ['alerts', {limit: 1000}]])).map(ok);
    if (!st) throw new Error(t('node_unreachable'));
    validatorsCache = vs;
    const tip = Number(st.height);
    const [chainRes] = await batch([['blockchain', {min: String(Math.max(1, tip - 99)), max: String(tip)}]]);
    const blocks = ok(chainRes) ? ok(chainRes).blocks : [];
    const heads = (await batch(blocks.slice(0, 30).map(b => ['block', {height: b.height}]))).map(ok).filter(x => x);
    /* the newest transactions, from those headers' blocks */
    const latest = [];
    for (const b of heads) for (let i = b.txs.length - 1; i >= 0 && latest.length < 12; i--)
      latest.push({id: b.txs[i], result: b.results[i], height: b.height, time: b.header.time});
    const ltx = (await batch(latest.map(x => ['tx', {id: x.id}]))).map(ok);
    await loadNames(ltx.filter(x => x && x.tx).map(x => x.tx.sender));

    /* throughput and block interval over the last five minutes of block time */
    const lastMs = blocks.length ? Number(blocks[0].time_ms) : Date.now();
    const BUCKET = 30000, NB = 10;
    const tput = [];
    for (let i = NB - 1; i >= 0; i--) {
      const end = lastMs - i * BUCKET, start = end - BUCKET;
      const n = blocks.filter(b => Number(b.time_ms) > start && Number(b.time_ms) <= end)
        .reduce((s, b) => s + Number(b.tx_count), 0);
      const d = new Date(end);
      tput.push({label: pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()),
        value: n / (BUCKET / 1000), title: t('tx_per_s')});
    }
    const asc = blocks.slice().reverse();
    const gaps = [];
    for (let i = 1; i < asc.length; i++) {
      if (lastMs - Number(asc[i].time_ms) <= NB * BUCKET)
        gaps.push({label: '#' + asc[i].height, value: Number(asc[i].time_ms) - Number(asc[i - 1].time_ms),
          data: {height: asc[i].height}});
    }
    const sorted = gaps.map(g => g.value).sort((a, b) => a - b);
    const q = p => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
    const windowTx = blocks.filter(b => lastMs - Number(b.time_ms) < NB * BUCKET).reduce((s, b) => s + Number(b.tx_count), 0);

    /* view changes seen in the recent blocks' headers */
    const vcs = [];
    const hs = heads.slice().reverse();
    for (let i = 1; i < hs.length; i++) {
      if (Number(hs[i].header.view) !== Number(hs[i - 1].header.view))
        vcs.push({height: hs[i].height, from: hs[i - 1].header.view, to: hs[i].header.view, time: hs[i].header.time});
    }

    /* validators' health as this node sees them */
    const peers = ni ? ni.peers : [];
    const vrows = (vs ? vs.validators : []).map(v => {
      let health, hint = '';
      /* the genesis holds no addresses: a connected peer's address is where this node reaches it */
      const p = v.self ? null
        : peers.find(x => x.validator_index !== null && Number(x.validator_index) === Number(v.index));
      if (v.self) { health = 'healthy'; hint = t('this_node'); }
      else {
        if (!p) health = 'unreachable';
        else {
          const lag = tip - Number(p.height);
          health = lag <= 2 ? 'healthy' : 'behind';
          hint = lag <= 2 ? t('at_height', p.height) : t('behind_by', lag);
        }
      }
      return {attrs: {'data-validator': v.name}, cells: [String(v.index), h('b', {}, v.name),
        v.primary ? badge('primary', t('primary')) : '', h('span', {}, badge(health), ' ', h('span', {class: 'muted'}, hint)),
        h('span', {class: 'mono wrap', title: v.id}, short(v.id, 10, 6)), h('span', {class: 'mono'}, p ? p.address : '–')]};
    });

    const alerts = al ? al.alerts : [];
    const primaryName = validatorName(vs, st.primary);
    const main = [
      h('div', {class: 'head-row'}, h('h1', {}, t('chain_title')), h('span', {class: 'muted mono'}, st.chain_id)),
      h('p', {class: 'subtitle'}, t('chain_sub', st.version || '')),
      h('div', {class: 'grid tiles'},
        tile(t('height'), int(st.height), t('last_block_at', when(st.last_block_time)), 'good', 'tile-height'),
        tile(t('primary'), primaryName, t('view_n', st.view)),
        tile(t('throughput'), (windowTx / (NB * BUCKET / 1000)).toFixed(2), t('tx_per_s_5m')),
        tile(t('block_interval'), q(0.5) === null ? '–' : (q(0.5) / 1000).toFixed(2) + ' s',
          q(0.95) === null ? '' : t('p95', (q(0.95) / 1000).toFixed(2) + ' s')),
        tile(t('view_changes'), String(vcs.length), t('in_last_blocks', heads.length), vcs.length ? 'warn' : 'good'),
        tile(t('mempool'), int(unc ? unc.total : 0), t('pending_txs')),
        tile(t('alerts'), int(alerts.length), h('a', {href: '#/supervision'}, t('see_supervision')), alerts.length ? 'warn' : 'good'),
        tile(t('peers'), String(st.peers), st.catching_up ? t('catching_up') : t('in_sync'), st.catching_up ? 'warn' : 'good')),
      card(t('validators'), table([{label: '#'}, {label: t('name')}, {label: t('role')}, {label: t('health')},
        {label: t('account')}, {label: t('p2p_address')}], vrows)),
      h('div', {class: 'grid two'},
        card(t('throughput_chart'), h('p', {class: 'section-note'}, t('throughput_note')),
          h('div', {id: 'chart-throughput'}, C.bars({points: tput, fmt: v => v.toFixed(1), title: t('throughput_chart')}))),
        card(t('interval_chart'), h('p', {class: 'section-note'}, t('interval_note')),
          gaps.length ? h('div', {id: 'chart-interval'}, C.line({points: gaps, fmt: v => (v / 1000).toFixed(2) + ' s',
            axisFmt: v => (v / 1000).toFixed(1) + ' s', title: t('interval_chart')})) : h('p', {class: 'empty'}, t('no_blocks_window')))),
      card(t('recent_blocks'), table([{label: t('height')}, {label: t('time')}, {label: t('txs'), num: true},
        {label: t('proposer')}, {label: t('hash')}],
      blocks.slice(0, 20).map(b => ({attrs: {'data-height': b.height}, cells: [blockLink(b.height), when(b.time),
        int(b.tx_count), validatorName(vs, b.proposer), h('span', {class: 'mono'}, short(b.hash, 12, 8))]})), t('no_blocks'))),
      card(t('latest_txs'), table([{label: t('time')}, {label: t('type')}, {label: t('sender')}, {label: t('block')},
        {label: t('outcome')}, {label: t('tx')}],
      latest.map((x, i) => ({attrs: {'data-tx': x.id}, cells: [when(x.time), ltx[i] && ltx[i].tx ? t('type_' + ltx[i].tx.type) : '–',
        ltx[i] && ltx[i].tx ? who(ltx[i].tx.sender) : '–', blockLink(x.height),
        x.result === 'ok' ? badge('committed') : badge('failed', x.result), txLink(x.id, short(x.id, 8, 4))]})), t('no_txs'))),
      card(t('view_changes'), vcs.length ? table([{label: t('height')}, {label: t('time')}, {label: t('from_view')}, {label: t('to_view')}],
        vcs.map(v => ({cells: [blockLink(v.height), when(v.time), String(v.from), String(v.to)]}))) :
        h('p', {class: 'empty'}, t('no_view_changes', heads.length, st.view))),
    ];
    return main;
  }

  async function pageBlock(hgt) {
    const b = await rpc('block', {height: hgt});
    const vs = await validators().catch(() => null);
    const txs = (await batch(b.txs.map(id => ['tx', {id: id}]))).map(ok);
    await loadNames(txs.filter(x => x && x.tx).map(x => x.tx.sender));
    const hd = b.header;
    const tip = Number((await rpc('status')).height);
    return [
      h('div', {class: 'pager'},
        Number(b.height) > 1 ? h('a', {class: 'btn ghost', href: '#/block/' + (Number(b.height) - 1)}, '← ' + t('previous')) : null,
        Number(b.height) < tip ? h('a', {class: 'btn ghost', href: '#/block/' + (Number(b.height) + 1)}, t('next') + ' →') : null),
      h('h1', {id: 'block-title', 'data-height': b.height}, t('block_n', b.height)),
      h('p', {class: 'subtitle mono'}, b.hash),
      card(t('header'), kv([[t('time'), when(hd.time)], [t('proposer'), validatorName(vs, hd.proposer)],
        [t('view'), String(hd.view)], [t('txs'), int(hd.tx_count)],
        [t('prev_hash'), Number(b.height) > 1 ? h('a', {class: 'mono', href: '#/block/' + (Number(b.height) - 1)}, hd.prev_hash) : h('span', {class: 'mono'}, hd.prev_hash)],
        [t('tx_root'), h('span', {class: 'mono'}, hd.tx_root)], [t('result_root'), h('span', {class: 'mono'}, hd.result_root)],
        [t('state_root'), h('span', {class: 'mono'}, hd.state_root)], [t('format_version'), String(hd.version)]])),
      card(t('transactions'), table([{label: '#'}, {label: t('tx_id')}, {label: t('type')}, {label: t('sender')}, {label: t('outcome')}],
        b.txs.map((id, i) => {
          const x = txs[i];
          return {cells: [String(i), txLink(id, short(id, 16, 8)), x && x.tx ? t('type_' + x.tx.type) : '–',
            x && x.tx ? who(x.tx.sender) : '–', b.results[i] === 'ok' ? badge('committed') : badge('failed', b.results[i])]};
        }), t('no_txs'))),
      card(t('certificate'), h('p', {class: 'section-note'}, t('cert_note', b.certificate.signatures.length, b.certificate.view)),
        table([{label: t('validator')}, {label: t('signature')}], b.certificate.signatures.map(s => ({
          cells: [validatorName(vs, s.validator), h('span', {class: 'mono wrap'}, short(s.sig, 24, 16))]})))),
    ];
  }

  const ID_FIELDS = {asset: 'asset', consent: 'tx', listing: 'tx', bid: 'tx', license: 'tx', pledge: 'tx',
    objection: 'tx', credit: 'tx', carry: 'tx'};
  function bodyValue(k, v) {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'string' && v.startsWith('yc1')) return who(v);
    if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) && ID_FIELDS[k])
      return ID_FIELDS[k] === 'asset' ? assetLink(v) : txLink(v, short(v, 16, 8));
    if (/(^|_)(fee|amount|price|value|fee_per_use|alert_amount)$/.test(k) && /^\d+$/.test(String(v))) return yuan(v);
    if (k === 'max_uses') return String(v) === '0' ? t('unlimited') : String(v);
    if (k === 'contributors' && Array.isArray(v))
      return h('span', {}, v.map(c => h('div', {}, who(c.account), ' ', (Number(c.bps) / 100).toFixed(2) + ' %')));
    if (Array.isArray(v)) return v.map(x => typeof x === 'string' && x.startsWith('yc1') ? who(x) : String(x)).reduce((a, x, i) => (i ? a.concat([', ', x]) : [x]), []);
    if (typeof v === 'object') return h('span', {class: 'mono'}, JSON.stringify(v));
    if (typeof v === 'boolean') return v ? t('yes') : t('no');
    if (/^(until|not_before|expires|due)$/.test(k) && /^\d+$/.test(String(v))) return String(v) === '0' ? '–' : whenMs(v);
    return String(v);
  }

  async function pageTx(id) {
    const x = await rpc('tx', {id: id});
    if (x.status === 'unknown') throw new RpcError({message: t('tx_unknown', id), data: {code: 'not_found'}});
    const inBlock = x.status === 'committed' || x.status === 'failed';
    const [pr, gen, vs, st] = inBlock ? (await batch([['tx_proof', {id: id}], ['genesis'], ['validators'], ['status']])).map(ok) : [null, null, null, null];
    await loadNames(addrsIn(x.tx || {}));
    const tx = x.tx || {};
    const body = tx.body || {};
    const out = [
      h('div', {class: 'head-row'}, h('h1', {}, tx.type ? t('type_' + tx.type) : t('transaction')), badge(x.status)),
      h('p', {class: 'subtitle mono', id: 'tx-id'}, x.id),
      h('div', {class: 'grid two'},
        card(t('outcome'), kv([[t('status'), badge(x.status)], [t('code'), h('span', {class: 'mono'}, x.code)],
          x.message ? [t('message'), x.message] : null,
          inBlock ? [t('block'), blockLink(x.height)] : null, inBlock ? [t('position'), String(x.index)] : null,
          x.time ? [t('time'), when(x.time)] : null])),
        card(t('envelope'), kv([[t('type'), h('span', {}, t('type_' + tx.type), ' ', h('span', {class: 'muted mono'}, tx.type))],
          [t('sender'), who(tx.sender)], [t('nonce'), String(tx.nonce)], [t('chain'), tx.chain_id],
          tx.cosigs && tx.cosigs.length ? [t('cosigners'), tx.cosigs.map(c => who(c.signer))] : null]))),
      card(t('body'), kv(Object.keys(body).sort().filter(k => !(k + '_time' in body)).map(k => {
        const base = k.replace(/_time$/, '');
        const label = t('f_' + base) === 'f_' + base ? base.replace(/_/g, ' ') : t('f_' + base);
        return [label, k !== base && base in body ? (String(body[base]) === '0' ? '–' : when(body[k])) : bodyValue(k, body[k])];
      }))),
    ];
    if (pr) {
      const receipt = {version: 2, chain_id: pr.chain_id, genesis_hash: st ? st.genesis_hash : '',
        genesis: gen, validators: (vs ? vs.validators : []).map(v => ({index: Number(v.index), pub_key: v.pub_key})),
        tx_id: pr.id, tx: pr.tx, status: pr.status, code: pr.code, height: pr.height, proof: pr.proof,
        result_proof: pr.result_proof, header_raw: pr.header_raw, block_hash: pr.block_hash, certificate: pr.certificate};
      const href = 'data:application/json;charset=utf-8,' + encodeURIComponent(JSON.stringify(receipt, null, 2));
      out.push(card(t('inclusion_proof'), h('p', {class: 'section-note'}, t('proof_note')),
        kv([[t('block_hash'), h('span', {class: 'mono'}, pr.block_hash)],
          [t('tx_root'), h('span', {class: 'mono'}, pr.header.tx_root)],
          [t('leaf'), t('leaf_of', Number(pr.proof.index) + 1, pr.proof.count)],
          [t('siblings'), pr.proof.siblings.length ? h('ol', {class: 'sibs'}, pr.proof.siblings.map(s => h('li', {}, s))) : t('single_leaf')],
          [t('result_root'), h('span', {class: 'mono'}, pr.header.result_root)],
          [t('certificate'), t('cert_sigs', pr.certificate.signatures.length, vs ? vs.quorum : '?')]]),
        h('div', {class: 'actions'}, h('a', {class: 'btn', id: 'receipt-download', href: href, download: 'receipt-' + pr.id.slice(0, 16) + '.json'}, t('download_receipt')),
          h('span', {class: 'muted'}, t('receipt_hint')))));
    }
    return out;
  }

  async function pageAccount(addr) {
    const [acct, cs, us, cp, as, cr] = await batch([['account', {address: addr}], ['consents', {subject: addr, limit: 1000}],
      ['usage', {subject: addr, limit: 1000}], ['consents', {processor: addr, limit: 1000}],
      ['assets', {holder: addr, limit: 1000}], ['credit', {address: addr}]]);
    if (acct.error) throw new RpcError(acct.error);
    const a = acct.result;
    const consents = ok(cs) ? ok(cs).consents : [];
    const usage = ok(us) ? ok(us).usage : [];
    const asProc = ok(cp) ? ok(cp).consents : [];
    const assets = ok(as) ? ok(as).assets : [];
    const credit = ok(cr);
    await loadNames([addr].concat(addrsIn(consents), addrsIn(usage), addrsIn(asProc), addrsIn(credit)));
    names.set(addr, a.name);
    const totalFees = usage.reduce((s, u) => s + BigInt(u.fee || '0'), 0n);
    const consentCols = (whoLabel) => [{label: t('consent')}, {label: whoLabel}, {label: t('categories')}, {label: t('purposes')},
      {label: t('operations')}, {label: t('fee_per_use'), num: true}, {label: t('uses')}, {label: t('valid_until')}, {label: t('status')}];
    const consentRow = (c, other) => ({attrs: {'data-consent': c.id}, cells: [txLink(c.id, short(c.id, 10, 6)), who(other), list(c.categories),
      list(c.purposes), list(c.operations), yuan(c.fee_per_use), uses(c.uses, c.max_uses), when(c.until_time), badge(c.status)]});
    const credStatus = credit ? credit.status : 'good';
    return [
      h('div', {class: 'head-row'}, h('h1', {id: 'account-name'}, a.name || t('unnamed')), badge('info', t('role_' + a.role)),
        credStatus !== 'good' ? badge(credStatus, t('credit_' + credStatus)) : null),
      h('p', {class: 'subtitle mono'}, a.address),
      h('div', {class: 'grid tiles'},
        tile(t('balance'), yuan(a.balance), t('fen_exact', int(a.balance)), 'good', 'tile-balance'),
        tile(t('uses_of_my_data'), String(usage.length), t('fees_received', yuan(totalFees.toString()))),
        tile(t('consents_given'), String(consents.length), t('active_n', consents.filter(c => c.status === 'active').length)),
        tile(t('jurisdiction'), a.jurisdiction || '–', t('registered_at', a.registered_at)),
        tile(t('credit'), t('credit_' + credStatus), credit ? t('records_n', credit.records.length) : '', credStatus === 'good' ? 'good' : 'bad')),
      card(t('who_used'), h('p', {class: 'section-note'}, t('who_used_note')),
        table([{label: t('time')}, {label: t('user')}, {label: t('purpose')}, {label: t('operation')}, {label: t('category')},
          {label: t('fee'), num: true}, {label: t('under')}, {label: t('tx')}],
        usage.slice().reverse().map(u => ({attrs: {'data-use': u.id}, cells: [when(u.time), who(u.user), u.purpose, u.operation, u.category || '–',
          yuan(u.fee), u.authority ? h('span', {}, t('auth_' + u.authority_kind), ' ', txLink(u.authority, short(u.authority, 8, 4))) : '–',
          txLink(u.id, short(u.id, 8, 4))]})), t('no_uses'))),
      card(t('consents_given'), table(consentCols(t('processor')), consents.slice().reverse().map(c => consentRow(c, c.processor)), t('no_consents'))),
      asProc.length ? card(t('consents_held'), table(consentCols(t('subject')), asProc.slice().reverse().map(c => consentRow(c, c.subject)))) : null,
      assets.length ? card(t('assets_held'), table([{label: t('asset')}, {label: t('grade')}, {label: t('status')}, {label: t('rights')}],
        assets.map(x => ({cells: [assetLink(x.id, x.title), t('grade_' + x.grade), badge(x.status), list(x.rights.map(r => t('right_' + r)))]})))) : null,
      credit && credit.records.length ? card(t('credit_records'), creditTable(credit.records)) : null,
      card(t('account_details'), kv([[t('address'), h('span', {class: 'mono'}, a.address)], [t('role'), t('role_' + a.role)],
        [t('name'), a.name || '–'], [t('jurisdiction'), a.jurisdiction || '–'], [t('nonce'), String(a.nonce)],
        [t('registered_at_h'), Number(a.registered_at) === 0 ? t('genesis') : blockLink(a.registered_at)]])),
    ];
  }

  function creditTable(records) {
    return table([{label: t('time')}, {label: t('account')}, {label: t('severity')}, {label: t('reason')}, {label: t('status')},
      {label: t('regulator')}, {label: t('objection')}, {label: t('tx')}],
    records.map(r => ({attrs: {'data-credit': r.id}, cells: [when(r.time), who(r.account), badge(r.severity, t('credit_' + r.severity)), r.reason,
      badge(r.status), who(r.regulator), r.objection ? r.objection.reason : '–', txLink(r.id, short(r.id, 8, 4))]})));
  }

  async function pageAsset(id) {
    const [ar, pr, ur, lr] = await batch([['asset', {id: id}], ['provenance', {id: id}], ['usage', {asset: id, limit: 1000}],
      ['listings', {asset: id, limit: 1000}]]);
    if (ar.error) throw new RpcError(ar.error);
    const a = ar.result;
    const prov = ok(pr);
    const usage = ok(ur) ? ok(ur).usage : [];
    const listings = ok(lr) ? ok(lr).listings : [];
    const sold = listings.filter(l => l.deal);
    const deals = (await batch(sold.map(l => ['listing', {id: l.id}]))).map(ok).filter(x => x && x.deal_detail).map(x => x.deal_detail);
    await loadNames(addrsIn(a).concat(addrsIn(prov || {}), addrsIn(usage), addrsIn(deals)));
    const rights = a.rights || {};
    const out = [
      h('div', {class: 'head-row'}, h('h1', {id: 'asset-title'}, a.title), badge(a.status),
        badge('info', t('grade_' + a.grade)), a.objections_open && Number(a.objections_open) > 0 ? badge('warn', t('objections_open', a.objections_open)) : null),
      h('p', {class: 'subtitle mono'}, a.id),
      h('div', {class: 'grid two'},
        card(t('asset_register'), kv([[t('catalog'), a.catalog], [t('sector'), a.sector], [t('source'), a.source],
          [t('openness'), a.openness], [t('registrant'), who(a.registrant)], [t('registered_at_h'), blockLink(a.registered_at)],
          [t('notice_until'), a.notice_until === null ? '–' : t('height_n', a.notice_until)],
          [t('certificate'), a.certificate ? h('span', {class: 'mono'}, a.certificate) : '–'],
          [t('certified_at'), a.certified_at === null || a.certified_at === undefined ? '–' : blockLink(a.certified_at)],
          [t('digest'), h('span', {class: 'mono'}, a.digest)], [t('version'), String(a.version)]])),
        card(t('rights'), table([{label: t('right')}, {label: t('holder')}, {label: t('since')}],
          ['hold', 'process', 'operate'].filter(r => rights[r]).map(r => ({attrs: {'data-right': r}, cells: [t('right_' + r), who(rights[r].holder), blockLink(rights[r].since)]}))),
        a.contributors && a.contributors.length ? [h('h2', {class: 'spaced'}, t('contributors')),
          table([{label: t('account')}, {label: t('share'), num: true}], a.contributors.map(c => ({cells: [who(c.account), (Number(c.bps) / 100).toFixed(2) + ' %']})))] : null)),
    ];
    if (prov) out.push(card(t('provenance'), h('p', {class: 'section-note'}, t('provenance_note')), h('div', {id: 'provenance'}, provenanceGraph(a, prov, usage, deals))));
    out.push(
      card(t('licenses'), table([{label: t('license')}, {label: t('licensee')}, {label: t('right')}, {label: t('purposes')},
        {label: t('operations')}, {label: t('fee'), num: true}, {label: t('uses')}, {label: t('valid_until')}, {label: t('status')}],
      (a.licenses || []).map(l => ({cells: [txLink(l.id, short(l.id, 8, 4)), who(l.licensee), t('right_' + l.right), list(l.purposes),
        list(l.operations), yuan(l.fee), uses(l.uses, l.max_uses), when(l.until_time), badge(l.status)]})), t('no_licenses'))),
      card(t('uses_of_asset'), table([{label: t('time')}, {label: t('user')}, {label: t('purpose')}, {label: t('operation')},
        {label: t('fee'), num: true}, {label: t('tx')}],
      usage.slice().reverse().map(u => ({cells: [when(u.time), who(u.user), u.purpose, u.operation, yuan(u.fee), txLink(u.id, short(u.id, 8, 4))]})), t('no_uses_asset'))),
      card(t('market_deals'), table([{label: t('time')}, {label: t('offer')}, {label: t('seller')}, {label: t('buyer')}, {label: t('price'), num: true}, {label: t('tx')}],
        deals.map(d => ({cells: [when(d.time), t('offer_' + d.offer), who(d.seller), who(d.buyer), yuan(d.price), txLink(d.id, short(d.id, 8, 4))]})), t('no_deals'))),
      card(t('pledges'), table([{label: t('pledge')}, {label: t('pledgor')}, {label: t('pledgee')}, {label: t('amount'), num: true}, {label: t('due')}, {label: t('status')}],
        (a.pledges || []).map(p => ({cells: [txLink(p.id, short(p.id, 8, 4)), who(p.pledgor), who(p.pledgee), yuan(p.amount), when(p.due_time), badge(p.status)]})), t('no_pledges'))),
      card(t('objections'), table([{label: t('objection')}, {label: t('objector')}, {label: t('reason')}, {label: t('filed_at')}, {label: t('outcome')}, {label: t('note')}],
        (a.objections || []).map(o => ({cells: [txLink(o.id, short(o.id, 8, 4)), who(o.objector), o.reason, blockLink(o.filed_at),
          o.outcome ? badge(o.outcome) : badge('pending', t('open_objection')), o.note || '–']})), t('no_objections'))),
      card(t('versions'), table([{label: t('version')}, {label: t('time')}, {label: t('block')}, {label: t('digest')}, {label: t('note')}],
        (a.versions || []).map(v => ({cells: [String(v.version), when(v.time), blockLink(v.height), h('span', {class: 'mono'}, short(v.digest, 12, 8)), v.note || '–']})))));
    return out;
  }

  function provenanceGraph(a, prov, usage, deals) {
    const depth = new Map([[a.id, 0]]);
    const ders = prov.derivations || [];
    let changed = true;
    for (let guard = 0; changed && guard < 64; guard++) {
      changed = false;
      for (const d of ders) {
        if (depth.has(d.product) && !depth.has(d.source) && prov.assets.some(x => x.id === d.source && x.relation === 'ancestor')) {
          depth.set(d.source, depth.get(d.product) - 1); changed = true;
        }
        if (depth.has(d.source) && !depth.has(d.product) && prov.assets.some(x => x.id === d.product && x.relation === 'descendant')) {
          depth.set(d.product, depth.get(d.source) + 1); changed = true;
        }
      }
    }
    const nodes = [], edges = [];
    let maxCol = 0;
    for (const x of prov.assets) {
      const col = depth.has(x.id) ? depth.get(x.id) : (x.relation === 'ancestor' ? -1 : 1);
      maxCol = Math.max(maxCol, col);
      nodes.push({id: x.id, kind: x.relation, col: col, title: x.title, href: '#/asset/' + x.id,
        sub: t('st_' + x.status) + ' · ' + t('grade_' + x.grade) + ' · ' + (names.get(x.registrant) || short(x.registrant)),
        tip: x.title + '\n' + x.id});
    }
    for (const d of ders) edges.push({from: d.source, to: d.product, label: t('derived')});
    /* the people: licensees, users and buyers of the asset itself */
    const agents = new Map();
    const agent = (addr, label) => {
      if (!addr) return;
      const g = agents.get(addr) || {labels: new Map()};
      g.labels.set(label, (g.labels.get(label) || 0) + 1);
      agents.set(addr, g);
    };
    for (const l of prov.licenses || []) if (l.asset === a.id) agent(l.licensee, t('licensed'));
    for (const u of usage) agent(u.user, t('used'));
    for (const d of deals) agent(d.buyer, t('bought'));
    for (const [addr, g] of agents) {
      nodes.push({id: addr, kind: 'agent', col: maxCol + 1, title: names.get(addr) || t('unnamed'), sub: short(addr, 10, 6),
        href: '#/account/' + addr, tip: addr});
      edges.push({from: a.id, to: addr, label: [...g.labels].map(([k, n]) => n > 1 ? k + ' ×' + n : k).join(', ')});
    }
    return C.graph(nodes, edges, {title: t('provenance') + ': ' + a.title});
  }

  async function pageMarket() {
    const [lr, ir] = await batch([['listings', {limit: 1000}], ['price_index', {limit: 1000}]]);
    const listings = ok(lr) ? ok(lr).listings : [];
    const points = ok(ir) ? ok(ir).points : [];
    const scan = await recentTxs();
    const accepts = scan.txs.filter(x => x.status === 'committed' && x.tx.type === 'market.accept');
    const bids = (await batch(accepts.map(x => ['tx', {id: x.tx.body.bid}]))).map(ok);
    const lids = [...new Set(bids.filter(b => b && b.tx).map(b => b.tx.body.listing))];
    const deals = (await batch(lids.map(id => ['listing', {id: id}]))).map(ok).filter(x => x && x.deal_detail).map(x => x.deal_detail)
      .sort((p, q) => Number(q.height) - Number(p.height));
    const assetIds = [...new Set(listings.map(l => l.asset).concat(deals.map(d => d.asset)))];
    const titles = new Map();
    (await batch(assetIds.map(id => ['asset', {id: id}]))).forEach((r, i) => titles.set(assetIds[i], ok(r) ? ok(r).title : null));
    await loadNames(addrsIn(listings).concat(addrsIn(deals)));
    const sectors = [...new Set(points.map(p => p.sector))].sort();
    const volume = deals.reduce((s, d) => s + BigInt(d.price), 0n);
    return [
      h('h1', {}, t('market_title')), h('p', {class: 'subtitle'}, t('market_sub')),
      h('div', {class: 'grid tiles'},
        tile(t('open_listings'), String(listings.length), '', 'good', 'tile-listings'),
        tile(t('recent_deals'), String(deals.length), t('in_last_blocks', Math.min(SCAN_BLOCKS, scan.tip))),
        tile(t('deal_volume'), yuan(volume.toString()), t('recent_deals')),
        tile(t('sectors'), String(sectors.length), t('in_price_index'))),
      card(t('price_index'), h('p', {class: 'section-note'}, t('index_note')),
        sectors.length ? h('div', {class: 'grid two', id: 'price-index'}, sectors.map(sec => {
          const ps = points.filter(p => p.sector === sec);
          return h('div', {class: 'sector', 'data-sector': sec}, h('h2', {}, t('sector_x', sec)),
            C.line({points: ps.map(p => ({label: day(p), value: yuanNum(p.vwap), data: {sector: sec, period: p.period, vwap: p.vwap, count: p.count}})),
              fmt: v => v.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2}), title: t('sector_x', sec)}),
            table([{label: t('day')}, {label: t('deals'), num: true}, {label: t('vwap'), num: true}, {label: t('high'), num: true},
              {label: t('low'), num: true}, {label: t('volume'), num: true}],
            ps.map(p => ({cells: [day(p), p.count, yuan(p.vwap), yuan(p.high), yuan(p.low), yuan(p.volume)]}))));
        })) : h('p', {class: 'empty'}, t('no_index'))),
      card(t('open_listings'), table([{label: t('asset')}, {label: t('offer')}, {label: t('seller')}, {label: t('sector')},
        {label: t('price'), num: true}, {label: t('appraisals'), num: true}, {label: t('open_bids'), num: true}, {label: t('listed')}],
      listings.map(l => ({attrs: {'data-listing': l.id}, cells: [assetLink(l.asset, titles.get(l.asset)), t('offer_' + l.offer), who(l.seller), l.sector,
        yuan(l.price), String(l.appraisals), String(l.open_bids.length), when(l.time)]})), t('no_listings'))),
      card(t('recent_deals'), h('p', {class: 'section-note'}, t('deals_note', Math.min(SCAN_BLOCKS, scan.tip))),
        table([{label: t('time')}, {label: t('asset')}, {label: t('offer')}, {label: t('seller')}, {label: t('buyer')},
          {label: t('price'), num: true}, {label: t('exchange_fee'), num: true}, {label: t('sector')}, {label: t('cross_border')}, {label: t('tx')}],
        deals.map(d => ({attrs: {'data-deal': d.id}, cells: [when(d.time), assetLink(d.asset, titles.get(d.asset)), t('offer_' + d.offer), who(d.seller), who(d.buyer),
          yuan(d.price), yuan(d.fee), d.sector, d.cross_border ? badge('warn', t('to_x', d.destination)) : t('no'), txLink(d.id, short(d.id, 8, 4))]})), t('no_deals'))),
    ];
  }

  async function pageSupervision() {
    const [pr, ar] = await batch([['policy'], ['alerts', {limit: 1000}]]);
    const pol = ok(pr);
    const alerts = ok(ar) ? ok(ar).alerts : [];
    const scan = await recentTxs();
    const credTx = scan.txs.filter(x => x.status === 'committed' && x.tx.type === 'credit.record');
    const accts = [...new Set(credTx.map(x => x.tx.body.account))];
    const credits = (await batch(accts.map(a => ['credit', {address: a}]))).map(ok).filter(x => x);
    const records = [].concat(...credits.map(c => c.records)).sort((p, q) => Number(q.height) - Number(p.height));
    await loadNames(addrsIn(pol || {}).concat(addrsIn(alerts), addrsIn(records)));
    const live = credits.filter(c => c.status !== 'good');
    const kinds = {};
    alerts.forEach(a => { kinds[a.kind] = (kinds[a.kind] || 0) + 1; });
    const nl = pol ? pol.negative_list : {categories: [], catalog_prefixes: [], accounts: [], jurisdictions: []};
    const ar2 = pol ? pol.alerts : {};
    return [
      h('h1', {}, t('supervision_title')), h('p', {class: 'subtitle'}, t('supervision_sub')),
      h('div', {class: 'grid tiles'},
        tile(t('alerts'), String(alerts.length), Object.keys(kinds).map(k => t('alert_' + k) + ' ' + kinds[k]).join(' · '), alerts.length ? 'warn' : 'good', 'tile-alerts'),
        tile(t('restricted_accounts'), String(live.length), t('frozen_or_restricted'), live.length ? 'bad' : 'good'),
        tile(t('credit_records'), String(records.length), t('in_last_blocks', Math.min(SCAN_BLOCKS, scan.tip))),
        tile(t('policy_version'), pol ? String(pol.version) : '–', pol && Number(pol.version) ? t('set_at', pol.height) : t('no_policy'))),
      card(t('alerts'), table([{label: t('time')}, {label: t('kind')}, {label: t('type')}, {label: t('account')}, {label: t('asset')},
        {label: t('amount'), num: true}, {label: t('block')}, {label: t('tx')}],
      alerts.slice().reverse().slice(0, 200).map(a => ({attrs: {'data-alert': a.kind}, cells: [when(a.time), badge('warn', t('alert_' + a.kind)), t('type_' + a.type),
        a.account ? who(a.account) : '–', a.asset ? assetLink(a.asset) : '–', a.amount && a.amount !== '0' ? yuan(a.amount) : '–',
        blockLink(a.height), txLink(a.tx, short(a.tx, 8, 4))]})), t('no_alerts'))),
      h('div', {class: 'grid two'},
        card(t('policy_in_force'), pol && Number(pol.version) ? kv([
          [t('policy_version'), String(pol.version)], [t('set_by'), who(pol.regulator)], [t('block'), blockLink(pol.height)],
          [t('banned_categories'), list(nl.categories)], [t('banned_catalogs'), list(nl.catalog_prefixes)],
          [t('banned_jurisdictions'), list(nl.jurisdictions)],
          [t('banned_accounts'), nl.accounts.length ? nl.accounts.map(x => who(x)) : '–'],
          [t('alert_deal_above'), ar2.deal_above && ar2.deal_above !== '0' ? yuan(ar2.deal_above) : t('off')],
          [t('pol_cross_border'), ar2.cross_border ? t('on') : t('off')],
          [t('pol_important_data'), ar2.important_data ? t('on') : t('off')],
          [t('watched_accounts'), ar2.accounts && ar2.accounts.length ? ar2.accounts.map(x => who(x)) : '–'],
          [t('codes_added'), pol.codes_added ? list((pol.codes_added.categories || []).concat(pol.codes_added.purposes || [])) : '–']]) :
          h('p', {class: 'empty'}, t('no_policy'))),
        card(t('accounts_under_measures'), table([{label: t('account')}, {label: t('status')}, {label: t('records')}],
          live.map(c => ({cells: [who(c.address), badge(c.status, t('credit_' + c.status)), String(c.records.length)]})), t('no_measures')))),
      card(t('credit_records'), h('p', {class: 'section-note'}, t('credit_note', Math.min(SCAN_BLOCKS, scan.tip))),
        records.length ? creditTable(records) : h('p', {class: 'empty'}, t('no_credit'))),
    ];
  }

  /* ---- routing ---- */

  const ROUTES = [
    [/^#?\/?$/, 'chain', () => pageChain()],
    [/^#\/block\/(\d+)$/, 'chain', m => pageBlock(m[1])],
    [/^#\/tx\/([0-9a-fA-F]{64})$/, 'chain', m => pageTx(m[1].toLowerCase())],
    [/^#\/account\/(yc1[0-9a-z]+)$/, null, m => pageAccount(m[1])],
    [/^#\/asset\/([0-9a-fA-F]{64})$/, 'market', m => pageAsset(m[1].toLowerCase())],
    [/^#\/market$/, 'market', () => pageMarket()],
    [/^#\/supervision$/, 'supervision', () => pageSupervision()],
    [/^#\/search\/(.+)$/, null, m => pageSearch(m[1])],
  ];

  let renderSeq = 0;
  let refreshTimer = null;
  async function render() {
    const seq = ++renderSeq;
    clearTimeout(refreshTimer);
    const main = document.getElementById('main');
    let hash;
    try { hash = decodeURIComponent(location.hash || '#/'); } catch (e) { hash = location.hash; }
    let route = null, m = null;
    for (const r of ROUTES) { m = hash.match(r[0]); if (m) { route = r; break; } }
    document.querySelectorAll('[data-nav]').forEach(a => a.classList.toggle('active', !!route && a.dataset.nav === route[1]));
    let content;
    try {
      if (!route) throw new RpcError({message: t('bad_url', hash), data: {code: 'not_found'}});
      content = await route[2](m);
    } catch (e) {
      content = [h('div', {class: 'error', id: 'page-error', 'data-code': e.code || 'error'},
        h('b', {}, e.code === 'not_found' || e.code === 'unknown_asset' ? t('not_found') : t('failed')), ' ', e.message)];
    }
    if (seq !== renderSeq) return;
    main.replaceChildren(...[].concat(content).filter(x => x));
    main.setAttribute('data-page', route ? route[1] || 'account' : 'error');
    main.setAttribute('data-ready', '1');
    if (route && route[1] === 'chain' && hash.replace(/^#?\/?/, '') === '')
      refreshTimer = setTimeout(() => { if (document.visibilityState === 'visible') render(); }, REFRESH_MS);
  }

  /* ---- search ---- */

  /* The page a query names: '#/…', or null when nothing matches. */
  async function resolve(q) {
    q = q.trim();
    if (/^\d+$/.test(q)) return '#/block/' + q;
    if (/^yc1/i.test(q)) return '#/account/' + q.toLowerCase();
    if (/^[0-9a-f]{64}$/i.test(q)) {
      const id = q.toLowerCase();
      const [tx, as, li] = await batch([['tx', {id: id}], ['asset', {id: id}], ['listing', {id: id}]]);
      if (ok(as)) return '#/asset/' + id;
      if (ok(tx) && ok(tx).status !== 'unknown') return '#/tx/' + id;
      if (ok(li)) return '#/asset/' + ok(li).asset;
    }
    return null;
  }

  async function search(q) {
    const msg = document.getElementById('search-msg');
    msg.hidden = true;
    if (!q.trim()) return;
    const to = await resolve(q);
    if (to) { location.hash = to; return; }
    msg.textContent = t('search_none', q.trim());
    msg.hidden = false;
  }

  /* #/search/Q: a search by URL; the page it finds replaces it in the history. */
  async function pageSearch(q) {
    const to = await resolve(q);
    if (!to) throw new RpcError({message: t('search_none', q), data: {code: 'not_found'}});
    location.replace(to);
    return [h('p', {class: 'loading'}, '…')];
  }

  /* ---- language ---- */

  function applyLang() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('brand');
    document.getElementById('brand-name').textContent = t('brand');
    document.querySelectorAll('[data-i18n]').forEach(e => { e.textContent = t(e.dataset.i18n); });
    document.getElementById('search-input').placeholder = t('search_placeholder');
    document.getElementById('lang').textContent = lang === 'zh' ? 'English' : '中文';
  }

  function start() {
    applyLang();
    document.getElementById('lang').addEventListener('click', () => {
      lang = lang === 'zh' ? 'en' : 'zh';
      try { localStorage.setItem(LANG_KEY, lang); } catch (e) { /* private mode: not remembered */ }
      applyLang();
      render();
    });
    document.getElementById('search').addEventListener('submit', ev => {
      ev.preventDefault();
      search(document.getElementById('search-input').value).catch(e => {
        const msg = document.getElementById('search-msg');
        msg.textContent = t('failed') + ' ' + e.message;
        msg.hidden = false;
      });
    });
    window.addEventListener('hashchange', () => { document.getElementById('search-msg').hidden = true; render(); });
    rpc('status').then(st => {
      document.getElementById('foot-node').textContent = t('foot_node', st.node_id ? short(st.node_id, 10, 6) : '', t('node_role_' + st.role), st.version || '');
    }).catch(() => {});
    render();
  }

  start();
})();
