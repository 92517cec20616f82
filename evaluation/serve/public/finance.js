// The finance page: the run's headline figures and the candidate list, filtered, sorted and paged
// by the server (/api/candidates), with the totals of every filtered row and an export link that
// carries the same filters (/api/candidates.csv). The filters live in the address, so a reload or
// a shared link shows the same rows.
import { api, dollars, el, number, say, session } from './common.js';

const COLUMNS = [
  ['rank', 'Rank', (r) => r.rank],
  ['member_id', 'Member', (r) => r.member_id, false],
  ['segment', 'Segment', (r) => r.segment ?? ''],
  ['decile', 'Decile', (r) => r.decile],
  ['probability', 'Probability', (r) => number(r.probability, 3)],
  ['raf_t1', 'Last year\u2019s risk score', (r) => number(r.raf_t1, 3)],
  ['open_hccs', 'Open HCCs', (r) => r.open_hccs],
  ['expected_accelerated', 'Expected accelerated', (r) => dollars(r.expected_accelerated)],
  ['expected_incremental', 'Expected incremental', (r) => dollars(r.expected_incremental)],
  ['expected_dollars', 'Expected dollars', (r) => dollars(r.expected_dollars)],
  ['suspect_dollars', 'Suspect dollars (apart)', (r) => dollars(r.suspect_dollars), true, 'suspects'],
  ['provider_npi', 'Provider NPI', (r) => r.provider_npi ?? ''],
  ['status', 'Outreach status', (r) => r.status],
];
const FILTERS = ['segment', 'decile', 'provider', 'practice', 'status', 'min_dollars', 'max_dollars', 'min_suspect_dollars', 'max_suspect_dollars'];
/** Whether the run's list has suspect_dollars (a list made before the column has not: its column and filter are not shown). */
let suspects = false;
const columns = () => COLUMNS.filter((c) => c[4] !== 'suspects' || suspects);

const params = () => new URLSearchParams(location.search);

function setParams(p) {
  history.pushState(null, '', `?${p}`);
  void load();
}

function fillSelect(select, values) {
  for (const v of values) select.append(el('option', v, { value: String(v) }));
}

async function headline() {
  const h = await api('/api/headline');
  document.getElementById('run-title').textContent = `Run ${h.runId ?? ''}${h.asOf !== null ? `, as of January 1, ${h.asOf}` : ''}`;
  const dl = document.getElementById('totals-listed');
  for (const [k, v] of [
    ['Members listed', h.listed.members.toLocaleString('en-US')],
    ['Expected accelerated dollars', dollars(h.listed.expected_accelerated)],
    ['Expected incremental dollars', dollars(h.listed.expected_incremental)],
    ['Expected dollars', dollars(h.listed.expected_dollars)],
    ...(h.listed.suspect_dollars === null ? [] : [['Suspect dollars, apart from the expected', dollars(h.listed.suspect_dollars)]]),
  ]) dl.append(el('dt', k), el('dd', v));
  const lists = document.getElementById('lists');
  for (const e of h.evaluations) {
    const t = el('table');
    t.append(el('caption', `Measured in the backtest, model ${e.model}: each list's dollars`));
    const head = el('tr');
    for (const c of ['List', 'How it is made', 'Precision', 'Accelerated dollars', 'Incremental dollars']) head.append(el('th', c, { scope: 'col' }));
    t.append(el('thead'));
    t.tHead.append(head);
    const body = el('tbody');
    for (const l of e.lists) {
      const tr = el('tr');
      tr.append(el('th', l.name, { scope: 'row' }), el('td', l.description), el('td', l.precision === null ? '' : `${(l.precision * 100).toFixed(1)}%`), el('td', dollars(l.accelerated)), el('td', dollars(l.incremental)));
      body.append(tr);
    }
    t.append(body);
    lists.append(t);
    if (e.verdict !== null) lists.append(el('p', e.verdict));
    if (e.cash.length > 0) {
      const months = [...new Set(e.cash.map((c) => c.month))];
      const ct = el('table');
      ct.append(el('caption', `Cash by month, model ${e.model}'s list and last year's top 20%`));
      const hr = el('tr');
      hr.append(el('th', 'Month', { scope: 'col' }), el('th', 'Model', { scope: 'col' }), el('th', 'Last year\u2019s top 20%', { scope: 'col' }));
      ct.append(el('thead'));
      ct.tHead.append(hr);
      const cb = el('tbody');
      for (const m of months) {
        const tr = el('tr');
        const of = (list) => e.cash.find((c) => c.month === m && c.list === list)?.total ?? null;
        tr.append(el('th', m, { scope: 'row' }), el('td', dollars(of('model'))), el('td', dollars(of('naive'))));
        cb.append(tr);
      }
      ct.append(cb);
      document.getElementById('cash').append(ct);
    }
  }
}

function header() {
  const p = params();
  const sort = p.get('sort') ?? 'rank';
  const dir = p.get('dir') ?? 'asc';
  const tr = document.querySelector('#candidates thead tr');
  tr.replaceChildren();
  for (const [key, label, , sortable] of columns()) {
    const th = el('th', null, { scope: 'col' });
    if (sortable === false) {
      th.textContent = label;
    } else {
      const b = el('button', label, { type: 'button', 'data-sort': key });
      if (sort === key) th.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending');
      b.addEventListener('click', () => {
        const q = params();
        q.set('dir', q.get('sort') === key && q.get('dir') !== 'desc' ? 'desc' : 'asc');
        q.set('sort', key);
        q.delete('page');
        setParams(q);
      });
      th.append(b);
    }
    tr.append(th);
  }
}

async function load() {
  const p = params();
  const form = document.getElementById('filters');
  for (const f of FILTERS) form.elements[f].value = p.get(f) ?? '';
  header();
  try {
    const page = await api(`/api/candidates?${p}`);
    const body = document.querySelector('#candidates tbody');
    body.replaceChildren();
    for (const r of page.rows) {
      const tr = el('tr');
      for (const [key, , cell] of columns()) {
        const td = el('td');
        if (key === 'member_id') td.append(el('a', r.member_id, { href: `worklist.html?member=${encodeURIComponent(r.member_id)}` }));
        else td.textContent = String(cell(r));
        tr.append(td);
      }
      body.append(tr);
    }
    const t = page.totals;
    document.getElementById('filtered-totals').textContent = `${t.members.toLocaleString('en-US')} members match: expected accelerated ${dollars(t.expected_accelerated)}, incremental ${dollars(t.expected_incremental)}, in all ${dollars(t.expected_dollars)}${t.suspect_dollars === null ? '' : `; suspects apart ${dollars(t.suspect_dollars)}`}.`;
    document.getElementById('page-of').textContent = `Page ${page.page} of ${page.pages}`;
    document.getElementById('prev').disabled = page.page <= 1;
    document.getElementById('next').disabled = page.page >= page.pages;
    const exp = new URLSearchParams(p);
    exp.delete('page');
    exp.delete('page_size');
    document.getElementById('export').href = `/api/candidates.csv?${exp}`;
    document.getElementById('export-xlsx').href = `/api/candidates.xlsx?${exp}`;
    say('');
  } catch (e) {
    say(e.message, 'error');
  }
}

function turn(by) {
  const q = params();
  q.set('page', String(Math.max(1, Number(q.get('page') ?? '1') + by)));
  setParams(q);
}

async function start() {
  await session();
  const c = await api('/api/choices');
  const form = document.getElementById('filters');
  fillSelect(form.elements.segment, c.segments);
  fillSelect(form.elements.decile, c.deciles);
  fillSelect(form.elements.status, c.statuses);
  document.getElementById('practice-label').hidden = !c.hasPractices;
  suspects = c.hasSuspectDollars;
  for (const id of ['suspects-from-label', 'suspects-to-label']) document.getElementById(id).hidden = !suspects;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    const keep = params();
    for (const k of ['sort', 'dir']) if (keep.get(k) !== null) q.set(k, keep.get(k));
    for (const f of FILTERS) if (form.elements[f].value !== '') q.set(f, form.elements[f].value);
    setParams(q);
  });
  form.addEventListener('reset', () => setTimeout(() => setParams(new URLSearchParams()), 0));
  document.getElementById('prev').addEventListener('click', () => turn(-1));
  document.getElementById('next').addEventListener('click', () => turn(1));
  window.addEventListener('popstate', () => void load());
  await Promise.all([headline(), load()]);
}

start().catch((e) => say(e.message, 'error'));
