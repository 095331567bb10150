// api.js — the pages' one way to call Tripod's JSON API, plus time and money
// formatting (Intl: the business zone, the agent's own zone, on the business's
// clock — 12 h or 24 h, its clock_format setting — and the business currency)
// and small DOM helpers.

export const BASE = '/api/v1';

// An API failure with the server's error code, message and field (if any).
export class ApiError extends Error {
  constructor(status, body) {
    const msg = (body && typeof body.message === 'string' && body.message) ||
      (status === 0 ? 'The server could not be reached. Check your connection and try again.'
        : `The server answered ${status}.`);
    super(msg);
    this.status = status;
    this.code = (body && body.error) || 'http_' + status;
    this.field = (body && body.field) || null;
    this.body = body || {};
  }
}

// Calls METHOD PATH (under /api/v1) with an optional JSON body and bearer
// token. Resolves to the parsed JSON (or null for an empty body); rejects
// with ApiError, never with a raw TypeError or a non-JSON body.
export async function api(method, path, { body, token, headers } = {}) {
  const h = { Accept: 'application/json', ...(headers || {}) };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (token) h.Authorization = 'Bearer ' + token;
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    if (res.status === 429 && !(data && data.message)) {
      data = { error: 'rate_limited', message: 'Too many requests. Please wait a minute and try again.' };
    }
    throw new ApiError(res.status, data);
  }
  return data;
}

// Builds a query string from an object, skipping empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/* ---------- time in the business zone ---------- */

let clock = '12h';

// Sets how every time on the page is written: "12h" (1:30 PM) or "24h"
// (13:30), as the business's clock_format setting says.
export function setClockFormat(format) {
  clock = format === '24h' ? '24h' : '12h';
}

// The clock part of Intl options for the business's clock.
function clockOpts() {
  return clock === '24h' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
    : { hour: 'numeric', minute: '2-digit', hourCycle: 'h12' };
}

// "13:30" (24 h, wall clock) written on the business's clock: "1:30 PM" or "13:30".
export function formatClock(hhmm) {
  const [h, m] = String(hhmm).split(':').map(Number);
  if (clock === '24h') return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  return `${h % 12 || 12}:${String(m).padStart(2, '0')} ${h < 12 || h === 24 ? 'AM' : 'PM'}`;
}

const fmtCache = new Map();
function fmt(tz, opts) {
  const key = tz + JSON.stringify(opts);
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, ...opts });
    fmtCache.set(key, f);
  }
  return f;
}

// "9:30 AM" (or "09:30") for an instant, in zone TZ.
export function formatTime(iso, tz) {
  return fmt(tz, clockOpts()).format(new Date(iso));
}

// "Tue, Mar 3, 2026" for an instant, in zone TZ.
export function formatDate(iso, tz) {
  return fmt(tz, { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' }).format(new Date(iso));
}

// "Tue, Mar 3, 2026, 9:30 AM EST" — a full, unambiguous instant.
export function formatDateTime(iso, tz) {
  return fmt(tz, {
    weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', ...clockOpts(), timeZoneName: 'short',
  }).format(new Date(iso));
}

// The zone's short name at INSTANT, e.g. "EST" or "GMT+1".
export function zoneAbbrev(tz, instant = new Date()) {
  const p = fmt(tz, { timeZoneName: 'short' }).formatToParts(instant).find((x) => x.type === 'timeZoneName');
  return p ? p.value : tz;
}

// "YYYY-MM-DD" of an instant's wall-clock date in zone TZ.
export function dateInZone(instant, tz) {
  const parts = fmt(tz, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const get = (t) => parts.find((x) => x.type === t).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

// "HH:MM" (24 h) wall-clock time of an instant in zone TZ.
export function timeInZone(instant, tz) {
  const parts = fmt(tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(instant));
  const get = (t) => parts.find((x) => x.type === t).value;
  return `${get('hour')}:${get('minute')}`;
}

// Offset of zone TZ from UTC at epoch milliseconds MS, in milliseconds.
function zoneOffset(ms, tz) {
  const parts = fmt(tz, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (t) => Number(parts.find((x) => x.type === t).value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

// The instant (ISO string, UTC) of wall-clock DATE "YYYY-MM-DD" and TIME
// "HH:MM" in zone TZ. A time skipped by a DST change moves forward.
export function zonedToIso(date, time, tz) {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let t = wall - zoneOffset(wall, tz);
  t = wall - zoneOffset(t, tz);
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

// Adds N days to "YYYY-MM-DD" (calendar arithmetic, zone-free).
export function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return t.toISOString().slice(0, 10);
}

// Day of week of "YYYY-MM-DD": 0 = Sunday.
export function weekday(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

// The browser's own IANA zone (the agent's), e.g. "Europe/Berlin".
export function agentZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

// AMOUNT minor units of CURRENCY (ISO 4217) as "$1,250.00" (en-US style).
export function formatMoney(amount, currency) {
  const cur = currency || 'USD';
  let f;
  try {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency: cur });
  } catch {
    return `${(Number(amount) / 100).toFixed(2)} ${cur}`;
  }
  const digits = f.resolvedOptions().maximumFractionDigits;
  return f.format(Number(amount) / 10 ** digits);
}

// "1 h 30 min", "45 min", "2 h".
export function formatMinutes(min) {
  const n = Math.round(Number(min) || 0);
  const h = Math.floor(n / 60);
  const m = n % 60;
  if (h && m) return `${h} h ${m} min`;
  if (h) return `${h} h`;
  return `${m} min`;
}

/* ---------- DOM helpers ---------- */

// el('p', {class: 'x', text: 'hi'}, child, …). Attributes starting with "on"
// are event listeners; `text` sets textContent (never innerHTML).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else if (k === 'checked') e.checked = !!v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Shows MESSAGE in the aria-live region NODE with a kind ("info", "ok",
// "error", "busy").
export function status(node, message, kind = 'info') {
  node.textContent = message || '';
  node.dataset.kind = kind;
  node.hidden = !message;
}

// Puts an error message next to the form control with name/id FIELD inside
// FORM; returns false when no such control exists.
export function fieldError(form, field, message) {
  const input = fieldControl(form, field);
  if (!input) return false;
  const id = (input.id || input.name) + '-error';
  let err = document.getElementById(id);
  if (!err) {
    err = el('p', { class: 'field-error', id, role: 'alert' });
    const wrap = input.closest('.field') || input.parentElement;
    wrap.append(err);
  }
  err.textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
  return true;
}

// The control for API field path FIELD ("tiers[0].max_sqft", "agent.email"):
// the exact data-field or name, else the nearest enclosing path.
function fieldControl(form, field) {
  let path = String(field).replace(/\[(\d+)\]/g, '.$1');
  for (;;) {
    const n = form.querySelector(`[data-field="${CSS.escape(path)}"]`) ||
      form.querySelector(`[name="${CSS.escape(path)}"]`);
    if (n) return n;
    const cut = path.lastIndexOf('.');
    if (cut < 0) return null;
    path = path.slice(0, cut);
  }
}

// Removes every field error inside FORM.
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((n) => n.remove());
  form.querySelectorAll('[aria-invalid]').forEach((n) => {
    n.removeAttribute('aria-invalid');
    n.removeAttribute('aria-describedby');
  });
}

// Marks BUTTON busy while PROMISE runs (disabled, with a working label).
export async function busy(button, label, promise) {
  const old = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = label;
  try {
    return await promise;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = old;
  }
}
