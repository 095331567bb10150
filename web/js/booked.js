// booked.js — what the confirmation and the manage page show about a booking:
// what was booked, when (business zone, and the agent's own zone when it
// differs), where, how long, the quoted price, the photographer, the private
// link, and "Add to calendar" (an .ics file made here, Google Calendar and
// Outlook links).

import { el, formatDateTime, formatMinutes, formatMoney, agentZone } from './api.js';
import { lengthParts } from './catalog.js';

const ids = (list) => (list || []).map((x) => String(x && typeof x === 'object' ? x.id : x));

// The booked items' names, e.g. "Premium listing, Drone (included in Premium listing)".
export function bookedWhat(catalog, b) {
  const p = b.property || {};
  const parts = lengthParts(catalog, ids(b.services), ids(b.packages), p.sqft);
  return parts.map((x) => (x.includedIn ? `${x.name} (included in ${x.includedIn})` : x.name)).join(', ');
}

// The quoted price as text: "$575.00 (Photos $250.00, Video $325.00)", or ''.
export function bookedPrice(b) {
  const q = b.price;
  if (!q || !Number.isInteger(q.total)) return '';
  const lines = (q.lines || []).map((l) => (l.included_in
    ? `${l.name} included` : `${l.name} ${formatMoney(l.amount, q.currency)}`));
  return formatMoney(q.total, q.currency) + (lines.length ? ` (${lines.join(', ')})` : '');
}

// Fills DL (a <dl class="facts">) with booking B's facts, each <dd> with id
// PREFIX-when, -what, -length, -price, -staff, -where; MANAGE (the private
// link, may be null) as the link PREFIX-manage.
export function renderFacts(dl, catalog, b, manage, prefix) {
  const tz = catalog.timezone;
  const own = agentZone();
  const staff = (b.staff || []).map((s) => s.name).filter(Boolean);
  const p = b.property || {};
  const mins = Math.round((new Date(b.end) - new Date(b.start)) / 60000);
  const rows = [
    ['When', `${formatDateTime(b.start, tz)} (${tz})` +
      (own !== tz ? ` — ${formatDateTime(b.start, own)} your time` : ''), 'when'],
    ['What', bookedWhat(catalog, b) || '—', 'what'],
    ['Shoot length', formatMinutes(mins), 'length'],
    ['Price', bookedPrice(b), 'price'],
    [staff.length > 1 ? 'Photographers' : 'Photographer', staff.length ? staff.join(' and ') : 'assigned shortly', 'staff'],
    ['Where', [p.address, p.postal_code].filter(Boolean).join(', ') + (p.sqft ? ` (${p.sqft} sq ft)` : ''), 'where'],
  ];
  dl.replaceChildren();
  for (const [dt, dd, key] of rows) {
    if (!dd) continue;
    dl.append(el('dt', { id: `${prefix}-${key}-label`, text: dt }), el('dd', { id: `${prefix}-${key}`, text: dd }));
  }
  if (manage) {
    dl.append(el('dt', { text: 'Your private link' }),
      el('dd', {}, el('a', { class: 'manage-link', id: `${prefix}-manage`, href: manage, text: manage })));
  }
}

function icsText(s) {
  return String(s || '').replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,')
    .replace(/\r?\n/g, '\\n');
}

// Folds a content line at 75 octets (RFC 5545 3.1), counting UTF-8 bytes.
function fold(line) {
  const out = [];
  let cur = '';
  let bytes = 0;
  for (const ch of line) {
    const n = new TextEncoder().encode(ch).length;
    if (bytes + n > 75) {
      out.push(cur);
      cur = ' ';
      bytes = 1;
    }
    cur += ch;
    bytes += n;
  }
  out.push(cur);
  return out.join('\r\n');
}

const utc = (iso) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

// The event of booking B as an iCalendar file (the same UID as the
// invitation the business sends, so calendars merge the two).
export function bookingIcs(catalog, b, manage) {
  const what = bookedWhat(catalog, b) || 'Shoot';
  const p = b.property || {};
  const staff = (b.staff || []).map((s) => s.name).filter(Boolean).join(' and ');
  const business = catalog.business_name || 'Tripod';
  const details = [`Booked with ${business}.`, staff ? `Photographer: ${staff}` : '',
    bookedPrice(b) ? `Price: ${bookedPrice(b)}` : '', manage ? `Change or cancel: ${manage}` : '']
    .filter(Boolean).join('\n');
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Tripod//Booking page//EN', 'METHOD:PUBLISH',
    'BEGIN:VEVENT', `UID:tripod-booking-${b.id}@tripod`, `DTSTAMP:${utc(new Date().toISOString())}`,
    `DTSTART:${utc(b.start)}`, `DTEND:${utc(b.end)}`, `SUMMARY:${icsText(`${what} — ${business}`)}`,
    `LOCATION:${icsText([p.address, p.postal_code].filter(Boolean).join(', '))}`,
    `DESCRIPTION:${icsText(details)}`];
  if (manage) lines.push(`URL:${manage}`);
  lines.push('END:VEVENT', 'END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}

// Fills ROOT with "Add to calendar": the .ics download and the Google and
// Outlook links for booking B.
export function renderAddToCalendar(root, catalog, b, manage) {
  const what = bookedWhat(catalog, b) || 'Shoot';
  const business = catalog.business_name || 'Tripod';
  const title = `${what} — ${business}`;
  const p = b.property || {};
  const where = [p.address, p.postal_code].filter(Boolean).join(', ');
  const body = manage ? `Change or cancel: ${manage}` : '';
  const ics = bookingIcs(catalog, b, manage);
  const file = URL.createObjectURL(new Blob([ics], { type: 'text/calendar;charset=utf-8' }));
  const google = 'https://calendar.google.com/calendar/render?' + new URLSearchParams({
    action: 'TEMPLATE', text: title, dates: `${utc(b.start)}/${utc(b.end)}`, details: body, location: where,
  });
  const iso = (x) => new Date(x).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const outlook = 'https://outlook.live.com/calendar/0/deeplink/compose?' + new URLSearchParams({
    path: '/calendar/action/compose', rru: 'addevent', subject: title, startdt: iso(b.start), enddt: iso(b.end),
    body, location: where,
  });
  root.replaceChildren(
    el('h3', { text: 'Add to your calendar' }),
    el('div', { class: 'actions add-cal' },
      el('a', { class: 'button', id: 'add-ics', href: file, download: `shoot-${b.id}.ics`, text: 'Download .ics' }),
      el('a', { class: 'button', id: 'add-google', href: google, target: '_blank', rel: 'noopener', text: 'Google Calendar' }),
      el('a', { class: 'button', id: 'add-outlook', href: outlook, target: '_blank', rel: 'noopener', text: 'Outlook' })));
}
