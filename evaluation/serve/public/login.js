// The login page: posts the name and password, then goes back to the page that sent the user here.
import { api, say } from './common.js';

document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  try {
    await api('/api/login', { method: 'POST', body: { name: form.elements.name.value, password: form.elements.password.value } });
    const next = new URLSearchParams(location.search).get('next');
    location.href = next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  } catch (e) {
    say(e.message, 'error');
  }
});
