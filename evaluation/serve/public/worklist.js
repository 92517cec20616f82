// The care managers' page: a worklist per clinician (the member's provider) or per practice, each
// member's HCCs to recapture as separate lines with their evidence, the reasons the member is on
// the list, and the outreach status with a note and a date, saved with the version it was read
// with: when someone else saved first, the server answers 409 and the page shows the stored status.
import { api, dollars, el, say, session } from './common.js';

const params = () => new URLSearchParams(location.search);
let statuses = [];
/** Whether the run's list has suspect_dollars (a list made before the column has not: no column shown). */
let suspects = false;

function go(q) {
  history.pushState(null, '', `?${q}`);
  void show();
}

async function groups(by) {
  const form = document.getElementById('pick');
  const list = await api(`/api/worklists?by=${by}`);
  form.elements.key.replaceChildren(
    ...list.map((g) => el('option', `${g.key}${g.name ? ` ${g.name}` : ''}: ${g.members} members, ${dollars(g.expected_dollars)}, ${g.done} closed`, { value: g.key })),
  );
  return list;
}

async function showList() {
  const p = params();
  const by = p.get('by') ?? 'provider';
  const key = p.get('key');
  const body = document.querySelector('#members tbody');
  body.replaceChildren();
  if (key === null) return;
  const q = new URLSearchParams({ [by === 'practice' ? 'practice' : 'provider']: key, sort: 'priority', page: p.get('page') ?? '1', page_size: '25' });
  if (p.get('status')) q.set('status', p.get('status'));
  const page = await api(`/api/candidates?${q}`);
  for (const r of page.rows) {
    const tr = el('tr');
    const link = el('a', r.member_id, { href: `?${new URLSearchParams({ ...Object.fromEntries(p), member: r.member_id })}` });
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      const n = params();
      n.set('member', r.member_id);
      go(n);
    });
    const who = el('td');
    who.append(link);
    tr.append(el('td', r.priority ?? ''), who, el('td', r.open_hccs), el('td', dollars(r.expected_dollars)));
    if (suspects) tr.append(el('td', dollars(r.suspect_dollars)));
    tr.append(el('td', r.status, { 'data-status': r.status }));
    body.append(tr);
  }
  document.getElementById('page-of').textContent = `Page ${page.page} of ${page.pages} (${page.totals.members} members, ${dollars(page.totals.expected_dollars)})`;
  document.getElementById('prev').disabled = page.page <= 1;
  document.getElementById('next').disabled = page.page >= page.pages;
}

function fillMember(m) {
  const section = document.getElementById('member');
  section.hidden = false;
  document.getElementById('member-title').textContent = `Member ${m.row.member_id}`;
  const dl = document.getElementById('member-figures');
  dl.replaceChildren();
  for (const [k, v] of [
    ['Priority', m.row.priority ?? ''],
    ['Provider NPI', m.row.provider_npi ?? 'none known'],
    ['Expected dollars', dollars(m.row.expected_dollars)],
    ...(m.row.suspect_dollars === null ? [] : [['Suspect dollars, apart from the expected', dollars(m.row.suspect_dollars)]]),
    ['Segment', m.row.segment ?? ''],
  ]) dl.append(el('dt', k), el('dd', v));
  document.getElementById('reasons').replaceChildren(...m.reasons.map((r) => el('li', r)));
  const hb = document.querySelector('#hccs tbody');
  hb.replaceChildren(
    ...m.hccs.map((h) => {
      const tr = el('tr');
      tr.append(el('td', h.model), el('td', h.hcc), el('td', h.description), el('td', h.lastCoded ?? ''), el('td', h.lastCodedBy ?? ''), el('td', h.evidence.slice(1).join('; ')), el('td', dollars(h.dollars)));
      return tr;
    }),
  );
  const form = document.getElementById('status-form');
  form.elements.status.value = m.status.status;
  form.elements.note.value = m.status.note;
  form.elements.date.value = m.status.date ?? '';
  form.elements.version.value = String(m.status.version);
  form.dataset.member = m.row.member_id;
  const yb = document.querySelector('#history tbody');
  yb.replaceChildren(
    ...m.history.map((h) => {
      const tr = el('tr');
      tr.append(el('td', h.at), el('td', h.by), el('td', h.from), el('td', h.to), el('td', h.date ?? ''), el('td', h.note));
      return tr;
    }),
  );
}

async function showMember() {
  const id = params().get('member');
  if (id === null) {
    document.getElementById('member').hidden = true;
    return;
  }
  fillMember(await api(`/api/members/${encodeURIComponent(id)}`));
}

async function show() {
  const p = params();
  const form = document.getElementById('pick');
  form.elements.by.value = p.get('by') ?? 'provider';
  if (p.get('key') !== null) form.elements.key.value = p.get('key');
  form.elements.status.value = p.get('status') ?? '';
  try {
    await Promise.all([showList(), showMember()]);
  } catch (e) {
    say(e.message, 'error');
  }
}

async function save(ev) {
  ev.preventDefault();
  const form = ev.target;
  const id = form.dataset.member;
  try {
    await api(`/api/members/${encodeURIComponent(id)}/status`, {
      method: 'PUT',
      body: { status: form.elements.status.value, note: form.elements.note.value, date: form.elements.date.value, version: Number(form.elements.version.value) },
    });
    say('Status saved.');
    await show();
  } catch (e) {
    if (e.status === 409) {
      say(`Not saved: ${e.message}. The stored status is shown now; your note was: ${form.elements.note.value}`, 'error');
      fillMember(await api(`/api/members/${encodeURIComponent(id)}`));
      await showList();
    } else say(e.message, 'error');
  }
}

async function start() {
  const s = await session();
  statuses = s.statuses;
  const c = await api('/api/choices');
  const pick = document.getElementById('pick');
  suspects = c.hasSuspectDollars;
  document.getElementById('suspects-head').hidden = !suspects;
  if (c.hasPractices) pick.elements.by.append(el('option', 'practice (TIN)', { value: 'practice' }));
  for (const st of statuses) {
    pick.elements.status.append(el('option', st, { value: st }));
    document.getElementById('status').append(el('option', st, { value: st }));
  }
  const p = params();
  const list = await groups(p.get('by') ?? 'provider');
  if (p.get('key') === null && p.get('member') === null && list.length > 0) {
    p.set('key', list[0].key);
    history.replaceState(null, '', `?${p}`);
  }
  pick.elements.by.addEventListener('change', () => void groups(pick.elements.by.value));
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ by: pick.elements.by.value, key: pick.elements.key.value });
    if (pick.elements.status.value !== '') q.set('status', pick.elements.status.value);
    go(q);
  });
  const turn = (by) => {
    const q = params();
    q.set('page', String(Math.max(1, Number(q.get('page') ?? '1') + by)));
    go(q);
  };
  document.getElementById('prev').addEventListener('click', () => turn(-1));
  document.getElementById('next').addEventListener('click', () => turn(1));
  document.getElementById('status-form').addEventListener('submit', save);
  window.addEventListener('popstate', () => void show());
  await show();
}

start().catch((e) => say(e.message, 'error'));
