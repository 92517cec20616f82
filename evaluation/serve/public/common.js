// Shared by the pages: calls to the API (JSON, same origin, the session cookie sent by the
// browser), the session check that sends a logged-out user to the login page, and formatting.

/** Calls the API; throws an Error with the server's message and `status` when the answer is not 2xx. */
export async function api(path, options = {}) {
  const init = { credentials: 'same-origin', headers: { accept: 'application/json' }, ...options };
  if (options.body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(path, init);
  if (res.status === 401 && !location.pathname.endsWith('/login.html')) {
    location.href = `login.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw Object.assign(new Error('log in first'), { status: 401 });
  }
  if (res.status === 204) return null;
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(body.message ?? `the server answered ${res.status}`), { status: res.status, body });
  return body;
}

/** The session; shows the user and a log-out button in the header when there is a login. */
export async function session() {
  const s = await api('/api/session');
  const who = document.getElementById('who');
  if (who !== null && s.auth) {
    who.textContent = `Logged in as ${s.user} `;
    const out = document.createElement('button');
    out.type = 'button';
    out.textContent = 'Log out';
    out.addEventListener('click', async () => {
      await api('/api/logout', { method: 'POST' });
      location.href = 'login.html';
    });
    who.append(out);
  }
  if (s.auth && s.user === null) {
    location.href = `login.html?next=${encodeURIComponent(location.pathname + location.search)}`;
    // Nothing more on this page: it is being left for the login.
    return new Promise(() => undefined);
  }
  return s;
}

const dollarsFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
export const dollars = (n) => (n === null || n === undefined ? '' : dollarsFormat.format(n));
export const number = (n, places = 3) => (n === null || n === undefined ? '' : Number(n).toFixed(places));

/** A new element with text and attributes. */
export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** Shows a message in the page's live region (read out by screen readers). */
export function say(text, kind = 'info') {
  const box = document.getElementById('message');
  if (box === null) return;
  box.textContent = text;
  box.dataset.kind = kind;
}
