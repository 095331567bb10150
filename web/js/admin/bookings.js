// bookings.js (admin) — the Bookings section for daily operations: search
// (agent name or e-mail, address) and filters (dates, staff, status), newest
// first, more on demand (the list's cursor); a row opens the booking with
// its history; Export downloads the same selection as CSV; New booking takes
// an order for an agent (booking-new.js).

import { el, status, busy, formatDateTime, formatTime, dateInZone } from '../api.js';
import { openBooking } from './booking-dialog.js';
import { newBookingForm } from './booking-new.js';

const PAGE = 50;

// The filters in the URL (#bookings/q=…&from=…), so a view can be linked.
function readHash() {
  return new URLSearchParams(location.hash.split('/').slice(1).join('/') || '');
}

export async function renderBookings(root, ctx) {
  const tz = await ctx.tz();
  const staff = await ctx.items('staff', true);
  const catalog = await ctx.get('/catalog').catch(() => ({}));
  const today = dateInZone((catalog && catalog.now) || new Date(), tz); // the server's clock
  const active = staff.filter((s) => s.active !== false);
  const params = readHash();

  const q = el('input', { type: 'search', id: 'bk-q', name: 'q', value: params.get('q') || '', autocomplete: 'off',
    placeholder: 'Agent name, e-mail or address' });
  const from = el('input', { type: 'date', id: 'bk-from', name: 'from', value: params.get('from') || '' });
  const to = el('input', { type: 'date', id: 'bk-to', name: 'to', value: params.get('to') || '' });
  const who = el('select', { id: 'bk-staff', name: 'staff' }, el('option', { value: '', text: 'Anyone' }),
    staff.map((s) => el('option', { value: String(s.id), text: s.name })));
  who.value = params.get('staff') || '';
  const state = el('select', { id: 'bk-status', name: 'status' }, el('option', { value: '', text: 'Any status' }),
    el('option', { value: 'confirmed', text: 'Confirmed' }), el('option', { value: 'cancelled', text: 'Cancelled' }));
  state.value = params.get('status') || '';
  const listStatus = el('p', { class: 'status', id: 'bookings-status', role: 'status', 'aria-live': 'polite', hidden: true });
  const tableWrap = el('div', { class: 'table-wrap' });
  const more = el('button', { type: 'button', id: 'bookings-more', text: 'Show more', hidden: true });
  const exportBtn = el('button', { type: 'button', id: 'bk-export', text: 'Export CSV' });
  const newBtn = el('button', { type: 'button', class: 'primary', id: 'bk-new', text: 'New booking' });
  const newWrap = el('div', { id: 'new-booking-wrap' });
  const form = el('form', { id: 'bookings-filter', role: 'search', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'bk-q', text: 'Search' }), q),
    el('div', { class: 'row' },
      el('div', { class: 'field' }, el('label', { for: 'bk-from', text: 'Shoots from' }), from),
      el('div', { class: 'field' }, el('label', { for: 'bk-to', text: 'to' }), to),
      el('div', { class: 'field' }, el('label', { for: 'bk-staff', text: 'Staff' }), who),
      el('div', { class: 'field' }, el('label', { for: 'bk-status', text: 'Status' }), state)),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', id: 'bk-search', text: 'Search' }), exportBtn, newBtn));

  let cursor = null;
  let rows = [];
  let seq = 0;

  function filters() {
    const f = { q: q.value.trim(), from: from.value, to: to.value, staff: who.value, status: state.value };
    for (const k of Object.keys(f)) if (!f[k]) delete f[k];
    return f;
  }

  function row(b) {
    const p = b.property || {};
    const a = b.agent || {};
    const open = () => openBooking(ctx, b, { tz, staff: active, onChange: () => load(false) });
    return el('tr', { 'data-id': String(b.id), class: b.status === 'cancelled' ? 'cancelled' : '' },
      el('td', { 'data-label': 'When' },
        el('button', { type: 'button', class: 'link', 'data-booking': String(b.id), onclick: open,
          'aria-label': `Open booking #${b.id} on ${formatDateTime(b.start, tz)}`,
          text: `${formatDateTime(b.start, tz).replace(/, \d{4},/, ',')}–${formatTime(b.end, tz)}` })),
      el('td', { 'data-label': 'Agent' }, a.name || '—', el('br'), el('span', { class: 'muted', text: a.email || '' })),
      el('td', { 'data-label': 'Property' }, [p.address, p.postal_code].filter(Boolean).join(', ') || '—'),
      el('td', { 'data-label': 'Staff' }, (b.staff || []).map((s) => s.name).join(', ') || '—'),
      el('td', { 'data-label': 'Status' }, el('span', { class: 'badge ' + (b.status === 'cancelled' ? 'bad' : 'ok'), text: b.status })));
  }

  function render() {
    if (!rows.length) {
      tableWrap.replaceChildren(el('p', { class: 'muted', id: 'bookings-none', text: 'No bookings match.' }));
      return;
    }
    tableWrap.replaceChildren(el('table', { id: 'bookings-table', class: 'stack' },
      el('caption', { class: 'muted', text: `Newest booked first; times in ${tz}.` }),
      el('thead', {}, el('tr', {}, ['When', 'Agent', 'Property', 'Staff', 'Status'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, rows.map(row))));
  }

  // Loads the first page (AGAIN false: keeps what is shown until it arrives)
  // or, with NEXT, the page after the last one shown.
  async function load(next) {
    const mine = ++seq;
    const f = filters();
    if (!next) history.replaceState(null, '', '#bookings/' + new URLSearchParams(f).toString());
    status(listStatus, 'Loading bookings…', 'busy');
    let page;
    try {
      page = await ctx.call('GET', '/bookings?' + new URLSearchParams({ ...f, limit: PAGE, ...(next && cursor ? { cursor } : {}) }));
    } catch (e) {
      if (mine !== seq) return;
      if (e.field) {
        const input = form.querySelector(`[name="${e.field}"]`);
        if (input) input.setAttribute('aria-invalid', 'true');
      }
      status(listStatus, `Could not load bookings: ${e.message}`, 'error');
      return;
    }
    if (mine !== seq) return;
    form.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
    rows = next ? rows.concat(page.bookings) : page.bookings;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    render();
    const n = rows.length;
    status(listStatus, n ? `${n} booking${n === 1 ? '' : 's'} shown${cursor ? '; more below' : ''}.` : 'No bookings match these filters.', n ? 'info' : 'warn');
  }

  let typing = null;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(typing); // Enter while the search is pending: load once
    load(false);
  });
  q.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => load(false), 350);
  });
  for (const c of [from, to, who, state]) c.addEventListener('change', () => load(false));
  more.addEventListener('click', () => busy(more, 'Loading…', load(true)));

  exportBtn.addEventListener('click', async () => {
    const f = filters();
    const name = `bookings-${today}.csv`;
    try {
      await busy(exportBtn, 'Exporting…', ctx.download('/bookings.csv?' + new URLSearchParams(f), name));
      status(listStatus, `Exported ${name}: the bookings shown by these filters, all pages.`, 'ok');
    } catch (e) {
      status(listStatus, `Export failed: ${e.message}`, 'error');
    }
  });

  newBtn.addEventListener('click', async () => {
    newWrap.replaceChildren(await newBookingForm(ctx, {
      tz, staff: active,
      onBooked: () => load(false),
      onClose: () => { newWrap.replaceChildren(); newBtn.focus(); },
    }));
    newWrap.querySelector('input')?.focus();
  });

  root.replaceChildren(
    el('h1', { text: 'Bookings' }),
    el('section', { class: 'card', 'aria-labelledby': 'bookings-title' },
      el('h2', { id: 'bookings-title', class: 'visually-hidden', text: 'Find bookings' }),
      form),
    newWrap,
    el('section', { class: 'card', 'aria-label': 'Bookings found' }, listStatus, tableWrap, el('div', { class: 'actions' }, more)));
  await load(false);
}
