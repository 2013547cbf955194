// Browser end-to-end test of the reviewlake insight dashboard.
//
// Drives Debian's Chromium through playwright-core over every page of the dashboard, in both
// themes and at a desktop and a phone size, and writes what it saw to OUT_DIR/report.json:
// console errors and warnings, failed and foreign requests, serious accessibility violations
// (axe-core), a screenshot, what every chart shows, the effect of the filters, whether each
// panel's CSV holds the same rows as its JSON, and the header's freshness line.
// It judges nothing itself: the Rust test reads the report and asserts. It exits 1 only when the
// browser cannot be started or the server cannot be reached at all.
//
// Environment:
//   DASHBOARD_URL   the server, e.g. http://127.0.0.1:8080
//   OUT_DIR         where screenshots/ and report.json go
//   NODE_PATH       the node_modules folder holding playwright-core and axe-core
//                   (scripts/browser-env.sh prints it)
//   CHROMIUM        the browser executable, /usr/bin/chromium by default
//   LIVE_CHECK=1    instead of the above, watch the overview's `reviews` tile change without a
//                   reload (a streaming source feeds the lake) and write OUT_DIR/live.json;
//                   LIVE_TIMEOUT_MS bounds the wait (10000 by default)

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const PAGES = [
  { id: 'overview', path: '/' },
  { id: 'sentiment', path: '/sentiment' },
  { id: 'trends', path: '/trends' },
  { id: 'themes', path: '/themes' },
  { id: 'focus', path: '/focus' },
  { id: 'brands', path: '/brands' },
  { id: 'engagement', path: '/engagement' },
  { id: 'prices', path: '/prices' },
  { id: 'cluster', path: '/cluster' },
  { id: 'model', path: '/model' },
];
const THEMES = ['light', 'dark'];
const SIZES = {
  desktop: { viewport: { width: 1440, height: 900 }, isMobile: false, hasTouch: false },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const READY_TIMEOUT_MS = 30_000;
const NAVIGATION_TIMEOUT_MS = 30_000;
const FETCH_TIMEOUT_MS = 30_000;
// The chart whose first bar the filter check clicks, on the page that shows it.
const CLICK_PAGE = '/focus';
const CLICK_PANEL = 'negative_by_category';

const progress = (line) => process.stderr.write(`dashboard: ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const message = (err) => (err && err.message ? err.message.split('\n')[0] : String(err));

function die(why) {
  process.stderr.write(`dashboard.mjs: ${why}\n`);
  process.exit(1);
}

// ES-module imports ignore NODE_PATH, so resolve the two packages from its folders explicitly.
function loadPackages() {
  const folders = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  const tried = [];
  for (const folder of folders) {
    // A require rooted at a file inside the folder searches the folder itself (it is a
    // node_modules folder) and, should it be the project folder, its node_modules.
    const require = createRequire(path.join(path.resolve(folder), 'reviewlake-resolve.cjs'));
    try {
      const playwright = require('playwright-core');
      const axeDir = path.dirname(require.resolve('axe-core/package.json'));
      return { playwright, axePath: path.join(axeDir, 'axe.min.js') };
    } catch (err) {
      tried.push(`${folder}: ${message(err)}`);
    }
  }
  die(`cannot load playwright-core and axe-core from NODE_PATH=${process.env.NODE_PATH || '(unset)'}` +
    (tried.length ? ` (${tried.join('; ')})` : '') + '; run scripts/browser-env.sh and pass its output');
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180) and its comparison with the JSON rows

function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records = [];
  let record = [];
  let field = '';
  let state = 'start'; // start | plain | quoted | closed (just after a closing quote)
  let pending = false; // something has been read since the last record ended
  const endField = () => {
    record.push(field);
    field = '';
    state = 'start';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state === 'quoted') {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          state = 'closed';
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c === ',') {
      endField();
      pending = true;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      endField();
      records.push(record);
      record = [];
      pending = false;
    } else if (state === 'closed') {
      throw new Error(`character ${JSON.stringify(c)} after a closing quote at offset ${i}`);
    } else if (c === '"') {
      if (state === 'plain') throw new Error(`quote inside an unquoted field at offset ${i}`);
      state = 'quoted';
      pending = true;
    } else {
      field += c;
      state = 'plain';
      pending = true;
    }
  }
  if (state === 'quoted') throw new Error('unterminated quoted field at the end');
  if (pending) {
    endField();
    records.push(record);
  }
  return records;
}

function sameCell(value, cell) {
  if (value === null || value === undefined) return cell === '';
  if (typeof value === 'number') {
    if (cell.trim() === '') return false;
    const n = Number(cell);
    if (!Number.isFinite(n)) return false;
    return n === value || Math.abs(n - value) <= 1e-9 * Math.max(1, Math.abs(value));
  }
  if (typeof value === 'boolean') return cell.toLowerCase() === String(value);
  if (typeof value === 'string') return cell === value;
  return cell === JSON.stringify(value);
}

// Returns a list of differences (empty when the CSV holds exactly the JSON rows).
function compareCsv(json, csvText) {
  const columns = (json.columns || []).map((c) => c.name);
  const rows = json.rows || [];
  let table;
  try {
    table = parseCsv(csvText);
  } catch (err) {
    return [`CSV does not parse: ${err.message}`];
  }
  if (table.length === 0) return ['CSV is empty (no header line)'];
  const problems = [];
  const header = table[0];
  if (JSON.stringify(header) !== JSON.stringify(columns)) {
    problems.push(`header ${JSON.stringify(header)} differs from the JSON columns ${JSON.stringify(columns)}`);
    return problems;
  }
  const body = table.slice(1);
  if (body.length !== rows.length) {
    problems.push(`CSV has ${body.length} data lines, JSON ${rows.length} rows`);
  }
  for (let r = 0; r < Math.min(body.length, rows.length) && problems.length < 10; r++) {
    if (body[r].length !== columns.length) {
      problems.push(`CSV line ${r + 2} has ${body[r].length} cells, expected ${columns.length}`);
      continue;
    }
    columns.forEach((name, c) => {
      if (!sameCell(rows[r][name], body[r][c])) {
        problems.push(`row ${r} column ${name}: JSON ${JSON.stringify(rows[r][name])}, CSV ${JSON.stringify(body[r][c])}`);
      }
    });
  }
  return problems.slice(0, 10);
}

function queryLabel(query) {
  const parts = [...(query || new URLSearchParams()).entries()].map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? parts.join('&') : 'unfiltered';
}

async function checkCsv(base, id, query) {
  const qs = query && query.toString() ? `?${query}` : '';
  const label = `[${queryLabel(query)}]`;
  const jsonResponse = await fetch(`${base}/api/v1/panels/${encodeURIComponent(id)}${qs}`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  const jsonText = await jsonResponse.text();
  if (!jsonResponse.ok) return { rows: null, problems: [`${label} JSON answered ${jsonResponse.status}: ${jsonText.slice(0, 200)}`] };
  let json;
  try {
    json = JSON.parse(jsonText);
  } catch (err) {
    return { rows: null, problems: [`${label} JSON does not parse: ${err.message}`] };
  }
  const csvResponse = await fetch(`${base}/api/v1/panels/${encodeURIComponent(id)}.csv${qs}`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  const csvText = await csvResponse.text();
  const problems = [];
  if (!csvResponse.ok) {
    problems.push(`CSV answered ${csvResponse.status}: ${csvText.slice(0, 200)}`);
  } else {
    const type = csvResponse.headers.get('content-type') || '';
    if (!/^text\/csv\b/i.test(type)) problems.push(`CSV content-type is ${JSON.stringify(type)}`);
    const disposition = csvResponse.headers.get('content-disposition') || '';
    if (!/^attachment\b/i.test(disposition) || !disposition.includes(`filename="${id}.csv"`)) {
      problems.push(`CSV content-disposition is ${JSON.stringify(disposition)}`);
    }
    problems.push(...compareCsv(json, csvText));
  }
  return { rows: (json.rows || []).length, problems: problems.map((p) => `${label} ${p}`) };
}

// ---------------------------------------------------------------------------------------------
// In-page helpers (run inside the browser)

// Every panel of the page: its state, the chart's points as the page reads them back from ECharts,
// and its tiles' raw values.
function readPanels() {
  const api = window.reviewlakeDashboard;
  const sections = [...document.querySelectorAll('section.panel[data-panel-id]')];
  let ids;
  let apiError = null;
  try {
    ids = api.panels();
  } catch (err) {
    apiError = `reviewlakeDashboard.panels() failed: ${err && err.message}`;
    ids = sections.map((s) => s.dataset.panelId);
  }
  const domIds = sections.map((s) => s.dataset.panelId);
  const panels = {};
  for (const id of ids) {
    const section = sections.find((s) => s.dataset.panelId === id);
    const entry = { state: section ? section.dataset.state ?? null : null, points: null, tiles: {} };
    if (!section) entry.error = 'no <section class="panel"> with this data-panel-id';
    try {
      entry.points = api.chartPoints(id);
    } catch (err) {
      entry.error = `chartPoints failed: ${err && err.message}`;
    }
    if (section) {
      for (const tile of section.querySelectorAll('.tile[data-column]')) {
        const raw = tile.dataset.value;
        const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
        entry.tiles[tile.dataset.column] = Number.isFinite(n) ? n : raw ?? null;
      }
    }
    panels[id] = entry;
  }
  return { ids, domIds, apiError, panels };
}

function panelsStillLoading() {
  return [...document.querySelectorAll('section.panel[data-state="loading"]')].map((s) => s.dataset.panelId);
}

function isReady() {
  return !!document.body && document.body.dataset.ready === 'true';
}

function isSettled() {
  return !!document.body && document.body.dataset.ready === 'true' &&
    !document.querySelector('section.panel[data-state="loading"]');
}

// Where on the screen the first bar of a panel's chart is, from the ECharts instance's own layout
// (the chart is scrolled into the middle of the viewport first).
function locateFirstBar(panelId) {
  const section = document.querySelector(`section.panel[data-panel-id="${CSS.escape(panelId)}"]`);
  if (!section) return { error: `no panel ${panelId} on the page` };
  const echarts = window.echarts;
  if (!echarts || typeof echarts.getInstanceByDom !== 'function') return { error: 'window.echarts is missing' };
  const holder = [section, ...section.querySelectorAll('*')].find((el) => echarts.getInstanceByDom(el));
  if (!holder) return { error: `no ECharts instance inside panel ${panelId}` };
  holder.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
  const chart = echarts.getInstanceByDom(holder);
  let pixel = null;
  let name = null;
  let index = null;
  try {
    const data = chart.getModel().getSeriesByIndex(0).getData();
    for (let i = 0; i < data.count(); i++) {
      const box = data.getItemLayout(i);
      if (box && Math.abs(box.width) >= 2 && Math.abs(box.height) >= 2) {
        pixel = [box.x + box.width / 2, box.y + box.height / 2];
        name = data.getName(i);
        index = i;
        break;
      }
    }
  } catch (err) {
    // fall back to the public conversion below
  }
  if (!pixel) {
    const option = chart.getOption();
    const series = (option.series || [])[0];
    if (!series || !Array.isArray(series.data) || series.data.length === 0) return { error: 'the chart has no bar data' };
    const horizontal = ((option.yAxis || [])[0] || {}).type === 'category';
    const item = series.data[0];
    let value = item !== null && typeof item === 'object' && !Array.isArray(item) ? item.value : item;
    if (Array.isArray(value)) value = horizontal ? value[0] : value[1];
    value = Number(value) || 0;
    pixel = chart.convertToPixel({ seriesIndex: 0 }, horizontal ? [value / 2, 0] : [0, value / 2]);
    const axis = ((horizontal ? option.yAxis : option.xAxis) || [])[0] || {};
    name = item && item.name !== undefined ? item.name : (axis.data || [])[0] ?? null;
    index = 0;
  }
  let root = holder;
  try {
    root = chart.getZr().painter.getViewportRoot() || holder;
  } catch (err) {
    root = holder;
  }
  const rect = root.getBoundingClientRect();
  const x = rect.left + pixel[0];
  const y = rect.top + pixel[1];
  const hit = document.elementFromPoint(x, y);
  return {
    x,
    y,
    name: name === null || name === undefined ? null : String(name),
    index,
    hits_chart: !!hit && holder.contains(hit),
  };
}

// ---------------------------------------------------------------------------------------------
// The run

class Run {
  constructor(base, outDir, browser, axePath) {
    this.base = base;
    this.origin = new URL(base).origin;
    this.outDir = outDir;
    this.browser = browser;
    this.axePath = axePath;
    this.catalog = null;
    this.report = { base, pages: {}, panels: {}, filter: {}, csv: {}, freshness: null, errors: [] };
  }

  // A fresh context (cookies, storage) for every load. Its colour scheme is the opposite of the
  // theme asked for, so the page must honour ?theme= over prefers-color-scheme.
  async newPage(size, theme, record) {
    const spec = SIZES[size];
    const context = await this.browser.newContext({
      viewport: spec.viewport,
      deviceScaleFactor: 1,
      isMobile: spec.isMobile,
      hasTouch: spec.hasTouch,
      colorScheme: theme === 'dark' ? 'light' : 'dark',
      // The dashboard turns chart animations off for this, so pictures and clicks meet still charts.
      reducedMotion: 'reduce',
      bypassCSP: true, // axe-core is injected as an inline script
      acceptDownloads: false,
    });
    context.setDefaultTimeout(NAVIGATION_TIMEOUT_MS);
    const aborted = new WeakSet();
    const foreign = record ? record.foreign : [];
    await context.route(
      (url) => url.origin !== this.origin && /^(https?|wss?):$/.test(url.protocol),
      async (route) => {
        const request = route.request();
        aborted.add(request);
        foreign.push(request.url());
        await route.abort('blockedbyclient').catch(() => {});
      },
    );
    const page = await context.newPage();
    const watch = { on: !!record };
    if (record) {
      page.on('console', (msg) => {
        if (!watch.on) return;
        const type = msg.type();
        if (type !== 'error' && type !== 'warning') return;
        const where = msg.location();
        record.console.push({
          type,
          text: msg.text(),
          location: where && where.url ? `${where.url}:${where.lineNumber}:${where.columnNumber}` : null,
        });
      });
      page.on('pageerror', (err) => {
        if (watch.on) record.console.push({ type: 'pageerror', text: String(err && err.stack ? err.stack : err), location: null });
      });
      page.on('requestfailed', (request) => {
        if (!watch.on || aborted.has(request)) return;
        const failure = request.failure();
        record.failed.push({ url: request.url(), method: request.method(), status: null, error: failure ? failure.errorText : 'failed' });
      });
      page.on('response', (response) => {
        if (watch.on && response.status() >= 400) {
          const request = response.request();
          record.failed.push({ url: response.url(), method: request.method(), status: response.status(), error: null });
        }
      });
      page.on('websocket', (ws) => {
        if (watch.on && new URL(ws.url()).origin.replace(/^ws/, 'http') !== this.origin) record.foreign.push(ws.url());
      });
    }
    const close = async () => {
      watch.on = false;
      await context.close().catch(() => {});
    };
    return { page, close };
  }

  // Waits for the page to say it is ready; returns the panels still loading ([] when ready).
  async waitReady(page, timeout = READY_TIMEOUT_MS) {
    try {
      await page.waitForFunction(isReady, null, { timeout, polling: 100 });
      return [];
    } catch (err) {
      const loading = await page.evaluate(panelsStillLoading).catch(() => []);
      return loading.length ? loading : ['document.body.dataset.ready'];
    }
  }

  // After a filter change: waits until every panel has its new data drawn and the charts stop
  // changing (a panel may keep its old drawing while the new rows are on the way).
  async waitRedrawn(page, before) {
    const start = Date.now();
    let previous = null;
    while (Date.now() - start < 10_000) {
      await page.waitForFunction(isSettled, null, { timeout: READY_TIMEOUT_MS, polling: 100 }).catch(() => {});
      const now = JSON.stringify(await this.points(page));
      // Two equal readings in a row: done once they differ from before, or after 3 s regardless
      // (a filter may leave some charts as they were).
      if (now === previous && (now !== before || Date.now() - start > 3_000)) return;
      previous = now;
      await sleep(300);
    }
  }

  async points(page) {
    const read = await page.evaluate(readPanels).catch((err) => ({ panels: {}, apiError: message(err) }));
    const out = {};
    for (const [id, p] of Object.entries(read.panels || {})) out[id] = p.points;
    return out;
  }

  async tiles(page, panelId) {
    const read = await page.evaluate(readPanels).catch(() => ({ panels: {} }));
    const panel = (read.panels || {})[panelId];
    return panel ? panel.tiles : null;
  }

  async load(page, pathAndQuery) {
    await page.goto(this.base + pathAndQuery, { waitUntil: 'domcontentloaded', timeout: NAVIGATION_TIMEOUT_MS });
  }

  async fetchCatalog() {
    try {
      const response = await fetch(`${this.base}/api/v1/panels`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      this.catalog = await response.json();
    } catch (err) {
      this.report.errors.push(`GET /api/v1/panels: ${message(err)}`);
    }
  }

  catalogPanels(pageId) {
    const page = ((this.catalog && this.catalog.pages) || []).find((p) => p.id === pageId);
    return page ? page.panels : null;
  }

  async visit(spec, theme, size) {
    const key = `${theme}-${size}`;
    const record = { console: [], failed: [], foreign: [], axe: [], screenshot: null, missing_ready: [], errors: [] };
    ((this.report.pages[spec.id] ||= {}))[key] = record;
    const started = Date.now();
    const { page, close } = await this.newPage(size, theme, record);
    try {
      try {
        await this.load(page, `${spec.path}?theme=${theme}`);
      } catch (err) {
        record.errors.push(`navigation: ${message(err)}`);
      }
      record.missing_ready = await this.waitReady(page);
      const seen = await page.evaluate(() => ({
        page: document.body ? document.body.dataset.page ?? null : null,
        theme: document.documentElement.dataset.theme ?? null,
        heading: document.querySelector('#page-title')?.textContent ?? null,
        blurb: document.querySelector('#page-blurb')?.textContent ?? null,
        title: document.title,
        // The header's brand, freshness chip and theme button side by side, none cut or overlapping.
        header: (() => {
          const boxes = ['.brand', '.freshness', '#theme-toggle'].map((sel) => document.querySelector(sel)?.getBoundingClientRect());
          if (boxes.some((b) => !b)) return 'missing';
          const problems = [];
          for (let i = 0; i + 1 < boxes.length; i++) {
            if (boxes[i].top < boxes[i + 1].bottom && boxes[i + 1].top < boxes[i].bottom && boxes[i].right > boxes[i + 1].left + 0.5) problems.push(`item ${i} overlaps item ${i + 1}`);
          }
          const name = document.querySelector('.brand-name');
          if (name && name.scrollWidth > name.clientWidth + 1) problems.push('the brand name is cut');
          if (boxes.some((b) => b.right > window.innerWidth + 0.5)) problems.push('the header is wider than the window');
          return problems.join('; ');
        })(),
      })).catch(() => ({}));
      record.header = seen.header ?? 'not measured';
      record.heading = seen.heading ?? null;
      record.blurb = seen.blurb ?? null;
      record.title = seen.title ?? null;
      if (seen.page !== spec.id) record.errors.push(`document.body.dataset.page is ${JSON.stringify(seen.page)}, expected ${JSON.stringify(spec.id)}`);
      if (seen.theme !== theme) record.errors.push(`documentElement.dataset.theme is ${JSON.stringify(seen.theme)}, expected ${JSON.stringify(theme)}`);

      if (theme === 'light' && size === 'desktop') await this.collectPanels(page, spec, record);
      if (spec.id === 'overview' && theme === 'light' && size === 'desktop') await this.readFreshness(page);

      await sleep(500); // let the charts settle (animations are off, layout may still move)
      const file = path.join(this.outDir, 'screenshots', `${spec.id}-${theme}-${size}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
        record.screenshot = file;
      } catch (err) {
        record.errors.push(`screenshot: ${message(err)}`);
      }
      await this.runAxe(page, record);
    } finally {
      await close();
    }
    const ms = Date.now() - started;
    const readiness = record.missing_ready.length ? `NOT READY (${record.missing_ready.join(', ')})` : 'ready';
    progress(`${spec.id} ${theme} ${size}: ${readiness} in ${ms} ms; ${record.console.length} console, ` +
      `${record.failed.length} failed, ${record.foreign.length} foreign, ${record.axe.length} axe` +
      (record.errors.length ? `; ${record.errors.join('; ')}` : ''));
  }

  async collectPanels(page, spec, record) {
    const read = await page.evaluate(readPanels).catch((err) => ({ ids: [], domIds: [], panels: {}, apiError: message(err) }));
    if (read.apiError) record.errors.push(read.apiError);
    if (JSON.stringify(read.ids) !== JSON.stringify(read.domIds)) {
      record.errors.push(`reviewlakeDashboard.panels() is ${JSON.stringify(read.ids)} but the page has sections ${JSON.stringify(read.domIds)}`);
    }
    const expected = this.catalogPanels(spec.id);
    if (expected && JSON.stringify([...expected].sort()) !== JSON.stringify([...(read.ids || [])].sort())) {
      record.errors.push(`the catalog lists panels ${JSON.stringify(expected)} for this page, the page shows ${JSON.stringify(read.ids)}`);
    }
    for (const [id, panel] of Object.entries(read.panels || {})) {
      if (this.report.panels[id]) {
        this.report.panels[id].pages.push(spec.id);
        continue;
      }
      this.report.panels[id] = { state: panel.state, points: panel.points, tiles: panel.tiles, pages: [spec.id] };
      if (panel.error) this.report.panels[id].error = panel.error;
    }
  }

  async readFreshness(page) {
    const text = () => {
      const el = document.getElementById('freshness');
      return el ? el.textContent.trim() : null;
    };
    await page.waitForFunction(() => {
      const el = document.getElementById('freshness');
      return !!el && /\d/.test(el.textContent);
    }, null, { timeout: 5_000, polling: 200 }).catch(() => {});
    this.report.freshness = await page.evaluate(text).catch(() => null);
  }

  async runAxe(page, record) {
    try {
      await page.addScriptTag({ path: this.axePath });
      record.axe = await page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ['violations'] });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            targets: v.nodes.map((n) => [].concat(n.target).flat(Infinity).join(' ')),
          }));
      });
    } catch (err) {
      record.errors.push(`axe: ${message(err)}`);
    }
  }

  // Clicks the first bar of the focus page's negative_by_category chart like a person would and
  // records how the URL and the charts change, then the overview's tiles under the same filter.
  async filterByClick() {
    const out = { search: null, kpis_before: null, kpis_after: null, clicked: null, points_before: null, points_after: null, changed: [], errors: [] };
    this.report.filter.click = out;
    const { page, close } = await this.newPage('desktop', 'light', null);
    try {
      await this.load(page, '/');
      if ((await this.waitReady(page)).length) out.errors.push('/ did not become ready');
      out.kpis_before = await this.tiles(page, 'kpis');

      await this.load(page, CLICK_PAGE);
      const loading = await this.waitReady(page);
      if (loading.length) out.errors.push(`${CLICK_PAGE} did not become ready: ${loading.join(', ')}`);
      await sleep(700); // entry animations move the bars
      out.points_before = await this.points(page);
      const before = await page.evaluate(() => location.search);
      const target = await page.evaluate(locateFirstBar, CLICK_PANEL);
      out.clicked = target;
      if (target.error) {
        out.errors.push(target.error);
        return;
      }
      if (!target.hits_chart) out.errors.push(`the point (${target.x}, ${target.y}) of the first bar is covered by another element`);
      await page.mouse.move(target.x, target.y, { steps: 4 });
      await sleep(150);
      await page.mouse.click(target.x, target.y);
      await page.waitForFunction((s) => location.search !== s, before, { timeout: 10_000, polling: 100 })
        .catch(() => out.errors.push('location.search did not change within 10 s of the click'));
      out.search = await page.evaluate(() => location.search);
      await this.waitRedrawn(page, JSON.stringify(out.points_before));
      out.points_after = await this.points(page);
      out.changed = Object.keys(out.points_after).filter(
        (id) => JSON.stringify(out.points_after[id]) !== JSON.stringify((out.points_before || {})[id]));

      await this.load(page, `/${out.search || ''}`);
      if ((await this.waitReady(page)).length) out.errors.push(`/${out.search || ''} did not become ready`);
      out.kpis_after = await this.tiles(page, 'kpis');
    } catch (err) {
      out.errors.push(message(err));
    } finally {
      await close();
      progress(`filter by click: search ${JSON.stringify(out.search)}, kpis ${JSON.stringify(out.kpis_before)} -> ${JSON.stringify(out.kpis_after)}` +
        (out.errors.length ? `; ${out.errors.join('; ')}` : ''));
    }
  }

  // Picks the second category of the filter bar's select and records the URL and the tiles.
  async filterBySelect() {
    const out = { search: null, kpis: null, option: null, errors: [] };
    this.report.filter.select = out;
    const { page, close } = await this.newPage('desktop', 'light', null);
    try {
      await this.load(page, '/');
      if ((await this.waitReady(page)).length) out.errors.push('/ did not become ready');
      await page.waitForFunction(() => {
        const select = document.getElementById('filter-category');
        return !!select && select.options.length >= 2;
      }, null, { timeout: 10_000, polling: 100 });
      const before = await this.points(page);
      out.option = await page.evaluate(() => {
        const option = document.getElementById('filter-category').options[1];
        return { value: option.value, label: option.textContent.trim() };
      });
      await page.selectOption('#filter-category', { index: 1 });
      await page.waitForFunction(() => location.search.includes('category='), null, { timeout: 10_000, polling: 100 })
        .catch(() => out.errors.push('location.search has no category= within 10 s of choosing one'));
      await this.waitRedrawn(page, JSON.stringify(before));
      out.search = await page.evaluate(() => location.search);
      out.kpis = await this.tiles(page, 'kpis');
    } catch (err) {
      out.errors.push(message(err));
    } finally {
      await close();
      progress(`filter by select: ${JSON.stringify(out.option && out.option.value)} -> search ${JSON.stringify(out.search)}, kpis ${JSON.stringify(out.kpis)}` +
        (out.errors.length ? `; ${out.errors.join('; ')}` : ''));
    }
  }

  // The category the filter checks used, for the filtered CSV requests.
  async filterCategory() {
    for (const search of [this.report.filter.click?.search, this.report.filter.select?.search]) {
      const category = search ? new URLSearchParams(search).get('category') : null;
      if (category) return category;
    }
    try {
      const filters = await (await fetch(`${this.base}/api/v1/filters`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })).json();
      return (filters.categories || [])[0] ?? null;
    } catch (err) {
      return null;
    }
  }

  async checkAllCsv() {
    const ids = ((this.catalog && this.catalog.panels) || []).map((p) => p.id);
    const category = await this.filterCategory();
    const variants = [new URLSearchParams()];
    if (category) variants.push(new URLSearchParams({ category }));
    let bad = 0;
    for (const id of ids) {
      const problems = [];
      const rows = {};
      for (const query of variants) {
        try {
          const result = await checkCsv(this.base, id, query);
          rows[queryLabel(query)] = result.rows;
          problems.push(...result.problems);
        } catch (err) {
          problems.push(`[${queryLabel(query)}] ${message(err)}`);
        }
      }
      this.report.csv[id] = { ok: problems.length === 0, mismatch: problems.length ? problems.join('; ') : null, rows };
      if (problems.length) bad++;
    }
    progress(`csv: ${ids.length} panels checked (filter category ${JSON.stringify(category)}), ${bad} with mismatches`);
  }

  async all() {
    await this.fetchCatalog();
    for (const size of Object.keys(SIZES)) {
      for (const theme of THEMES) {
        for (const spec of PAGES) {
          try {
            await this.visit(spec, theme, size);
          } catch (err) {
            this.report.errors.push(`${spec.id} ${theme}-${size}: ${message(err)}`);
            progress(`${spec.id} ${theme} ${size}: failed: ${message(err)}`);
          }
        }
      }
    }
    await this.filterByClick();
    await this.filterBySelect();
    await this.checkAllCsv();

    const total = { console: 0, failed: 0, foreign: 0, axe: 0, missing_ready: 0, errors: 0 };
    for (const passes of Object.values(this.report.pages)) {
      for (const record of Object.values(passes)) {
        for (const key of Object.keys(total)) total[key] += record[key].length;
      }
    }
    const csvBad = Object.values(this.report.csv).filter((c) => !c.ok).length;
    progress(`totals over ${PAGES.length * THEMES.length * Object.keys(SIZES).length} page loads: ` +
      Object.entries(total).map(([k, n]) => `${n} ${k}`).join(', ') + `; ${csvBad} CSV mismatches`);
  }

  // RENDER_TIMING=1: milliseconds from navigation to every Overview panel drawn, a new
  // context (empty cache) each run.
  async renderTimes(runs) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const { page, close } = await this.newPage('desktop', 'light', null);
      try {
        const start = Date.now();
        await this.load(page, '/');
        const loading = await this.waitReady(page);
        if (loading.length) throw new Error(`/ did not become ready: ${loading.join(', ')}`);
        times.push(Date.now() - start);
      } finally {
        await close();
      }
    }
    return { overview_ms: times };
  }

  // LIVE_CHECK=1: the overview's reviews tile must change by itself, without a reload.
  async live(timeoutMs) {
    const out = { before: null, after: null, waited_ms: null, reloaded: false, changed: false, errors: [] };
    const { page, close } = await this.newPage('desktop', 'light', null);
    let loads = 0;
    page.on('load', () => loads++);
    try {
      await this.load(page, '/');
      const loading = await this.waitReady(page);
      if (loading.length) out.errors.push(`/ did not become ready: ${loading.join(', ')}`);
      out.before = await this.tiles(page, 'kpis');
      await page.evaluate(() => { window.__reviewlakeLiveMarker = true; });
      // Tells the test driving new data in that the page has read its tiles.
      fs.writeFileSync(path.join(this.outDir, 'live-ready'), '');
      const loadsBefore = loads;
      const start = Date.now();
      const first = out.before ? out.before.reviews : undefined;
      await page.waitForFunction((value) => {
        const tile = document.querySelector('section.panel[data-panel-id="kpis"] .tile[data-column="reviews"]');
        return !!tile && tile.dataset.value !== undefined && tile.dataset.value !== String(value);
      }, first, { timeout: timeoutMs, polling: 100 }).then(() => { out.changed = true; out.changed_at_ms = Date.now(); }, () => {});
      out.waited_ms = Date.now() - start;
      const marker = await page.evaluate(() => window.__reviewlakeLiveMarker === true).catch(() => false);
      out.reloaded = !marker || loads !== loadsBefore;
      if (out.changed) await page.waitForFunction(isSettled, null, { timeout: 5_000, polling: 100 }).catch(() => {});
      out.after = await this.tiles(page, 'kpis');
    } catch (err) {
      out.errors.push(message(err));
    } finally {
      await close();
    }
    progress(`live: reviews ${JSON.stringify(out.before && out.before.reviews)} -> ${JSON.stringify(out.after && out.after.reviews)} after ${out.waited_ms} ms` +
      (out.reloaded ? ' (the page reloaded)' : '') + (out.errors.length ? `; ${out.errors.join('; ')}` : ''));
    return out;
  }
}

async function reachServer(base) {
  let last = null;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const response = await fetch(`${base}/`, { signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      return null;
    } catch (err) {
      last = err && err.cause ? `${message(err)}: ${message(err.cause)}` : message(err);
      await sleep(500);
    }
  }
  return last;
}

async function main() {
  const rawBase = process.env.DASHBOARD_URL;
  const outDir = process.env.OUT_DIR;
  if (!rawBase) die('DASHBOARD_URL is not set');
  if (!outDir) die('OUT_DIR is not set');
  let base;
  try {
    base = new URL(rawBase).href.replace(/\/+$/, '');
  } catch (err) {
    die(`DASHBOARD_URL ${JSON.stringify(rawBase)} is not a URL`);
  }
  const { playwright, axePath } = loadPackages();
  const unreachable = await reachServer(base);
  if (unreachable) die(`cannot reach the dashboard at ${base}: ${unreachable}`);

  const out = path.resolve(outDir);
  fs.mkdirSync(path.join(out, 'screenshots'), { recursive: true });

  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  let browser;
  try {
    browser = await playwright.chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  } catch (err) {
    die(`cannot start the browser ${executablePath}: ${err && err.message}`);
  }

  const run = new Run(base, out, browser, axePath);
  let crashed = null;
  try {
    if (process.env.RENDER_TIMING === '1') {
      const timing = await run.renderTimes(Number(process.env.RENDER_RUNS || 5));
      fs.writeFileSync(path.join(out, 'timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
    } else if (process.env.LIVE_CHECK === '1') {
      const timeout = Number(process.env.LIVE_TIMEOUT_MS || 10_000);
      const live = await run.live(Number.isFinite(timeout) && timeout > 0 ? timeout : 10_000);
      fs.writeFileSync(path.join(out, 'live.json'), `${JSON.stringify(live, null, 2)}\n`);
    } else {
      try {
        await run.all();
      } catch (err) {
        crashed = err;
        run.report.errors.push(`the test itself failed: ${message(err)}`);
      }
      fs.writeFileSync(path.join(out, 'report.json'), `${JSON.stringify(run.report, null, 2)}\n`);
      progress(`report: ${path.join(out, 'report.json')}`);
    }
  } finally {
    await browser.close().catch(() => {});
  }
  if (crashed) {
    process.stderr.write(`dashboard.mjs: ${crashed && crashed.stack ? crashed.stack : crashed}\n`);
    process.exit(1);
  }
}

await main();
