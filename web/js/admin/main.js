// main.js — the admin console's shell: the admin token (asked once, kept in
// sessionStorage), the section router (#readiness, #settings, …), the
// shared, cached reads of settings and catalog lists, the business's clock
// format, and file downloads with the token.

import { api, BASE, ApiError, el, status, setClockFormat } from '../api.js';
import { renderReadiness } from './readiness.js';
import { renderSettings } from './settings.js';
import { renderCatalog } from './catalog.js';
import { renderStaff } from './staff.js';
import { renderCalendars } from './calendars.js';
import { renderZones } from './zones.js';
import { renderSchedule } from './schedule.js';
import { renderBookings } from './bookings.js';

const KEY = 'tripod.adminToken';
const $ = (id) => document.getElementById(id);

const views = {
  readiness: renderReadiness,
  settings: renderSettings,
  catalog: renderCatalog,
  staff: renderStaff,
  calendars: renderCalendars,
  zones: renderZones,
  bookings: renderBookings,
  schedule: renderSchedule,
};

const cache = new Map();

// The context every view gets.
const ctx = {
  // Calls the API with the admin token; a 401 signs out.
  async call(method, path, opts = {}) {
    try {
      return await api(method, path, { ...opts, token: sessionStorage.getItem(KEY) });
    } catch (e) {
      if (e.status === 401) {
        signOut('Your admin token was not accepted. Please sign in again.');
      }
      throw e;
    }
  },
  // A cached GET of a list or document (e.g. '/staff'); reload with fresh=true.
  async get(path, fresh = false) {
    if (!fresh && cache.has(path)) return cache.get(path);
    const p = ctx.call('GET', path);
    cache.set(path, p);
    try {
      return await p;
    } catch (e) {
      cache.delete(path);
      throw e;
    }
  },
  // Forgets cached reads after a write.
  forget(...paths) {
    for (const p of paths) cache.delete(p);
  },
  // The list inside a list answer: [..] or {items|<name>: [..]}.
  list(answer, name) {
    if (Array.isArray(answer)) return answer;
    if (answer && Array.isArray(answer[name])) return answer[name];
    if (answer && Array.isArray(answer.items)) return answer.items;
    return [];
  },
  async items(name, fresh = false) {
    return ctx.list(await ctx.get('/' + name, fresh), name);
  },
  async tz() {
    try {
      const s = await ctx.get('/settings');
      return (s && s.timezone) || 'UTC';
    } catch {
      return 'UTC';
    }
  },
  go(hash) {
    location.hash = hash;
  },
  // Downloads GET PATH (under /api/v1) with the admin token as file NAME.
  async download(path, name) {
    let res;
    try {
      res = await fetch(BASE + path, { headers: { Authorization: 'Bearer ' + sessionStorage.getItem(KEY) }, cache: 'no-store' });
    } catch {
      throw new ApiError(0, null);
    }
    if (!res.ok) {
      let body = null;
      try {
        body = await res.json();
      } catch {
        body = null;
      }
      if (res.status === 401) signOut('Your admin token was not accepted. Please sign in again.');
      throw new ApiError(res.status, body);
    }
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  },
};

function signOut(message) {
  sessionStorage.removeItem(KEY);
  cache.clear();
  $('tabs').hidden = true;
  $('signout').hidden = true;
  $('view').replaceChildren();
  $('login').hidden = false;
  status($('global-status'), message || '', message ? 'warn' : 'info');
  $('token').value = '';
  $('token').focus();
}

async function route() {
  if (!sessionStorage.getItem(KEY)) {
    signOut();
    return;
  }
  $('login').hidden = true;
  $('tabs').hidden = false;
  $('signout').hidden = false;
  const name = (location.hash.replace(/^#/, '').split('/')[0]) || 'readiness';
  const view = views[name] ? name : 'readiness';
  for (const a of $('tabs').querySelectorAll('a')) {
    if (a.getAttribute('href') === '#' + view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const root = $('view');
  root.replaceChildren(el('p', { class: 'status', 'data-kind': 'busy', role: 'status', text: 'Loading…' }));
  try {
    setClockFormat((await ctx.get('/settings')).clock_format);
  } catch (e) {
    if (e.status === 401) return;
  }
  document.title = `${$('tabs').querySelector('[aria-current]').textContent} — Tripod admin`;
  try {
    await views[view](root, ctx);
  } catch (e) {
    if (e.status === 401) return;
    root.replaceChildren(el('p', { class: 'status', 'data-kind': 'error', role: 'alert',
      text: `This section could not be loaded: ${e.message || 'unexpected error'}` }));
  }
}

async function login(ev) {
  ev.preventDefault();
  const t = $('token').value.trim();
  if (!t) {
    status($('global-status'), 'Enter your admin token.', 'error');
    $('token').focus();
    return;
  }
  status($('global-status'), 'Checking the token…', 'busy');
  try {
    await api('GET', '/settings', { token: t });
  } catch (e) {
    status($('global-status'), e.status === 401 ? 'That token was not accepted. Check it and try again.' : e.message, 'error');
    $('token').focus();
    return;
  }
  sessionStorage.setItem(KEY, t);
  status($('global-status'), '');
  await route();
  $('view').focus();
}

$('login-form').addEventListener('submit', login);
$('signout').addEventListener('click', () => signOut('Signed out.'));
window.addEventListener('hashchange', route);
route();
