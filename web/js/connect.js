// connect.js — a staff member's one-time connect page (/connect/{token}): shows
// whom the link is for and lets them sign in with Google or Microsoft 365 (no
// admin token); /connect/done is where the provider's sign-in comes back to.

import { api, el, status, busy, formatDateTime, agentZone } from './api.js';

const NAMES = { google: 'Google', microsoft: 'Microsoft 365' };
const page = document.getElementById('connect-status');
const card = document.getElementById('connect-card');

function done(provider) {
  document.getElementById('connect-title').textContent = 'Calendar connected';
  status(page, `Your ${NAMES[provider] || 'calendar'} account is connected. You can close this page.`, 'ok');
}

async function show(token) {
  let link;
  try {
    link = await api('GET', `/connect/${encodeURIComponent(token)}`);
  } catch (e) {
    status(page, e.code === 'link_expired' ? 'This link has expired. Ask the office for a new one.'
      : e.status === 404 ? 'This link is not valid. Ask the office for a new one.' : e.message, 'error');
    return;
  }
  document.getElementById('connect-for').textContent = `For ${link.staff.name}`;
  if (link.connected) {
    card.hidden = false;
    document.getElementById('connect-buttons').replaceChildren();
    status(page, `${link.staff.name}, your ${NAMES[link.connected.provider]} calendar (${link.connected.email}) is connected.`, 'ok');
    return;
  }
  document.getElementById('connect-expires').textContent =
    `This link works once and until ${formatDateTime(link.expires, agentZone())}.`;
  const buttons = link.providers.map((p) => el('button', {
    type: 'button', class: 'primary', 'data-provider': p, text: `Sign in with ${NAMES[p] || p}`,
    onclick: async (ev) => {
      try {
        const r = await busy(ev.currentTarget, 'Opening…', api('POST', `/connect/${encodeURIComponent(token)}/start`, { body: { provider: p } }));
        location.assign(r.authorize_url);
      } catch (e) {
        status(page, e.message, 'error');
      }
    },
  }));
  document.getElementById('connect-buttons').replaceChildren(...buttons);
  if (!buttons.length) status(page, 'No calendar provider is set up on this server yet. Tell the office.', 'warn');
  card.hidden = false;
}

const token = decodeURIComponent(location.pathname.replace(/^\/connect\//, ''));
if (token === 'done') done(new URLSearchParams(location.search).get('provider'));
else show(token);
