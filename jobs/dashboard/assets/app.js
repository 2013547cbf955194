/* reviewlake insight dashboard — single-page front-end.
 *
 * Plain browser JavaScript, no build step. Reads the panel catalog and panel data from the
 * server's /api/v1 endpoints and draws them with Apache ECharts (vendored under /assets/vendor).
 * The hooks the browser test relies on are described in the dashboard contract:
 * data-panel-id / data-state on every panel, body.dataset.page / body.dataset.ready,
 * .tile[data-column][data-value] and window.reviewlakeDashboard.
 */
'use strict';

(function () {
  // ---------------------------------------------------------------------------------------------
  // Static description of the pages
  // ---------------------------------------------------------------------------------------------

  // The pages as the navigation of index.html lists them (scripts are deferred, so it is parsed):
  // their paths, titles and blurbs are written there once.
  const PAGES = Array.from(document.querySelectorAll('a.nav-link[data-page]'), (a) => ({
    id: a.dataset.page,
    path: a.getAttribute('href'),
    title: a.textContent.trim(),
    blurb: a.dataset.blurb || '',
  }));
  const NOT_FOUND = { id: 'notfound', path: '', title: 'Page not found', blurb: '' };

  // Grid width (out of 12 columns on a desktop) of a panel; "page/panel" wins over "panel".
  const LAYOUT = {
    kpis: 12,
    model_summary: 12,
    'overview/reviews_by_year': 12,
    'overview/rating_distribution': 6,
    'overview/sentiment_overview': 6,
    'sentiment/sentiment_overview': 4,
    'sentiment/sentiment_by_year': 8,
    'sentiment/sentiment_by_verified': 4,
    'sentiment/sentiment_by_length': 4,
    'sentiment/length_by_sentiment': 4,
    'trends/verified_by_rating': 12,
    'themes/key_themes': 7,
    'themes/top_words': 5,
  };

  const FILTER_KEYS = ['category', 'brand', 'from', 'to'];
  const FILTER_LABELS = { category: 'Category', brand: 'Brand', from: 'From', to: 'To' };
  const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
  const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
    'September', 'October', 'November', 'December'];
  const ACRONYMS = { auc: 'AUC', f1: 'F1', id: 'ID', roc: 'ROC', sql: 'SQL', csv: 'CSV', url: 'URL', asin: 'ASIN' };
  const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif';
  const CAPITALISED = new Set(['sentiment', 'purchase', 'actual', 'predicted', 'label', 'class', 'verified', 'status']);
  const TABLE_ROW_LIMIT = 500;
  const WORDCLOUD_LIMIT = 200;
  const CLUSTER_INTERVAL_MS = 2000;
  const THEME_KEY = 'reviewlake-theme';

  // ---------------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------------

  const state = {
    page: null,
    filters: { category: '', brand: '', from: '', to: '' },
    theme: 'light',
    reducedMotion: false,
    catalog: null,
    catalogPromise: null,
    filterOptions: null,
    views: new Map(), // panel id -> PanelView | ClusterSection (the current page only)
    pageToken: 0,
    status: null,
    statusSeen: false,
    live: false,
    clusterTimer: null,
    clusterInFlight: false,
  };

  const $ = (sel) => document.querySelector(sel);

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers (no innerHTML with data: every text goes in as a text node)
  // ---------------------------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v == null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children.flat()) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const ICONS = {
    empty: ['M4 13.5l2.5-7.5h11l2.5 7.5', 'M4 13.5V19h16v-5.5h-5a3 3 0 01-6 0z'],
    error: ['M12 4l9 16H3z', 'M12 10v4.5', 'M12 17.2h.01'],
    model: ['M9 3.5h6', 'M10 3.5v5.2L4.8 18a1.6 1.6 0 001.4 2.5h11.6a1.6 1.6 0 001.4-2.5L14 8.7V3.5', 'M7.2 14.5h9.6'],
    cloud: ['M7 18.5h10a4 4 0 00.6-8A5.5 5.5 0 007 9.2a4.7 4.7 0 000 9.3z', 'M9 14h6'],
    click: ['M9 9V4.5a1.5 1.5 0 013 0V11', 'M12 10.5a1.5 1.5 0 013 0V12', 'M15 11.5a1.5 1.5 0 013 0v3.5a6 6 0 01-6 6h-.6a6 6 0 01-4.9-2.6L4.2 15a1.5 1.5 0 012.4-1.8L9 15.5V9'],
    retry: ['M4.5 12a7.5 7.5 0 0113-5.1L19.5 9', 'M19.5 4.5V9H15', 'M19.5 12a7.5 7.5 0 01-13 5.1L4.5 15', 'M4.5 19.5V15H9'],
  };

  function icon(name, cls) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon' + (cls ? ' ' + cls : ''));
    for (const d of ICONS[name] || []) {
      const p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', d);
      svg.append(p);
    }
    return svg;
  }

  /** Text with `backtick` spans shown as <code>. */
  function richText(text) {
    const frag = document.createDocumentFragment();
    String(text).split('`').forEach((part, i) => {
      if (!part) return;
      frag.append(i % 2 === 1 ? h('code', null, part) : document.createTextNode(part));
    });
    return frag;
  }

  // ---------------------------------------------------------------------------------------------
  // Formatting
  // ---------------------------------------------------------------------------------------------

  const nfInt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const nfDec = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
  const nfDec2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const nfPct = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const nfCompact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  const nfPrice = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

  function readable(name) {
    const words = String(name).split('_').filter(Boolean).map((w) => {
      const lw = w.toLowerCase();
      if (ACRONYMS[lw]) return ACRONYMS[lw];
      if (lw === 'percent' || lw === 'pct') return '%';
      return lw;
    });
    if (!words.length) return String(name);
    const s = words.join(' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function isNumeric(v) {
    return typeof v === 'number' && Number.isFinite(v);
  }

  function toNumber(v) {
    if (v == null || v === '') return null;
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : null;
  }

  function formatKind(spec, col, value) {
    const declared = spec && spec.formats && spec.formats[col];
    if (declared) return declared;
    const c = String(col).toLowerCase();
    if (c.endsWith('percent') || c.endsWith('_pct')) return 'percent';
    if (c.includes('price')) return 'price';
    if (c.includes('rating') && !c.startsWith('reviews')) return 'rating';
    if (c.endsWith('_at') || c.endsWith('_time') || c === 'date') return 'date';
    if (typeof value === 'string') return 'text';
    if (isNumeric(value)) return Number.isInteger(value) ? 'integer' : 'decimal';
    return 'text';
  }

  function formatDate(v) {
    let d = null;
    if (isNumeric(v)) d = new Date(v > 1e11 ? v : v * 1000);
    else if (typeof v === 'string' && v) {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) d = new Date(t);
    }
    if (!d) return String(v);
    return d.toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  function formatValue(spec, col, v) {
    if (v == null) return '—';
    const kind = formatKind(spec, col, v);
    if (kind === 'text') return String(v);
    if (kind === 'date') return formatDate(v);
    const n = toNumber(v);
    if (n == null) return String(v);
    switch (kind) {
      case 'integer': return nfInt.format(Math.round(n));
      case 'percent': return nfPct.format(n) + '%';
      case 'rating': return nfDec2.format(n);
      case 'price': return nfPrice.format(n);
      case 'decimal': return nfDec.format(n);
      default: return Number.isInteger(n) ? nfInt.format(n) : nfDec.format(n);
    }
  }

  /** Short numbers for value axes. */
  function formatAxis(spec, col, v) {
    const kind = formatKind(spec, col, v);
    const n = toNumber(v);
    if (n == null) return '';
    switch (kind) {
      case 'percent': return nfInt.format(n) + '%';
      case 'rating': return String(Math.round(n * 100) / 100);
      case 'price': return '$' + nfCompact.format(n);
      case 'decimal': return Math.abs(n) < 10 ? String(Math.round(n * 100) / 100) : nfCompact.format(n);
      default: return Math.abs(n) >= 1000 ? nfCompact.format(n) : nfDec.format(n);
    }
  }

  function isBoolLike(v) {
    return v === true || v === false || v === 'true' || v === 'false';
  }

  /** A category value (x value or pivot value) as people read it. */
  function categoryLabel(col, v, long) {
    if (v == null || v === '') return '(none)';
    const c = String(col || '').toLowerCase();
    if (isBoolLike(v)) {
      const yes = v === true || v === 'true';
      const word = readable(col).toLowerCase();
      if (c === 'verified' || c === 'is_verified') return yes ? 'Verified' : 'Not verified';
      return yes ? readable(col) : 'Not ' + word;
    }
    const n = toNumber(v);
    if (c === 'month' && n != null && Number.isInteger(n) && n >= 1 && n <= 12) {
      return (long ? MONTHS_LONG : MONTHS_SHORT)[n - 1];
    }
    if ((c === 'overall' || c === 'rating' || c === 'stars') && n != null) {
      return long ? `${n} star${n === 1 ? '' : 's'}` : `${n}★`;
    }
    const s = String(v);
    // Labels such as "positive" or "not verified" read better capitalised.
    if (CAPITALISED.has(c) && /^[a-z]/.test(s)) return s.charAt(0).toUpperCase() + s.slice(1);
    return s;
  }

  function truncate(s, max) {
    s = String(s);
    return s.length > max ? s.slice(0, Math.max(1, max - 1)).trimEnd() + '…' : s;
  }

  function secondsAgo(ms) {
    return Math.max(0, Math.round((Date.now() - ms) / 1000));
  }

  function formatDuration(ms) {
    if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(1)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
    return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  }

  // ---------------------------------------------------------------------------------------------
  // Theme and colours
  // ---------------------------------------------------------------------------------------------

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function colors() {
    const palette = [];
    for (let i = 1; i <= 8; i++) palette.push(cssVar(`--chart-${i}`));
    return {
      palette,
      text: cssVar('--text'),
      muted: cssVar('--text-muted'),
      border: cssVar('--border'),
      grid: cssVar('--chart-grid'),
      surface: cssVar('--surface'),
      surface2: cssVar('--surface-2'),
      accent: cssVar('--accent'),
      positive: cssVar('--sent-positive'),
      neutral: cssVar('--sent-neutral'),
      negative: cssVar('--sent-negative'),
      ratings: [1, 2, 3, 4, 5].map((i) => cssVar(`--rating-${i}`)),
      heatLow: cssVar('--heat-low'),
      heatHigh: cssVar('--heat-high'),
    };
  }

  function withAlpha(color, alpha) {
    const m = /^#([0-9a-f]{6})$/i.exec(color);
    if (!m) return color;
    const n = parseInt(m[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }

  function sentimentColor(name, c) {
    const s = String(name).toLowerCase();
    if (s === 'positive') return c.positive;
    if (s === 'negative') return c.negative;
    if (s === 'neutral') return c.neutral;
    return null;
  }

  function initialTheme() {
    const param = new URLSearchParams(location.search).get('theme');
    if (param === 'light' || param === 'dark') return param;
    try {
      const saved = localStorage.getItem(THEME_KEY);
      if (saved === 'light' || saved === 'dark') return saved;
    } catch (_) { /* storage may be unavailable */ }
    return window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  function applyTheme(theme, persist) {
    state.theme = theme;
    document.documentElement.dataset.theme = theme;
    const btn = $('#theme-toggle');
    const label = theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme';
    btn.setAttribute('aria-label', label);
    btn.title = label;
    if (persist) {
      try { localStorage.setItem(THEME_KEY, theme); } catch (_) { /* ignore */ }
    }
  }

  function toggleTheme() {
    applyTheme(state.theme === 'dark' ? 'light' : 'dark', true);
    for (const view of state.views.values()) if (view.redrawForTheme) view.redrawForTheme();
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP
  // ---------------------------------------------------------------------------------------------

  async function fetchJSON(url, signal) {
    let res;
    try {
      res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    } catch (err) {
      if (err && err.name === 'AbortError') throw err;
      throw new Error('The server cannot be reached.');
    }
    let body = null;
    const text = await res.text();
    try { body = text ? JSON.parse(text) : null; } catch (_) { body = null; }
    if (!res.ok) {
      const msg = body && typeof body.error === 'string' ? body.error : `The server answered ${res.status} ${res.statusText || ''}`.trim();
      const err = new Error(msg);
      err.status = res.status;
      throw err;
    }
    if (body == null) throw new Error('The server sent an unreadable answer.');
    return body;
  }

  function loadCatalog() {
    if (state.catalog) return Promise.resolve(state.catalog);
    if (!state.catalogPromise) {
      state.catalogPromise = fetchJSON('/api/v1/panels').then((cat) => {
        state.catalog = cat;
        return cat;
      }, (err) => {
        state.catalogPromise = null;
        throw err;
      });
    }
    return state.catalogPromise;
  }

  // ---------------------------------------------------------------------------------------------
  // URL and filters
  // ---------------------------------------------------------------------------------------------

  function pageFromPath(pathname) {
    let p = pathname.replace(/\/+$/, '');
    if (p === '' || p === '/index.html') p = '/';
    return PAGES.find((pg) => pg.path === p) || NOT_FOUND;
  }

  function filtersFromUrl() {
    const q = new URLSearchParams(location.search);
    const f = {};
    for (const k of FILTER_KEYS) f[k] = q.get(k) || '';
    return f;
  }

  function hasFilters(f = state.filters) {
    return FILTER_KEYS.some((k) => f[k]);
  }

  /** `?from=..&to=..&category=..&brand=..` for the filters set (or '' when none). */
  function filterQuery(f = state.filters, keepTheme) {
    const q = new URLSearchParams();
    for (const k of ['from', 'to', 'category', 'brand']) if (f[k]) q.set(k, f[k]);
    if (keepTheme) {
      const t = new URLSearchParams(location.search).get('theme');
      if (t) q.set('theme', t);
    }
    const s = q.toString();
    return s ? '?' + s : '';
  }

  function setFilters(next, opts = {}) {
    const f = {};
    for (const k of FILTER_KEYS) f[k] = next[k] ? String(next[k]) : '';
    const changed = FILTER_KEYS.some((k) => f[k] !== state.filters[k]);
    state.filters = f;
    syncFilterControls();
    const url = location.pathname + filterQuery(f, true) + location.hash;
    if (opts.push) history.pushState({ page: state.page && state.page.id }, '', url);
    else history.replaceState({ page: state.page && state.page.id }, '', url);
    updateNavLinks();
    renderActiveFilters();
    if (changed) reloadPanels();
  }

  function ensureOption(select, value, label) {
    if (!value) return;
    if (![...select.options].some((o) => o.value === value)) {
      select.append(h('option', { value }, label || value));
    }
  }

  function syncFilterControls() {
    const cat = $('#filter-category');
    const brand = $('#filter-brand');
    ensureOption(cat, state.filters.category);
    ensureOption(brand, state.filters.brand);
    cat.value = state.filters.category;
    brand.value = state.filters.brand;
    $('#filter-from').value = MONTH_RE.test(state.filters.from) ? state.filters.from : '';
    $('#filter-to').value = MONTH_RE.test(state.filters.to) ? state.filters.to : '';
    for (const [id, key] of [['#filter-category', 'category'], ['#filter-brand', 'brand'], ['#filter-from', 'from'], ['#filter-to', 'to']]) {
      $(id).closest('.field').classList.toggle('is-set', !!state.filters[key]);
    }
    $('#filter-clear').classList.toggle('is-active', hasFilters());
  }

  function fillSelect(select, values, allLabel) {
    const current = select.value;
    const opts = [h('option', { value: '' }, allLabel)];
    for (const v of values || []) opts.push(h('option', { value: v }, v));
    select.replaceChildren(...opts);
    select.value = current;
    if (select.value !== current) {
      ensureOption(select, current);
      select.value = current;
    }
  }

  async function loadFilterOptions() {
    let opts;
    try {
      opts = await fetchJSON('/api/v1/filters');
    } catch (_) {
      return; // the controls keep working with the values in the URL
    }
    state.filterOptions = opts;
    fillSelect($('#filter-category'), opts.categories, 'All categories');
    fillSelect($('#filter-brand'), opts.brands, 'All brands');
    for (const id of ['#filter-from', '#filter-to']) {
      const input = $(id);
      if (opts.first_month) input.min = opts.first_month; else input.removeAttribute('min');
      if (opts.last_month) input.max = opts.last_month; else input.removeAttribute('max');
    }
    syncFilterControls();
  }

  function renderActiveFilters() {
    const box = $('#active-filters');
    box.replaceChildren();
    if (!hasFilters()) return;
    for (const k of FILTER_KEYS) {
      const v = state.filters[k];
      if (!v) continue;
      const btn = h('button', { type: 'button', class: 'chip', 'aria-label': `Remove filter ${FILTER_LABELS[k]}: ${v}` },
        h('span', { class: 'chip-key' }, FILTER_LABELS[k]), ' ', h('span', { class: 'chip-val' }, v),
        h('span', { class: 'chip-x', 'aria-hidden': 'true' }, '×'));
      btn.addEventListener('click', () => setFilters({ ...state.filters, [k]: '' }, { push: true }));
      box.append(btn);
    }
  }

  function updateNavLinks() {
    const q = filterQuery(state.filters, true);
    document.querySelectorAll('a[data-page]').forEach((a) => {
      const page = PAGES.find((p) => p.id === a.dataset.page);
      if (!page) return;
      a.setAttribute('href', page.path + q);
      if (a.classList.contains('nav-link')) {
        if (state.page && state.page.id === page.id) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    });
    // On narrow screens the nav is a scrolling row: bring the current page into view.
    const list = document.querySelector('.nav-list');
    const current = list && list.querySelector('[aria-current="page"]');
    if (current && list.scrollWidth > list.clientWidth) {
      const li = current.parentElement;
      list.scrollLeft = Math.max(0, li.offsetLeft - list.offsetLeft - (list.clientWidth - li.offsetWidth) / 2);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Readiness
  // ---------------------------------------------------------------------------------------------

  let readyQueued = false;
  function updateReady() {
    if (readyQueued) return;
    readyQueued = true;
    queueMicrotask(() => {
      readyQueued = false;
      if (!state.page || state.pageBusy) { document.body.dataset.ready = 'false'; return; }
      const ready = [...state.views.values()].every((v) => v.el.dataset.state !== 'loading');
      document.body.dataset.ready = ready ? 'true' : 'false';
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Panel card shell, shared by chart panels and cluster sections
  // ---------------------------------------------------------------------------------------------

  function panelShell({ id, title, description, ignoresFilters, clickHint, span }) {
    const titleId = `panel-${id}-title`;
    const el = h('section', {
      class: `panel span-${span || 6}`,
      'data-panel-id': id,
      'data-state': 'loading',
      'aria-labelledby': titleId,
      'aria-busy': 'true',
    });
    const headText = h('div', { class: 'panel-head-text' },
      h('h2', { id: titleId, class: 'panel-title' }, title),
      description ? h('p', { class: 'panel-desc' }, description) : null);
    const badges = h('div', { class: 'panel-badges' });
    if (ignoresFilters) {
      badges.append(h('span', { class: 'note-ignores', title: 'Computed over all reviews: the filters do not apply to this panel' }, 'ignores filters'));
    }
    if (clickHint) {
      badges.append(h('span', { class: 'note-click', title: clickHint }, icon('click'), h('span', null, 'click to filter')));
    }
    const head = h('header', { class: 'panel-head' }, headText, badges);
    const body = h('div', { class: 'panel-body' });
    el.append(head, body);
    return { el, head, body };
  }

  function skeleton(kind) {
    const sk = h('div', { class: `skeleton skeleton-${kind || 'chart'}`, 'aria-hidden': 'true' });
    if (kind === 'tiles') for (let i = 0; i < 4; i++) sk.append(h('div', { class: 'skeleton-block' }));
    else if (kind === 'table') for (let i = 0; i < 4; i++) sk.append(h('div', { class: 'skeleton-line' }));
    else {
      const bars = h('div', { class: 'skeleton-bars' });
      [62, 80, 45, 92, 70, 55, 84].forEach((pct) => {
        const b = h('div', { class: 'skeleton-bar' });
        b.style.height = pct + '%';
        bars.append(b);
      });
      sk.append(bars);
    }
    return h('div', { class: 'panel-loading' }, sk, h('span', { class: 'visually-hidden' }, 'Loading…'));
  }

  function messageBox(kind, text, onRetry) {
    const box = h('div', { class: `panel-message panel-message-${kind}`, role: kind === 'error' ? 'alert' : null });
    box.append(icon(kind === 'error' ? 'error' : (kind === 'model' ? 'model' : 'empty'), 'panel-message-icon'));
    box.append(h('p', { class: 'panel-message-text' }, richText(text)));
    if (onRetry) {
      const btn = h('button', { type: 'button', class: 'btn btn-primary' }, icon('retry'), h('span', null, 'Retry'));
      btn.addEventListener('click', onRetry);
      box.append(btn);
    }
    return box;
  }

  // ---------------------------------------------------------------------------------------------
  // Chart panels
  // ---------------------------------------------------------------------------------------------

  function distinct(values) {
    const seen = new Map();
    for (const v of values) {
      const key = typeof v + ':' + String(v);
      if (!seen.has(key)) seen.set(key, v);
    }
    return [...seen.values()];
  }

  function keyOf(v) {
    return typeof v + ':' + String(v);
  }

  function axisValue(v) {
    // Category-axis data: numbers stay numbers, booleans and nulls become text.
    if (v == null) return '(none)';
    if (typeof v === 'number' || typeof v === 'string') return v;
    return String(v);
  }

  function tooltipNode(title, rows) {
    const root = h('div', { class: 'tt' });
    if (title != null && title !== '') root.append(h('div', { class: 'tt-title' }, String(title)));
    for (const r of rows) {
      const row = h('div', { class: 'tt-row' + (r.strong ? ' tt-row-strong' : '') });
      const dot = h('span', { class: 'tt-dot' });
      if (typeof r.color === 'string' && r.color) dot.style.backgroundColor = r.color;
      else dot.classList.add('tt-dot-none');
      row.append(dot, h('span', { class: 'tt-name' }, r.name), h('span', { class: 'tt-val' }, r.value));
      root.append(row);
    }
    return root;
  }

  class PanelView {
    constructor(spec, pageId) {
      this.spec = spec;
      this.id = spec.id;
      this.kind = (spec.chart && spec.chart.kind) || 'table';
      this.data = null;
      this.chart = null;
      this.abort = null;
      this.seq = 0;
      this.tableOpen = false;
      this.sqlOpen = false;
      this.sizeKey = '';
      const span = LAYOUT[`${pageId}/${spec.id}`] || LAYOUT[spec.id] || (this.kind === 'tiles' ? 12 : 6);
      const filterCol = spec.chart && spec.chart.filter;
      const shell = panelShell({
        id: spec.id,
        title: spec.title || readable(spec.id),
        description: spec.description,
        ignoresFilters: spec.filterable === false,
        clickHint: (filterCol === 'category' || filterCol === 'brand') && this.kind !== 'tiles'
          ? `Click an item to filter the dashboard by that ${filterCol}` : null,
        span,
      });
      this.el = shell.el;
      this.el.classList.add(`panel-${this.kind}`);
      this.body = shell.body;

      this.loadingEl = skeleton(this.kind === 'tiles' ? 'tiles' : 'chart');
      this.messageEl = h('div', { class: 'panel-message-slot' });
      this.tilesEl = h('div', { class: 'tiles' });
      this.captionEl = h('p', { class: 'tiles-caption' });
      this.chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': spec.title || spec.id });
      this.body.append(this.loadingEl, this.messageEl, this.tilesEl, this.captionEl, this.chartEl);
      this.show('loading');

      // The collapsible data table and SQL
      const tableId = `panel-${spec.id}-table`;
      const sqlId = `panel-${spec.id}-sql`;
      this.tableWrap = h('div', { class: 'panel-extra panel-table', id: tableId, hidden: true });
      this.sqlWrap = h('div', { class: 'panel-extra panel-sql', id: sqlId, hidden: true });
      this.sqlPre = h('pre', { class: 'sql', tabindex: '0', 'aria-label': `SQL of ${spec.title || spec.id}` });
      this.sqlWrap.append(this.sqlPre);

      this.tableBtn = h('button', { type: 'button', class: 'btn btn-tool', 'aria-expanded': 'false', 'aria-controls': tableId }, 'Table');
      this.sqlBtn = h('button', { type: 'button', class: 'btn btn-tool', 'aria-expanded': 'false', 'aria-controls': sqlId }, 'SQL');
      this.csvLink = h('a', { class: 'btn btn-tool', download: `${spec.id}.csv`, href: this.csvHref() }, 'CSV');
      this.metaEl = h('span', { class: 'panel-meta' });
      this.tableBtn.addEventListener('click', () => this.toggleTable());
      this.sqlBtn.addEventListener('click', () => this.toggleSql());
      const tools = h('footer', { class: 'panel-tools' },
        h('div', { class: 'panel-tools-buttons', role: 'group', 'aria-label': `${spec.title || spec.id} data` },
          this.tableBtn, this.sqlBtn, this.csvLink),
        this.metaEl);
      this.el.append(this.tableWrap, this.sqlWrap, tools);
    }

    csvHref() {
      return `/api/v1/panels/${encodeURIComponent(this.id)}.csv${filterQuery()}`;
    }

    setState(s) {
      this.el.dataset.state = s;
      this.el.setAttribute('aria-busy', s === 'loading' ? 'true' : 'false');
      if (s !== 'loading') this.el.classList.remove('is-refreshing');
      updateReady();
    }

    /** Which part of the body is visible: loading | message | tiles | chart. */
    show(part) {
      this.loadingEl.hidden = part !== 'loading';
      this.messageEl.hidden = part !== 'message';
      this.tilesEl.hidden = part !== 'tiles';
      this.captionEl.hidden = part !== 'tiles' || !this.captionEl.textContent;
      this.chartEl.hidden = part !== 'chart';
      this.el.classList.toggle('has-chart', part === 'chart');
    }

    async load() {
      if (this.abort) this.abort.abort();
      const ctrl = new AbortController();
      this.abort = ctrl;
      const seq = ++this.seq;
      this.csvLink.setAttribute('href', this.csvHref());
      if (this.data && !this.el.querySelector('.panel-message-error')) {
        this.el.classList.add('is-refreshing');
      } else {
        this.disposeChart();
        this.show('loading');
      }
      this.setState('loading');
      let data;
      try {
        data = await fetchJSON(`/api/v1/panels/${encodeURIComponent(this.id)}${filterQuery()}`, ctrl.signal);
      } catch (err) {
        if (err && err.name === 'AbortError') return;
        if (seq !== this.seq) return;
        this.data = null;
        this.showError(err.message || String(err));
        return;
      }
      if (seq !== this.seq) return;
      this.abort = null;
      this.data = data;
      this.render(seq);
    }

    cancel() {
      this.seq++;
      if (this.abort) this.abort.abort();
      this.abort = null;
    }

    showError(message) {
      this.disposeChart();
      this.messageEl.replaceChildren(messageBox('error', message, () => this.load()));
      this.show('message');
      this.metaEl.textContent = '';
      this.setState('error');
    }

    showEmpty(message, kind) {
      this.disposeChart();
      this.messageEl.replaceChildren(messageBox(kind || 'empty', message));
      this.show('message');
      this.setState('empty');
    }

    visibleRows() {
      const d = this.data;
      if (!d || !Array.isArray(d.rows)) return [];
      if (this.kind === 'pie') {
        const x = this.spec.chart.x;
        return d.rows.filter((r) => String(r[x]) !== 'Total');
      }
      return d.rows;
    }

    render(seq) {
      const d = this.data;
      this.renderMeta();
      if (this.sqlOpen) this.renderSql();
      if (this.tableOpen) this.renderTable();
      else this.tableDirty = true;
      if (d.empty_reason) {
        const isModel = /model/i.test(this.id) || /model/i.test(d.empty_reason);
        this.showEmpty(d.empty_reason, isModel ? 'model' : 'empty');
        return;
      }
      if (!this.visibleRows().length) {
        this.showEmpty(hasFilters() && this.spec.filterable !== false ? 'No data for these filters' : 'No data yet');
        return;
      }
      this.messageEl.replaceChildren();
      if (this.kind === 'tiles') {
        this.renderTiles();
        this.show('tiles');
        this.setState('ready');
        return;
      }
      const firstDraw = !this.chart || this.chart.isDisposed();
      this.show('chart');
      let drawn;
      try {
        drawn = this.drawChart(firstDraw);
      } catch (err) {
        this.showError(`The chart could not be drawn: ${err.message || err}`);
        return;
      }
      drawn.then(() => {
        if (seq === this.seq) this.setState('ready');
      });
    }

    renderMeta() {
      const d = this.data;
      const parts = [];
      if (Array.isArray(d.tables) && d.tables.length) {
        parts.push(d.tables.map((t) => `${t.name}${t.version != null ? ' v' + t.version : ''}`).join(', '));
      }
      if (isNumeric(d.elapsed_ms)) parts.push(`${d.elapsed_ms < 10 ? d.elapsed_ms.toFixed(1) : Math.round(d.elapsed_ms)} ms`);
      this.metaEl.textContent = parts.join(' · ');
    }

    renderTiles() {
      const spec = this.spec;
      const row = this.data.rows[0] || {};
      const cols = spec.chart.y && spec.chart.y.length ? spec.chart.y : Object.keys(row);
      const tiles = cols.map((col, i) => {
        const v = row[col];
        const tile = h('div', {
          class: `tile tile-accent-${i % 6}`,
          'data-column': col,
          'data-value': v == null ? '' : String(v),
        });
        tile.append(h('div', { class: 'tile-label' }, readable(col)), h('div', { class: 'tile-value' }, formatValue(spec, col, v)));
        return tile;
      });
      this.tilesEl.replaceChildren(...tiles);
      // Text columns that are not tiles (e.g. model id, created time) become a caption
      const extra = Object.keys(row).filter((c) => !cols.includes(c) && row[c] != null);
      this.captionEl.replaceChildren();
      extra.forEach((c, i) => {
        if (i) this.captionEl.append(h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '));
        const kind = formatKind(spec, c, row[c]);
        const value = formatValue(spec, c, row[c]);
        this.captionEl.append(h('span', { class: 'caption-item' },
          h('span', { class: 'caption-key' }, readable(c) + ' '),
          kind === 'text' ? h('code', null, value) : h('time', null, value)));
      });
    }

    toggleTable() {
      this.tableOpen = !this.tableOpen;
      this.tableBtn.setAttribute('aria-expanded', String(this.tableOpen));
      this.tableWrap.hidden = !this.tableOpen;
      if (this.tableOpen && (this.tableDirty || !this.tableWrap.firstChild)) this.renderTable();
    }

    toggleSql() {
      this.sqlOpen = !this.sqlOpen;
      this.sqlBtn.setAttribute('aria-expanded', String(this.sqlOpen));
      this.sqlWrap.hidden = !this.sqlOpen;
      if (this.sqlOpen) this.renderSql();
    }

    renderTable() {
      this.tableDirty = false;
      const d = this.data;
      if (!d) {
        this.tableWrap.replaceChildren(h('p', { class: 'panel-extra-note' }, 'No data loaded.'));
        return;
      }
      const cols = (d.columns && d.columns.length ? d.columns.map((c) => c.name) : Object.keys(d.rows[0] || {}));
      const rows = d.rows || [];
      const table = h('table', { class: 'data-table' });
      table.append(h('caption', { class: 'visually-hidden' }, `Data of ${this.spec.title || this.id}`));
      const numeric = cols.map((c) => rows.some((r) => isNumeric(r[c])));
      table.append(h('thead', null, h('tr', null, cols.map((c, i) => h('th', { scope: 'col', class: numeric[i] ? 'num' : null }, readable(c))))));
      const tbody = h('tbody');
      for (const r of rows.slice(0, TABLE_ROW_LIMIT)) {
        tbody.append(h('tr', null, cols.map((c, i) => h('td', { class: numeric[i] ? 'num' : null }, formatValue(this.spec, c, r[c])))));
      }
      table.append(tbody);
      const wrap = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': `Data table of ${this.spec.title || this.id}` }, table);
      const parts = [wrap];
      if (!rows.length) parts.unshift(h('p', { class: 'panel-extra-note' }, 'The query returned no rows.'));
      if (rows.length > TABLE_ROW_LIMIT) {
        parts.push(h('p', { class: 'panel-extra-note' }, `Showing the first ${nfInt.format(TABLE_ROW_LIMIT)} of ${nfInt.format(rows.length)} rows; the CSV has them all.`));
      }
      this.tableWrap.replaceChildren(...parts);
    }

    renderSql() {
      const d = this.data;
      if (!d) {
        this.sqlPre.textContent = '-- no query has run yet';
        return;
      }
      const lines = [String(d.sql || '').trim() || '-- no SQL'];
      lines.push('');
      lines.push('-- params: ' + JSON.stringify(d.params || {}));
      if (Array.isArray(d.tables) && d.tables.length) {
        lines.push('-- tables: ' + d.tables.map((t) => `${t.name}@v${t.version}`).join(', '));
      }
      if (isNumeric(d.elapsed_ms)) lines.push(`-- elapsed: ${Math.round(d.elapsed_ms * 100) / 100} ms`);
      this.sqlPre.textContent = lines.join('\n');
    }

    // --- ECharts --------------------------------------------------------------------------

    ensureChart() {
      if (this.chart && !this.chart.isDisposed()) return this.chart;
      this.chart = echarts.init(this.chartEl, state.theme === 'dark' ? 'dark' : null, { renderer: 'canvas' });
      this.chart.on('click', (p) => this.onChartClick(p));
      if (!this.resizeObserver && 'ResizeObserver' in window) {
        this.resizeObserver = new ResizeObserver(() => this.onResize());
        this.resizeObserver.observe(this.chartEl);
      }
      return this.chart;
    }

    disposeChart() {
      if (this.chart && !this.chart.isDisposed()) this.chart.dispose();
      this.chart = null;
    }

    destroy() {
      this.cancel();
      clearTimeout(this.resizeTimer);
      if (this.resizeObserver) this.resizeObserver.disconnect();
      this.resizeObserver = null;
      this.disposeChart();
    }

    chartHeight() {
      const c = this.spec.chart;
      const rows = this.visibleRows();
      if (c.kind === 'bar' && c.horizontal) {
        const n = c.series ? distinct(rows.map((r) => r[c.x])).length : rows.length;
        return Math.max(260, Math.min(880, n * 26 + 70));
      }
      if (c.kind === 'wordcloud') return 420;
      if (c.kind === 'heatmap') return 330;
      if (c.kind === 'pie') return 320;
      return 300;
    }

    /** Draws the chart; resolves once ECharts reports it finished rendering. */
    drawChart(animate) {
      this.chartEl.style.setProperty('--chart-h', this.chartHeight() + 'px');
      // The word cloud extension keeps laying out the previous words if a chart is redrawn in
      // place (they end up drawn over the new ones): give it a fresh instance instead.
      if (this.kind === 'wordcloud') this.disposeChart();
      const chart = this.ensureChart();
      chart.resize();
      const option = this.buildOption(animate);
      const done = new Promise((resolve) => {
        let settled = false;
        const finish = () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          chart.off('finished', finish);
          resolve();
        };
        const timer = setTimeout(finish, 3000);
        chart.on('finished', finish);
      });
      chart.setOption(option, { notMerge: true });
      this.sizeKey = this.computeSizeKey();
      return done;
    }

    computeSizeKey() {
      const w = this.chartEl.clientWidth;
      const key = w < 380 ? 's' : w < 520 ? 'm' : w < 700 ? 'l' : 'xl';
      if (this.kind !== 'wordcloud') return key;
      return key + Math.round(this.chartEl.clientHeight / 80);
    }

    onResize() {
      if (!this.chart || this.chart.isDisposed() || this.chartEl.hidden) return;
      if (this.kind === 'wordcloud') {
        // A word cloud lays itself out asynchronously; restarting that on every step of a
        // resize leaves it blank, so wait until the size settles.
        clearTimeout(this.resizeTimer);
        this.resizeTimer = setTimeout(() => this.applyResize(), 250);
        return;
      }
      this.applyResize();
    }

    applyResize() {
      if (!this.chart || this.chart.isDisposed() || this.chartEl.hidden) return;
      const w = this.chart.getWidth();
      const hgt = this.chart.getHeight();
      if (w === this.chartEl.clientWidth && hgt === this.chartEl.clientHeight) return;
      if (this.kind === 'wordcloud') {
        this.disposeChart();
        this.ensureChart().setOption(this.buildOption(false), { notMerge: true });
        this.sizeKey = this.computeSizeKey();
        return;
      }
      this.chart.resize();
      const key = this.computeSizeKey();
      if (key !== this.sizeKey && this.data) {
        this.sizeKey = key;
        this.chart.setOption(this.buildOption(false), { notMerge: true });
      }
    }

    redrawForTheme() {
      if (!this.chart || this.chart.isDisposed()) return;
      this.disposeChart();
      if (this.data && !this.chartEl.hidden) {
        const chart = this.ensureChart();
        chart.setOption(this.buildOption(false), { notMerge: true });
      }
    }

    onChartClick(p) {
      const f = this.spec.chart && this.spec.chart.filter;
      if (f !== 'category' && f !== 'brand') return;
      let name = null;
      if (p.componentType === 'series') name = p.name;
      else if (p.componentType === 'xAxis' || p.componentType === 'yAxis') name = p.value;
      if (name == null || name === '' || name === '(none)') return;
      setFilters({ ...state.filters, [f]: String(name) }, { push: true });
    }

    buildOption(animate) {
      const c = colors();
      const spec = this.spec;
      const base = {
        aria: { enabled: true, decal: { show: false } },
        animation: !!animate && !state.reducedMotion,
        animationDuration: 450,
        animationDurationUpdate: 300,
        backgroundColor: 'transparent',
        color: c.palette,
        textStyle: { fontFamily: FONT, color: c.text },
        tooltip: {
          confine: true,
          className: 'chart-tooltip',
          backgroundColor: c.surface,
          borderColor: c.border,
          borderWidth: 1,
          padding: [8, 10],
          textStyle: { color: c.text, fontFamily: FONT, fontSize: 12 },
          transitionDuration: state.reducedMotion ? 0 : 0.2,
        },
      };
      const kind = spec.chart.kind;
      let specific;
      if (kind === 'bar' || kind === 'line') specific = this.cartesianOption(c);
      else if (kind === 'pie') specific = this.pieOption(c);
      else if (kind === 'wordcloud') specific = this.wordcloudOption(c);
      else if (kind === 'boxplot') specific = this.boxplotOption(c);
      else if (kind === 'heatmap') specific = this.heatmapOption(c);
      else throw new Error(`unknown chart kind "${kind}"`);
      const option = Object.assign(base, specific);
      option.tooltip = Object.assign(base.tooltip, specific.tooltip || {});
      return option;
    }

    legend(c, names, labelOf, extra) {
      return Object.assign({
        type: 'scroll',
        top: 0,
        right: 0,
        icon: 'roundRect',
        itemWidth: 12,
        itemHeight: 12,
        itemGap: 14,
        data: names,
        textStyle: { color: c.muted, fontSize: 12 },
        pageTextStyle: { color: c.muted },
        pageIconColor: c.text,
        pageIconInactiveColor: c.border,
        formatter: (name) => labelOf(name),
      }, extra || {});
    }

    cartesianOption(c) {
      const spec = this.spec;
      const ch = spec.chart;
      const rows = this.visibleRows();
      const xCol = ch.x;
      const yCols = ch.y || [];
      const isLine = ch.kind === 'line';
      const valueX = ch.x_type === 'value';
      const horizontal = !!ch.horizontal && !isLine && !valueX;
      const clickable = ch.filter === 'category' || ch.filter === 'brand';
      const fmtCol = yCols[0];
      let categories = [];
      let seriesDefs = [];
      let seriesLabel;

      if (valueX) {
        seriesDefs = yCols.map((col) => ({
          name: col,
          data: rows.filter((r) => toNumber(r[xCol]) != null && toNumber(r[col]) != null)
            .map((r) => [toNumber(r[xCol]), toNumber(r[col])]),
        }));
        seriesLabel = (name) => readable(name);
      } else if (ch.series) {
        const xs = distinct(rows.map((r) => r[xCol]));
        const index = new Map(xs.map((v, i) => [keyOf(v), i]));
        categories = xs.map(axisValue);
        const keys = distinct(rows.map((r) => r[ch.series]));
        seriesDefs = keys.map((k) => {
          const arr = new Array(xs.length).fill(null);
          for (const r of rows) if (keyOf(r[ch.series]) === keyOf(k)) arr[index.get(keyOf(r[xCol]))] = toNumber(r[fmtCol]);
          return { name: String(k), data: arr };
        });
        const labels = new Map(keys.map((k) => [String(k), categoryLabel(ch.series, k)]));
        seriesLabel = (name) => labels.get(name) || name;
      } else {
        categories = rows.map((r) => axisValue(r[xCol]));
        seriesDefs = yCols.map((col) => ({ name: col, data: rows.map((r) => toNumber(r[col])) }));
        seriesLabel = (name) => readable(name);
      }

      const multi = seriesDefs.length > 1;
      const ratingBars = !isLine && !multi && (xCol === 'overall' || xCol === 'rating');
      const series = seriesDefs.map((s, i) => {
        const color = sentimentColor(s.name, c) || c.palette[i % c.palette.length];
        if (isLine) {
          const out = {
            type: 'line',
            name: s.name,
            data: s.data,
            smooth: valueX ? false : 0.2,
            smoothMonotone: 'x',
            symbol: 'circle',
            symbolSize: 6,
            showSymbol: !valueX && s.data.length <= 24,
            connectNulls: true,
            itemStyle: { color },
            lineStyle: { width: 2.5, color },
            emphasis: { focus: 'series' },
            cursor: clickable ? 'pointer' : 'default',
          };
          if (!multi && typeof echarts !== 'undefined') {
            out.areaStyle = {
              color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
                { offset: 0, color: withAlpha(color, 0.28) },
                { offset: 1, color: withAlpha(color, 0.02) },
              ]),
            };
          }
          return out;
        }
        const radius = ch.stack ? 2 : (horizontal ? [0, 5, 5, 0] : [5, 5, 0, 0]);
        const out = {
          type: 'bar',
          name: s.name,
          data: ratingBars
            ? s.data.map((v, j) => ({ value: v, itemStyle: { color: c.ratings[Math.min(4, Math.max(0, Math.round(Number(categories[j])) - 1))] || color } }))
            : s.data,
          itemStyle: { color, borderRadius: radius },
          barMaxWidth: horizontal ? 22 : 44,
          barCategoryGap: multi && !ch.stack ? '28%' : '36%',
          emphasis: { focus: multi ? 'series' : 'none' },
          cursor: clickable ? 'pointer' : 'default',
        };
        if (ch.stack) out.stack = 'total';
        return out;
      });

      // Label room: long names are cut with an ellipsis (the full name is in the tooltip).
      const width = this.chartEl.clientWidth || 600;
      const labels = categories.map((v) => categoryLabel(xCol, v));
      const longest = labels.reduce((m, s) => Math.max(m, String(s).length), 0);
      let maxChars = horizontal ? (width < 380 ? 14 : width < 520 ? 20 : width < 700 ? 26 : 32) : 18;
      let rotate = 0;
      let interval = 0;
      if (!horizontal && !valueX) {
        const perLabel = (width - 60) / Math.max(1, categories.length);
        const need = longest * 7.5 + 12;
        if (need > perLabel) {
          // Short labels (years, months): let ECharts skip some; long ones: tilt them.
          if (longest > 6 && categories.length > 3) {
            rotate = 30;
            maxChars = width < 420 ? 10 : 16;
          } else {
            interval = 'auto';
          }
        }
      }

      const catAxis = {
        type: 'category',
        data: categories,
        inverse: horizontal,
        triggerEvent: clickable,
        axisTick: { show: false },
        axisLine: { lineStyle: { color: c.border } },
        axisLabel: {
          color: c.muted,
          fontSize: 12,
          interval: horizontal ? 0 : interval,
          hideOverlap: true,
          rotate,
          formatter: (v) => truncate(categoryLabel(xCol, v), maxChars),
        },
        axisPointer: { type: 'shadow', shadowStyle: { color: withAlpha(c.accent, 0.08) } },
      };
      const fmtKind = formatKind(spec, fmtCol, null);
      const valAxis = {
        type: 'value',
        splitNumber: width < 420 ? 4 : 5,
        axisLabel: { color: c.muted, fontSize: 12, formatter: (v) => formatAxis(spec, fmtCol, v) },
        splitLine: { lineStyle: { color: c.grid, type: 'dashed' } },
        axisLine: { show: false },
      };
      if (fmtKind === 'rating') {
        if (isLine) valAxis.scale = true;
        else valAxis.max = 5;
      }

      let xAxis;
      let yAxis;
      let extra = {};
      if (valueX) {
        const roc = /roc/i.test(spec.id) || /false_positive/i.test(xCol);
        xAxis = {
          type: 'value',
          name: readable(xCol),
          nameLocation: 'middle',
          nameGap: 28,
          nameTextStyle: { color: c.muted },
          axisLabel: { color: c.muted, formatter: (v) => formatAxis(spec, xCol, v) },
          axisLine: { lineStyle: { color: c.border } },
          splitLine: { lineStyle: { color: c.grid, type: 'dashed' } },
        };
        yAxis = Object.assign(valAxis, {
          name: yCols.length === 1 ? readable(yCols[0]) : '',
          nameLocation: 'middle',
          nameGap: 42,
          nameTextStyle: { color: c.muted },
        });
        if (roc) {
          xAxis.min = 0; xAxis.max = 1;
          yAxis.min = 0; yAxis.max = 1;
          if (series[0]) {
            series[0].markLine = {
              silent: true,
              symbol: ['none', 'none'],
              label: { show: true, position: 'insideEndTop', formatter: 'random guess', color: c.muted, fontSize: 11 },
              lineStyle: { type: 'dashed', color: c.muted, width: 1 },
              data: [[{ coord: [0, 0] }, { coord: [1, 1] }]],
            };
          }
        }
        extra.grid = { left: 34, right: 24, top: multi ? 40 : 20, bottom: 34, containLabel: true };
      } else if (horizontal) {
        xAxis = valAxis;
        yAxis = catAxis;
      } else {
        xAxis = catAxis;
        yAxis = valAxis;
      }

      const self = this;
      const tooltip = {
        trigger: 'axis',
        axisPointer: valueX ? { type: 'line', lineStyle: { color: c.muted, type: 'dashed' } } : { type: 'shadow', shadowStyle: { color: withAlpha(c.accent, 0.08) } },
        formatter(params) {
          const list = Array.isArray(params) ? params : [params];
          if (!list.length) return '';
          let title;
          if (valueX) {
            const x = Array.isArray(list[0].value) ? list[0].value[0] : list[0].axisValue;
            title = `${readable(xCol)} ${formatValue(spec, xCol, x)}`;
          } else {
            title = categoryLabel(xCol, list[0].axisValue != null ? list[0].axisValue : list[0].name, true);
          }
          const rowsOut = [];
          let total = 0;
          let counted = 0;
          for (const p of list) {
            const raw = Array.isArray(p.value) ? p.value[1] : (p.value && typeof p.value === 'object' ? p.value.value : p.value);
            if (raw == null || raw === '-') continue;
            total += Number(raw);
            counted++;
            const col = ch.series ? fmtCol : p.seriesName;
            rowsOut.push({ color: p.color, name: seriesLabel(p.seriesName), value: formatValue(self.spec, col, raw) });
          }
          if (ch.stack && counted > 1) rowsOut.push({ name: 'Total', value: formatValue(spec, fmtCol, total), strong: true });
          return tooltipNode(title, rowsOut);
        },
      };

      const option = {
        grid: extra.grid || { left: 8, right: 20, top: multi ? 40 : 16, bottom: 4, containLabel: true },
        xAxis,
        yAxis,
        series,
        tooltip,
      };
      if (multi) option.legend = this.legend(c, seriesDefs.map((s) => s.name), seriesLabel);
      return option;
    }

    pieOption(c) {
      const spec = this.spec;
      const ch = spec.chart;
      const xCol = ch.x;
      const yCol = (ch.y || [])[0];
      const all = this.data.rows || [];
      const rows = this.visibleRows();
      const totalRow = all.find((r) => String(r[xCol]) === 'Total');
      const sum = rows.reduce((s, r) => s + (toNumber(r[yCol]) || 0), 0);
      const total = totalRow && toNumber(totalRow[yCol]) != null ? toNumber(totalRow[yCol]) : sum;
      const width = this.chartEl.clientWidth || 400;
      const narrow = width < 380;
      const outerLabels = width >= 470;
      const data = rows.map((r, i) => {
        const name = String(r[xCol] == null ? '(none)' : r[xCol]);
        return {
          name,
          value: toNumber(r[yCol]),
          itemStyle: { color: sentimentColor(name, c) || c.palette[i % c.palette.length] },
        };
      });
      const labelOf = (name) => categoryLabel(xCol, name);
      const sumShown = data.reduce((a, d) => a + (d.value || 0), 0);
      const shareOf = new Map(data.map((d) => [d.name, sumShown ? (100 * (d.value || 0)) / sumShown : 0]));
      const legendLabel = outerLabels ? labelOf : (name) => `${labelOf(name)} ${nfPct.format(shareOf.get(name) || 0)}%`;
      return {
        legend: this.legend(c, data.map((d) => d.name), legendLabel, { type: 'plain', top: undefined, right: undefined, bottom: 0, left: 'center', icon: 'circle', itemGap: 12 }),
        graphic: [{
          type: 'text',
          left: 'center',
          top: 'middle',
          silent: true,
          style: {
            text: `{v|${formatValue(spec, yCol, total)}}\n{l|${readable(yCol).toLowerCase()} in total}`,
            align: 'center',
            rich: {
              v: { fontSize: narrow ? 18 : 22, fontWeight: 700, fill: c.text, fontFamily: FONT, align: 'center', lineHeight: 28 },
              l: { fontSize: 12, fill: c.muted, fontFamily: FONT, align: 'center', lineHeight: 16 },
            },
          },
        }],
        series: [{
          type: 'pie',
          name: yCol,
          radius: narrow ? ['44%', '64%'] : ['50%', '72%'],
          center: ['50%', '50%'],
          avoidLabelOverlap: true,
          minAngle: 2,
          itemStyle: { borderColor: c.surface, borderWidth: 2, borderRadius: 6 },
          label: {
            show: outerLabels,
            color: c.text,
            fontSize: 12,
            lineHeight: 16,
            formatter: (p) => `{n|${labelOf(p.name)}}\n{p|${nfPct.format(p.percent)}%}`,
            rich: {
              n: { color: c.muted, fontSize: 12, lineHeight: 16 },
              p: { color: c.text, fontSize: 13, fontWeight: 700, lineHeight: 18 },
            },
          },
          labelLine: { show: outerLabels, length: 10, length2: 10, lineStyle: { color: c.border } },
          emphasis: { scale: true, scaleSize: 6 },
          cursor: ch.filter ? 'pointer' : 'default',
          data,
        }],
        tooltip: {
          trigger: 'item',
          formatter: (p) => tooltipNode(labelOf(p.name), [
            { color: p.color, name: readable(yCol), value: formatValue(spec, yCol, p.value) },
            { name: 'Share', value: `${nfPct.format(p.percent)}%` },
          ]),
        },
      };
    }

    wordcloudOption(c) {
      const spec = this.spec;
      const ch = spec.chart;
      const xCol = ch.x;
      const yCol = (ch.y || [])[0];
      const rows = this.visibleRows().slice(0, WORDCLOUD_LIMIT);
      const palette = c.palette;
      const width = this.chartEl.clientWidth || 600;
      const height = this.chartEl.clientHeight || 400;
      const maxFont = Math.round(Math.max(30, Math.min(72, Math.min(width, height * 1.3) / 8.5)));
      // Most words sit near the smallest size (weights are long-tailed): a generous minimum
      // keeps them legible and lets the cloud fill its card.
      const k = Math.max(0.8, Math.min(1.45, Math.sqrt(width * height) / 520));
      const sizes = width < 420 ? [12, Math.min(maxFont, 36)] : [Math.round(14 * k), Math.round(Math.min(84, 58 * k))];
      return {
        series: [{
          type: 'wordCloud',
          name: yCol,
          shape: 'circle',
          left: 'center',
          top: 'center',
          width: '96%',
          height: '94%',
          sizeRange: sizes,
          rotationRange: [0, 0],
          gridSize: width < 420 ? 4 : 6,
          drawOutOfBound: false,
          shrinkToFit: true,
          layoutAnimation: !state.reducedMotion,
          textStyle: {
            fontFamily: FONT,
            fontWeight: 600,
            color: (p) => palette[p.dataIndex % palette.length],
          },
          emphasis: { focus: 'self', textStyle: { color: c.text } },
          cursor: 'default',
          data: rows.map((r) => ({ name: String(r[xCol]), value: toNumber(r[yCol]) })),
        }],
        tooltip: {
          trigger: 'item',
          formatter: (p) => tooltipNode(p.name, [{ color: p.color, name: readable(yCol), value: formatValue(spec, yCol, p.value) }]),
        },
      };
    }

    boxplotOption(c) {
      const spec = this.spec;
      const ch = spec.chart;
      const xCol = ch.x;
      const cols = ch.y || [];
      const rows = this.visibleRows();
      const groups = rows.map((r) => axisValue(r[xCol]));
      const data = rows.map((r, i) => {
        const color = sentimentColor(r[xCol], c) || c.palette[i % c.palette.length];
        return {
          value: cols.slice(0, 5).map((k) => toNumber(r[k])),
          itemStyle: { color: withAlpha(color, 0.22), borderColor: color, borderWidth: 1.6 },
        };
      });
      const names = ['Maximum', 'Upper quartile', 'Median', 'Lower quartile', 'Minimum'];
      // Long-tailed values (word counts) squash the boxes on a linear axis: use a log axis then.
      const flat = data.flatMap((d) => d.value).filter((v) => v != null);
      const maxQ3 = Math.max(0, ...data.map((d) => d.value[3] || 0));
      const maxAll = Math.max(0, ...flat);
      const logAxis = flat.length > 0 && flat.every((v) => v > 0) && maxQ3 > 0 && maxAll / maxQ3 > 6;
      const extraCols = Object.keys(rows[0] || {}).filter((k) => k !== xCol && !cols.includes(k));
      return {
        grid: { left: 8, right: 20, top: logAxis ? 30 : 16, bottom: 4, containLabel: true },
        xAxis: {
          type: 'category',
          data: groups,
          axisTick: { show: false },
          axisLine: { lineStyle: { color: c.border } },
          axisLabel: { color: c.muted, fontSize: 12, formatter: (v) => truncate(categoryLabel(xCol, v), 16) },
        },
        yAxis: {
          type: logAxis ? 'log' : 'value',
          logBase: 10,
          name: logAxis ? 'log scale' : '',
          nameTextStyle: { color: c.muted, fontSize: 11, align: 'left' },
          axisLabel: { color: c.muted, fontSize: 12, formatter: (v) => formatAxis(spec, cols[2], v) },
          splitLine: { lineStyle: { color: c.grid, type: 'dashed' } },
        },
        series: [{ type: 'boxplot', name: readable(cols[2] || 'value'), data, boxWidth: ['24%', '46%'], cursor: 'default' }],
        tooltip: {
          trigger: 'item',
          formatter: (p) => {
            const row = rows[p.dataIndex] || {};
            const vals = cols.slice(0, 5).map((k) => row[k]).reverse();
            const out = vals.map((v, i) => ({ name: names[i], value: formatValue(spec, cols[4 - i], v), strong: i === 2 }));
            for (const k of extraCols) out.push({ name: readable(k), value: formatValue(spec, k, row[k]) });
            return tooltipNode(categoryLabel(xCol, row[xCol], true), out);
          },
        },
      };
    }

    heatmapOption(c) {
      const spec = this.spec;
      const ch = spec.chart;
      const xCol = ch.x;
      const yCol = ch.series;
      const vCol = (ch.y || [])[0];
      const rows = this.visibleRows();
      const xs = distinct(rows.map((r) => r[xCol]));
      const ys = distinct(rows.map((r) => r[yCol]));
      const xi = new Map(xs.map((v, i) => [keyOf(v), i]));
      const yi = new Map(ys.map((v, i) => [keyOf(v), i]));
      const values = rows.map((r) => toNumber(r[vCol]) || 0);
      const max = Math.max(1, ...values);
      const rowTotals = new Map();
      for (const r of rows) rowTotals.set(keyOf(r[yCol]), (rowTotals.get(keyOf(r[yCol])) || 0) + (toNumber(r[vCol]) || 0));
      const data = rows.map((r) => {
        const v = toNumber(r[vCol]);
        const strong = (v || 0) / max > 0.5;
        return {
          value: [xi.get(keyOf(r[xCol])), yi.get(keyOf(r[yCol])), v],
          label: { color: strong ? '#ffffff' : c.text },
        };
      });
      const xLabels = xs.map((v) => String(axisValue(v)));
      const yLabels = ys.map((v) => String(axisValue(v)));
      return {
        grid: { left: 40, right: 16, top: 28, bottom: 40, containLabel: true },
        xAxis: {
          type: 'category',
          data: xLabels,
          name: readable(xCol),
          nameLocation: 'middle',
          nameGap: 30,
          nameTextStyle: { color: c.muted, fontWeight: 600 },
          axisTick: { show: false },
          axisLine: { show: false },
          axisLabel: { color: c.text, fontSize: 12, formatter: (v) => truncate(categoryLabel(xCol, v), 14) },
          splitArea: { show: false },
        },
        yAxis: {
          type: 'category',
          data: yLabels,
          inverse: true,
          name: readable(yCol),
          nameLocation: 'middle',
          nameGap: 0,
          nameRotate: 90,
          nameTextStyle: { color: c.muted, fontWeight: 600, padding: [0, 0, 80, 0] },
          axisTick: { show: false },
          axisLine: { show: false },
          axisLabel: { color: c.text, fontSize: 12, formatter: (v) => truncate(categoryLabel(yCol, v), 14) },
          splitArea: { show: false },
        },
        visualMap: {
          show: false,
          min: 0,
          max,
          dimension: 2,
          inRange: { color: [c.heatLow, c.heatHigh] },
        },
        series: [{
          type: 'heatmap',
          name: vCol,
          data,
          label: { show: true, fontSize: 15, fontWeight: 700, formatter: (p) => formatValue(spec, vCol, p.value[2]) },
          itemStyle: { borderColor: c.surface, borderWidth: 4, borderRadius: 8 },
          emphasis: { itemStyle: { shadowBlur: 10, shadowColor: 'rgba(0,0,0,0.25)' } },
          cursor: 'default',
        }],
        tooltip: {
          trigger: 'item',
          formatter: (p) => {
            const [x, y, v] = p.value;
            const actualTotal = rowTotals.get(keyOf(ys[y])) || 0;
            const out = [{ color: p.color, name: readable(vCol), value: formatValue(spec, vCol, v) }];
            if (actualTotal) out.push({ name: `Share of ${readable(yCol).toLowerCase()} ${categoryLabel(yCol, ys[y])}`, value: `${nfPct.format((100 * (v || 0)) / actualTotal)}%` });
            return tooltipNode(`${readable(yCol)} ${categoryLabel(yCol, ys[y])} → ${readable(xCol).toLowerCase()} ${categoryLabel(xCol, xs[x])}`, out);
          },
        },
      };
    }

    /** Points read back from the drawn chart (not from the API answer). */
    points() {
      if (this.kind === 'tiles') {
        return [...this.tilesEl.querySelectorAll('.tile[data-column]')].map((t) => ({
          series: 'tiles',
          x: t.dataset.column,
          y: t.dataset.value === '' ? null : (Number.isFinite(Number(t.dataset.value)) ? Number(t.dataset.value) : t.dataset.value),
        }));
      }
      if (!this.chart || this.chart.isDisposed()) return [];
      return pointsFromOption(this.chart.getOption());
    }
  }

  function unwrap(item) {
    if (item != null && typeof item === 'object' && !Array.isArray(item) && 'value' in item) return item.value;
    return item;
  }

  function asNumber(v) {
    if (v == null || v === '-' || v === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }

  function pointsFromOption(opt) {
    const out = [];
    const xAxis = (opt.xAxis || [])[0];
    const yAxis = (opt.yAxis || [])[0];
    const catAxis = xAxis && xAxis.type === 'category' ? xAxis : (yAxis && yAxis.type === 'category' ? yAxis : null);
    const catData = catAxis ? (catAxis.data || []).map(unwrap) : [];
    for (const s of opt.series || []) {
      const data = s.data || [];
      const name = s.name == null ? '' : String(s.name);
      if (s.type === 'bar' || s.type === 'line') {
        data.forEach((item, i) => {
          const v = unwrap(item);
          if (Array.isArray(v)) {
            const y = asNumber(v[1]);
            if (y != null) out.push({ series: name, x: v[0], y });
          } else {
            const y = asNumber(v);
            if (y != null) out.push({ series: name, x: catData[i], y });
          }
        });
      } else if (s.type === 'pie' || s.type === 'wordCloud') {
        for (const item of data) {
          const y = asNumber(unwrap(item));
          if (y != null) out.push({ series: name, x: item.name, y });
        }
      } else if (s.type === 'boxplot') {
        const keys = ['min', 'q1', 'median', 'q3', 'max'];
        const groups = xAxis ? (xAxis.data || []).map(unwrap) : [];
        data.forEach((item, i) => {
          const v = unwrap(item) || [];
          keys.forEach((k, j) => {
            const y = asNumber(v[j]);
            if (y != null) out.push({ series: k, x: groups[i], y });
          });
        });
      } else if (s.type === 'heatmap') {
        const xs = xAxis ? (xAxis.data || []).map(unwrap) : [];
        const ys = yAxis ? (yAxis.data || []).map(unwrap) : [];
        for (const item of data) {
          const v = unwrap(item) || [];
          const y = asNumber(v[2]);
          if (y != null) out.push({ series: String(ys[v[1]]), x: xs[v[0]], y });
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Cluster page
  // ---------------------------------------------------------------------------------------------

  class ClusterSection {
    constructor(id, title, description) {
      this.id = id;
      const shell = panelShell({ id, title, description, span: 12 });
      this.el = shell.el;
      this.el.classList.add('panel-cluster');
      this.body = shell.body;
      this.summary = h('div', { class: 'cluster-summary' });
      shell.head.append(this.summary);
      this.body.append(skeleton('table'));
    }

    setState(s) {
      this.el.dataset.state = s;
      this.el.setAttribute('aria-busy', s === 'loading' ? 'true' : 'false');
      updateReady();
    }

    setContent(node, s) {
      this.body.replaceChildren(node);
      this.setState(s);
    }

    points() { return []; }

    destroy() {}
  }

  function statusClass(status) {
    const s = String(status || '').toLowerCase();
    if (['successful', 'success', 'succeeded', 'completed', 'complete', 'done'].includes(s)) return 'ok';
    if (['running', 'active', 'in_progress'].includes(s)) return 'run';
    if (['failed', 'failure', 'error', 'killed', 'cancelled', 'canceled'].includes(s)) return 'fail';
    return 'idle';
  }

  function setupCluster() {
    const ex = new ClusterSection('cluster_executors', 'Executors', 'Registered executors, their task slots and heartbeats.');
    const jobs = new ClusterSection('cluster_jobs', 'Jobs', 'The 20 most recent jobs, newest first, with the task progress of every stage.');
    state.views.set(ex.id, ex);
    state.views.set(jobs.id, jobs);
    $('#grid').append(ex.el, jobs.el);
    updateReady();
    pollCluster();
    state.clusterTimer = setInterval(pollCluster, CLUSTER_INTERVAL_MS);
  }

  async function pollCluster() {
    if (state.clusterInFlight) return;
    const token = state.pageToken;
    state.clusterInFlight = true;
    let data;
    try {
      data = await fetchJSON('/api/v1/cluster');
    } catch (err) {
      state.clusterInFlight = false;
      if (token !== state.pageToken) return;
      for (const id of ['cluster_executors', 'cluster_jobs']) {
        const v = state.views.get(id);
        if (!v) continue;
        v.summary.replaceChildren();
        v.setContent(messageBox('error', err.message || String(err), () => pollCluster()), 'error');
      }
      return;
    }
    state.clusterInFlight = false;
    if (token !== state.pageToken) return;
    renderCluster(data);
  }

  function renderCluster(data) {
    const ex = state.views.get('cluster_executors');
    const jobs = state.views.get('cluster_jobs');
    if (!ex || !jobs) return;
    if (!data.available) {
      const reason = data.reason ? `The cluster is unavailable: ${data.reason}` : 'The cluster is unavailable.';
      for (const v of [ex, jobs]) {
        v.summary.replaceChildren();
        v.setContent(messageBox('empty', reason), 'empty');
      }
      return;
    }
    renderExecutors(ex, data.executors || []);
    renderJobs(jobs, data.jobs || []);
  }

  function summaryChips(section, items) {
    section.summary.replaceChildren(...items.map(([label, value, cls]) =>
      h('span', { class: 'summary-chip' + (cls ? ' ' + cls : '') }, h('strong', null, value), ' ', label)));
  }

  function renderExecutors(section, executors) {
    const vcores = executors.reduce((s, e) => s + (e.vcores || 0), 0);
    const running = executors.reduce((s, e) => s + (e.running_tasks || 0), 0);
    const free = executors.reduce((s, e) => s + (e.free_slots || 0), 0);
    summaryChips(section, [
      [executors.length === 1 ? 'executor' : 'executors', nfInt.format(executors.length)],
      ['vCores', nfInt.format(vcores)],
      ['free slots', nfInt.format(free)],
      [running === 1 ? 'running task' : 'running tasks', nfInt.format(running), running ? 'is-busy' : ''],
    ]);
    if (!executors.length) {
      section.setContent(messageBox('empty', 'No executor has registered with the scheduler yet.'), 'empty');
      return;
    }
    const table = h('table', { class: 'data-table cluster-table' },
      h('caption', { class: 'visually-hidden' }, 'Executors'),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Executor'),
        h('th', { scope: 'col' }, 'Address'),
        h('th', { scope: 'col', class: 'num' }, 'vCores'),
        h('th', { scope: 'col', class: 'num' }, 'Free slots'),
        h('th', { scope: 'col', class: 'num' }, 'Running tasks'),
        h('th', { scope: 'col' }, 'Load'),
        h('th', { scope: 'col' }, 'Last heartbeat'))));
    const tbody = h('tbody');
    for (const e of executors) {
      const hb = e.seconds_since_heartbeat;
      const stale = hb != null && hb > 15;
      const load = e.vcores ? Math.min(1, (e.running_tasks || 0) / e.vcores) : 0;
      const meter = h('span', { class: 'meter', role: 'img', 'aria-label': `${Math.round(load * 100)}% of slots busy` }, h('span', { class: 'meter-fill' }));
      meter.firstChild.style.width = `${Math.round(load * 100)}%`;
      tbody.append(h('tr', null,
        h('td', null, h('span', { class: 'exec-id' }, h('span', { class: 'health-dot' + (stale ? ' is-stale' : ''), 'aria-hidden': 'true' }), h('code', null, String(e.id)))),
        h('td', null, h('code', null, `${e.host}:${e.port}`)),
        h('td', { class: 'num' }, formatValue(null, 'vcores', e.vcores)),
        h('td', { class: 'num' }, formatValue(null, 'free_slots', e.free_slots)),
        h('td', { class: 'num' }, formatValue(null, 'running_tasks', e.running_tasks)),
        h('td', null, meter),
        h('td', { class: stale ? 'text-warn' : null }, hb == null ? '—' : `${hb} s ago`)));
    }
    table.append(tbody);
    section.setContent(h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Executors table' }, table), 'ready');
  }

  function stageProgress(stage) {
    const tasks = stage.tasks || 0;
    const ok = stage.successful || 0;
    const run = stage.running || 0;
    const failed = stage.failed || 0;
    const pct = (n) => (tasks ? Math.min(100, (100 * n) / tasks) : 0);
    const bar = h('span', { class: 'progress', 'aria-hidden': 'true' },
      h('span', { class: 'progress-ok' }), h('span', { class: 'progress-run' }), h('span', { class: 'progress-fail' }));
    bar.children[0].style.width = pct(ok) + '%';
    bar.children[1].style.width = pct(run) + '%';
    bar.children[2].style.width = pct(failed) + '%';
    const label = `${ok}/${tasks}`;
    const title = `Stage ${stage.stage_id}: ${ok} of ${tasks} tasks successful` + (run ? `, ${run} running` : '') + (failed ? `, ${failed} failed` : '');
    return h('div', { class: 'stage', title },
      h('span', { class: 'stage-name' }, `Stage ${stage.stage_id}`),
      bar,
      h('span', { class: 'stage-count' }, h('span', { class: 'visually-hidden' }, title + ' — '), label));
  }

  function renderJobs(section, jobs) {
    const count = (cls) => jobs.filter((j) => statusClass(j.status) === cls).length;
    summaryChips(section, [
      [jobs.length === 1 ? 'job' : 'jobs', nfInt.format(jobs.length)],
      ['running', nfInt.format(count('run')), count('run') ? 'is-busy' : ''],
      ['failed', nfInt.format(count('fail')), count('fail') ? 'is-bad' : ''],
    ]);
    if (!jobs.length) {
      section.setContent(messageBox('empty', 'No job has run on the cluster yet.'), 'empty');
      return;
    }
    const sorted = jobs; // the server lists them newest first
    const table = h('table', { class: 'data-table cluster-table jobs-table' },
      h('caption', { class: 'visually-hidden' }, 'Jobs, newest first'),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Job'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col', class: 'num' }, 'Duration'),
        h('th', { scope: 'col' }, 'Stages (successful/tasks)'))));
    const tbody = h('tbody');
    for (const j of sorted) {
      const cls = statusClass(j.status);
      const end = j.end_time || (cls === 'run' ? Date.now() : null);
      const duration = j.start_time && end ? end - j.start_time : null;
      const started = j.start_time ? new Date(j.start_time).toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—';
      const nameCell = h('td', { class: 'job-cell' },
        h('div', { class: 'job-name' }, j.job_name || '(unnamed)'),
        h('div', { class: 'job-id' }, h('code', null, String(j.job_id))));
      if (j.error) nameCell.append(h('div', { class: 'job-error' }, String(j.error)));
      const stages = h('div', { class: 'stages' }, (j.stages || []).map(stageProgress));
      if (!(j.stages || []).length) stages.append(h('span', { class: 'muted' }, 'no stages yet'));
      tbody.append(h('tr', { class: `job-${cls}` },
        nameCell,
        h('td', null, h('span', { class: `status-badge status-${cls}` }, String(j.status || 'unknown'))),
        h('td', { class: 'nowrap' }, started),
        h('td', { class: 'num nowrap' }, formatDuration(duration)),
        h('td', null, stages)));
    }
    table.append(tbody);
    section.setContent(h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Jobs table' }, table), 'ready');
  }

  // ---------------------------------------------------------------------------------------------
  // Pages
  // ---------------------------------------------------------------------------------------------

  function teardownPage() {
    state.pageToken++;
    for (const v of state.views.values()) v.destroy();
    state.views.clear();
    if (state.clusterTimer) clearInterval(state.clusterTimer);
    state.clusterTimer = null;
    state.clusterInFlight = false;
    $('#grid').replaceChildren();
  }

  function pageMessage(kind, text, onRetry) {
    const card = h('section', { class: 'panel span-12 page-message', 'aria-label': kind === 'error' ? 'Error' : 'Notice' });
    card.append(messageBox(kind, text, onRetry));
    $('#grid').replaceChildren(card);
  }

  async function showPage(opts = {}) {
    teardownPage();
    const token = state.pageToken;
    const page = pageFromPath(location.pathname);
    state.page = page;
    document.body.dataset.page = page.id;
    state.pageBusy = true;
    document.body.dataset.ready = 'false';
    document.title = `${page.title} · reviewlake`;
    $('#page-title').textContent = page.title;
    $('#page-blurb').textContent = page.blurb;
    updateNavLinks();
    renderActiveFilters();
    if (opts.focus) $('#main').focus({ preventScroll: true });

    if (page.id === 'notfound') {
      const box = h('div', null, messageBox('empty', `There is no page at ${location.pathname}.`));
      const link = h('a', { class: 'btn btn-primary', href: '/' + filterQuery(state.filters, true), 'data-page': 'overview' }, 'Go to the overview');
      box.firstChild.append(link);
      $('#grid').replaceChildren(h('section', { class: 'panel span-12 page-message', 'aria-label': 'Page not found' }, box));
      state.pageBusy = false;
      updateReady();
      return;
    }
    if (page.id === 'cluster') {
      state.pageBusy = false;
      setupCluster();
      return;
    }

    if (!state.catalog) {
      // Placeholder cards while the catalog loads (only the first time).
      const spans = [12, 6, 6];
      $('#grid').replaceChildren(...spans.map((span) => h('div', { class: `panel panel-placeholder span-${span}`, 'aria-hidden': 'true' },
        h('div', { class: 'panel-head' }, h('div', { class: 'skeleton-line skeleton-title' })),
        h('div', { class: 'panel-body' }, skeleton(span === 12 ? 'tiles' : 'chart')))));
    }
    let catalog;
    try {
      catalog = await loadCatalog();
    } catch (err) {
      if (token !== state.pageToken) return;
      pageMessage('error', `The panel catalog could not be loaded: ${err.message}`, () => showPage());
      state.pageBusy = false;
      updateReady();
      return;
    }
    if (token !== state.pageToken) return;
    const def = (catalog.pages || []).find((p) => p.id === page.id);
    const ids = def && Array.isArray(def.panels)
      ? def.panels
      : (catalog.panels || []).filter((p) => p.page === page.id).map((p) => p.id);
    const byId = new Map((catalog.panels || []).map((p) => [p.id, p]));
    const grid = $('#grid');
    grid.replaceChildren();
    for (const id of ids) {
      const spec = byId.get(id);
      if (!spec || state.views.has(id)) continue;
      const view = new PanelView(spec, page.id);
      state.views.set(id, view);
      grid.append(view.el);
    }
    // Medium screens show every panel at half width: an odd last one takes the whole row.
    const halves = [...state.views.values()].filter((v) => !v.el.classList.contains('span-12'));
    if (halves.length % 2 === 1) halves[halves.length - 1].el.classList.add('fill-row');
    state.pageBusy = false;
    if (!state.views.size) {
      pageMessage('empty', 'This page has no panels.');
      updateReady();
      return;
    }
    updateReady();
    for (const v of state.views.values()) v.load();
  }

  function reloadPanels() {
    if (!state.page) return;
    if (state.page.id === 'cluster') return;
    for (const v of state.views.values()) if (v instanceof PanelView) v.load();
  }

  function navigate(href) {
    const url = new URL(href, location.href);
    if (url.origin !== location.origin) return false;
    history.pushState({}, '', url.pathname + url.search + url.hash);
    state.filters = filtersFromUrl();
    syncFilterControls();
    showPage({ focus: true });
    window.scrollTo({ top: 0, behavior: 'auto' });
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Freshness (server-sent events)
  // ---------------------------------------------------------------------------------------------

  function renderFreshness() {
    const span = $('#freshness');
    const box = span.closest('.freshness');
    const st = state.status;
    box.classList.toggle('is-live', state.live);
    if (!st) {
      span.textContent = state.live ? 'waiting for status…' : 'connecting…';
      return;
    }
    if (st.version == null) {
      span.textContent = 'no gold data yet';
      box.title = 'The gold tables do not exist yet';
      return;
    }
    const n = st.updated_at_ms != null ? secondsAgo(st.updated_at_ms) : null;
    const age = n == null ? '?' : n < 60 ? `${n} s` : formatDuration(n * 1000);
    // "updated" and the version are spans of their own so that a phone-width header can leave them out.
    span.replaceChildren(h('span', { class: 'fresh-label' }, 'updated '), `${age} ago`,
      h('span', { class: 'fresh-version' }, ` · version ${st.version}`));
    box.title = `Gold version ${st.version}` +
      (st.updated_at_ms != null ? `, updated ${new Date(st.updated_at_ms).toLocaleString('en-US')}` : '') +
      (state.live ? '' : ' (reconnecting…)');
  }

  function statusDiffersFromPanels(st) {
    const tables = st && st.tables ? st.tables : {};
    for (const v of state.views.values()) {
      if (!(v instanceof PanelView) || !v.data) continue;
      for (const t of v.data.tables || []) {
        if (t.name in tables && tables[t.name] !== t.version) return true;
      }
    }
    return false;
  }

  let filterReloadTimer = null;
  function onGoldEvent(st) {
    const first = !state.statusSeen;
    state.statusSeen = true;
    state.status = st;
    renderFreshness();
    if (first && !statusDiffersFromPanels(st)) return;
    reloadPanels();
    clearTimeout(filterReloadTimer);
    filterReloadTimer = setTimeout(loadFilterOptions, 500);
  }

  function connectEvents() {
    if (!('EventSource' in window)) return;
    const es = new EventSource('/api/v1/events');
    es.addEventListener('open', () => { state.live = true; renderFreshness(); });
    es.addEventListener('error', () => { state.live = false; renderFreshness(); });
    es.addEventListener('gold', (ev) => {
      let st;
      try { st = JSON.parse(ev.data); } catch (_) { return; }
      state.live = true;
      onGoldEvent(st);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Boot
  // ---------------------------------------------------------------------------------------------

  function bindControls() {
    $('#filter-category').addEventListener('change', (e) => setFilters({ ...state.filters, category: e.target.value }));
    $('#filter-brand').addEventListener('change', (e) => setFilters({ ...state.filters, brand: e.target.value }));
    for (const [id, key] of [['#filter-from', 'from'], ['#filter-to', 'to']]) {
      $(id).addEventListener('change', (e) => {
        const v = e.target.value;
        if (v === '' || MONTH_RE.test(v)) setFilters({ ...state.filters, [key]: v });
      });
    }
    $('#filter-clear').addEventListener('click', () => setFilters({ category: '', brand: '', from: '', to: '' }));
    $('#filters').addEventListener('submit', (e) => e.preventDefault());
    $('#theme-toggle').addEventListener('click', toggleTheme);

    document.addEventListener('click', (e) => {
      const a = e.target.closest && e.target.closest('a[data-page]');
      if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      if (navigate(a.href)) e.preventDefault();
    });
    window.addEventListener('popstate', () => {
      state.filters = filtersFromUrl();
      syncFilterControls();
      showPage();
    });

    let resizeQueued = false;
    window.addEventListener('resize', () => {
      if (resizeQueued) return;
      resizeQueued = true;
      requestAnimationFrame(() => {
        resizeQueued = false;
        for (const v of state.views.values()) if (v instanceof PanelView) v.onResize();
      });
    });

    if (window.matchMedia) {
      const mq = matchMedia('(prefers-reduced-motion: reduce)');
      state.reducedMotion = mq.matches;
      mq.addEventListener('change', () => { state.reducedMotion = mq.matches; });
    }
    setInterval(renderFreshness, 1000);
  }

  window.reviewlakeDashboard = {
    chartPoints(panelId) {
      const v = state.views.get(panelId);
      return v ? v.points() : [];
    },
    panels() {
      return [...state.views.keys()];
    },
    filters() {
      return { ...state.filters };
    },
    refresh() {
      reloadPanels();
    },
  };

  function boot() {
    if (typeof echarts === 'undefined') {
      document.body.dataset.page = pageFromPath(location.pathname).id;
      pageMessage('error', 'The chart library did not load.');
      document.body.dataset.ready = 'true';
      return;
    }
    applyTheme(initialTheme(), false);
    state.filters = filtersFromUrl();
    bindControls();
    syncFilterControls();
    loadFilterOptions();
    showPage();
    connectEvents();
    renderFreshness();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();
