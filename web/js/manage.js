// manage.js — the agent's own booking, opened with the private link
// /manage/{token}: see it (what, when, price, photographer, add to
// calendar), reschedule it (same picker, its own time marked and never
// blocking the move), or cancel it, within the business's notice rule (the
// server enforces it; the page explains it).

import {
  api, query, el, status, busy, formatDateTime, formatMinutes, dateInZone, agentZone,
} from './api.js';
import { loadCatalog, lengthParts, describeLength, agentMessage } from './catalog.js';
import { createSlotPicker } from './slots.js';
import { renderFacts, renderAddToCalendar } from './booked.js';
import { dayWindowNotes } from './windows.js';

const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(location.pathname.replace(/^\/manage\//, '').replace(/\/$/, ''));
let catalog = null;
let booking = null;
let picker = null;

const ids = (list) => (list || []).map((x) => String(x && typeof x === 'object' ? x.id : x));

function tooLate() {
  const notice = Number(catalog.min_notice_minutes) || 0;
  const now = new Date(catalog.now || Date.now()).getTime();
  return new Date(booking.start).getTime() - now < notice * 60000;
}

function render() {
  const tz = catalog.timezone;
  const cancelled = booking.status === 'cancelled';
  $('booking').hidden = false;
  $('state').textContent = cancelled ? 'Cancelled' : 'Confirmed';
  $('state').className = 'badge ' + (cancelled ? 'bad' : 'ok');
  renderFacts($('b-facts'), catalog, booking, location.href, 'b');
  const a = booking.agent || {};
  $('b-facts').append(el('dt', { text: 'Contact' }),
    el('dd', { id: 'b-agent', text: [a.name, a.email, a.phone].filter(Boolean).join(' · ') }));
  if (cancelled) $('b-cal').replaceChildren();
  else renderAddToCalendar($('b-cal'), catalog, booking, location.href);
  const late = !cancelled && tooLate();
  $('actions').hidden = cancelled || late;
  if (cancelled) {
    $('notice').textContent = 'This shoot is cancelled. You can book a new one at any time.';
    $('notice').append(' ', el('a', { href: '/book', text: 'Book a shoot' }));
  } else if (late) {
    $('notice').textContent = `Changes online are possible up to ${formatMinutes(catalog.min_notice_minutes)} ` +
      'before the shoot. Please contact the business to change it now.';
  } else if (catalog.min_notice_minutes) {
    $('notice').textContent = `You can reschedule or cancel here up to ${formatMinutes(catalog.min_notice_minutes)} before the shoot.`;
  } else {
    $('notice').textContent = '';
  }
}

function openMove() {
  $('move').hidden = false;
  $('cancel-confirm').hidden = true;
  status($('move-status'), '');
  const p = booking.property || {};
  const q = {
    services: ids(booking.services), packages: ids(booking.packages),
    postal_code: p.postal_code, lat: p.lat, lon: p.lon, sqft: p.sqft,
  };
  // With the manage token the booking's own time does not count as busy.
  picker = createSlotPicker($('picker'), {
    tz: catalog.timezone,
    today: dateInZone(catalog.now || new Date(), catalog.timezone),
    horizonDays: catalog.horizon_days || 60,
    current: booking.start,
    agentTz: agentZone(),
    load: (from, to) => api('GET', '/availability' + query({ ...q, from, to }), { token }),
    loadNext: (from) => api('GET', '/availability' + query({ ...q, from, next: 1 }), { token }),
    explain: (e) => agentMessage(catalog, e),
    dayNotes: (day, answer) => dayWindowNotes(answer, day, answer.timezone || catalog.timezone),
    onSelect: (slot) => {
      $('move-confirm').disabled = !slot;
      $('move-summary').textContent = slot ? `New time: ${formatDateTime(slot.start, catalog.timezone)}` : '';
    },
    onLoaded: (answer) => {
      const parts = lengthParts(catalog, q.services, q.packages, p.sqft);
      const crew = answer.slots && answer.slots.length ? answer.slots[0].crew_size : 1;
      $('move-summary').textContent = 'Shoot length: ' + describeLength(parts, answer.duration_minutes, crew);
    },
  });
  picker.showDayOf(booking.start).catch(() => {});
  $('move').scrollIntoView({ block: 'start' });
  $('h-move').focus();
}

async function confirmMove() {
  const slot = picker && picker.slot;
  if (!slot) {
    status($('move-status'), 'Pick a day and a time first.', 'error');
    return;
  }
  status($('move-status'), 'Moving your shoot…', 'busy');
  try {
    const res = await busy($('move-confirm'), 'Moving…',
      api('PATCH', `/bookings/${encodeURIComponent(booking.id)}`, { token, body: { start: slot.start } }));
    booking = { ...booking, ...(res || {}) };
    $('move').hidden = true;
    render();
    status($('action-status'), `Done — your shoot is now on ${formatDateTime(booking.start, catalog.timezone)}.`, 'ok');
    $('reschedule').focus();
  } catch (e) {
    if (e.status === 409) {
      status($('move-status'), `Sorry, ${formatDateTime(slot.start, catalog.timezone)} was just taken. ` +
        'The free times are refreshed — please pick another.', 'error');
      try {
        await picker.refresh();
        await picker.showDayOf(slot.start);
      } catch {
        /* the picker shows its own error */
      }
    } else {
      status($('move-status'), agentMessage(catalog, e), 'error');
    }
  }
}

async function doCancel() {
  status($('action-status'), 'Cancelling…', 'busy');
  try {
    const res = await busy($('cancel-yes'), 'Cancelling…',
      api('DELETE', `/bookings/${encodeURIComponent(booking.id)}`, { token }));
    booking = { ...booking, ...(res || {}), status: 'cancelled' };
    $('cancel-confirm').hidden = true;
    $('move').hidden = true;
    render();
    status($('action-status'), 'Your shoot is cancelled. Everyone on it has been told.', 'ok');
  } catch (e) {
    status($('action-status'), agentMessage(catalog, e), 'error');
  }
}

async function start() {
  if (!token) {
    status($('page-status'), 'This link is incomplete. Use the link from your booking confirmation.', 'error');
    return;
  }
  status($('page-status'), 'Loading your booking…', 'busy');
  try {
    [catalog, booking] = await Promise.all([loadCatalog(), api('GET', '/manage', { token })]);
  } catch (e) {
    const msg = e.status === 401 || e.status === 404
      ? 'We could not find a booking for this link. Check that you copied the whole link from your confirmation.'
      : e.message;
    status($('page-status'), msg, 'error');
    return;
  }
  status($('page-status'), '');
  if (catalog.business_name) $('business-name').textContent = catalog.business_name;
  render();
  $('h-move').tabIndex = -1;
  $('reschedule').addEventListener('click', openMove);
  $('cancel').addEventListener('click', () => {
    $('cancel-confirm').hidden = false;
    $('cancel-yes').focus();
  });
  $('cancel-no').addEventListener('click', () => {
    $('cancel-confirm').hidden = true;
    $('cancel').focus();
  });
  $('cancel-yes').addEventListener('click', doCancel);
  $('move-confirm').addEventListener('click', confirmMove);
  $('move-close').addEventListener('click', () => {
    $('move').hidden = true;
    $('reschedule').focus();
  });
}

start();
