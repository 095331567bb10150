// explain.js (admin) — "why is nobody free at …?": asks the explain
// endpoint for one start time and job, and lists each staff member as
// eligible or with the reasons they are not, in the server's words (and that
// day's sunset for a twilight item).

import {
  el, status, busy, query, zonedToIso, dateInZone, clearErrors, fieldError, formatTime,
} from '../api.js';
import { checkGroup, checked, field, val } from './form.js';
import { dayWindowNotes } from '../windows.js';

const REASONS = {
  outside_zone: 'outside their service zones',
  missing_skill: 'missing a required skill',
  no_calendar: 'no connected calendar',
  busy: 'busy',
  outside_hours: 'outside working hours',
  buffer: 'drive buffer overlaps other time',
  buffer_conflict: 'drive buffer overlaps other time',
  notice: 'too soon (minimum notice)',
  horizon: 'beyond the booking horizon',
  inactive: 'inactive',
};

// One reason as a sentence: the server's words (they name skills, zones and
// times already); an admin also sees which calendar event or booking it is.
function reasonText(r, tz) {
  if (typeof r === 'string') return REASONS[r] || r.replace(/_/g, ' ');
  if (!r || typeof r !== 'object') return String(r);
  const base = r.message || REASONS[r.code || r.reason] || String(r.code || r.reason || 'unavailable').replace(/_/g, ' ');
  const ev = r.busy || r.event;
  if (ev && typeof ev === 'object') {
    if (ev.kind === 'booking') return `${base} (booking #${ev.booking})`;
    const when = ev.start && ev.end && !r.message ? ` (${formatTime(ev.start, tz)}–${formatTime(ev.end, tz)})` : '';
    return `${base}: “${ev.what || ev.summary || 'busy'}”${when}`;
  }
  return base;
}

export async function explainForm(ctx, tz, staff, date) {
  const [services, packages] = await Promise.all([ctx.items('services'), ctx.items('packages')]);
  const out = el('div', { id: 'explain-result', 'aria-live': 'polite' });
  const st = el('p', { class: 'status', role: 'status', hidden: true });
  const submit = el('button', { type: 'submit', class: 'primary', id: 'explain-go', text: 'Explain' });
  const form = el('form', { id: 'explain-form', novalidate: true },
    el('div', { class: 'row' },
      field('ex-date', 'Date', date || dateInZone(new Date(), tz), { type: 'date', field: 'from' }),
      field('ex-time', `Start time (${tz})`, '10:00', { type: 'time', field: 'at' })),
    checkGroup('ex-services', 'Services', services, [], 'services'),
    checkGroup('ex-packages', 'Packages', packages, [], 'packages'),
    el('div', { class: 'row' },
      field('ex-postal', 'Postal code', '', { field: 'postal_code' }),
      field('ex-sqft', 'Sq ft (optional)', '', { field: 'sqft', inputmode: 'numeric' })),
    el('div', { class: 'row' },
      field('ex-lat', 'Latitude (optional)', '', { field: 'lat' }),
      field('ex-lon', 'Longitude (optional)', '', { field: 'lon' })),
    st, el('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const date = val(form, 'ex-date');
    const time = val(form, 'ex-time');
    const q = {
      services: checked(form, 'ex-services'), packages: checked(form, 'ex-packages'),
      postal_code: val(form, 'ex-postal'), sqft: val(form, 'ex-sqft'), lat: val(form, 'ex-lat'), lon: val(form, 'ex-lon'),
    };
    if (!date || !time) {
      fieldError(form, 'at', 'Enter a date and a time.');
      return;
    }
    if (!q.services.length && !q.packages.length) {
      fieldError(form, 'services', 'Choose at least one service or package.');
      return;
    }
    status(st, 'Asking…', 'busy');
    let answer;
    try {
      answer = await busy(submit, 'Asking…', ctx.call('GET', '/availability/explain' +
        query({ ...q, from: date, to: date, at: zonedToIso(date, time, tz) })));
    } catch (e) {
      if (e.field) fieldError(form, e.field, e.message);
      status(st, e.message, 'error');
      return;
    }
    status(st, '');
    const rows = ctx.list(answer, 'staff');
    const byId = new Map(staff.map((s) => [String(s.id), s.name]));
    const freeCount = rows.filter((r) => r.eligible || r.free || r.ok).length;
    out.replaceChildren(
      el('p', { class: 'status', 'data-kind': freeCount ? 'ok' : 'warn',
        text: answer && answer.message ? answer.message
          : freeCount ? `${freeCount} staff member${freeCount === 1 ? ' is' : 's are'} free then.` : 'Nobody is free then. Reasons per person:' }),
      el('ul', { class: 'explain-list' }, rows.map((r) => {
        const name = r.name || byId.get(String(r.id ?? r.staff)) || `#${r.id ?? r.staff}`;
        const ok = r.eligible || r.free || r.ok;
        const reasons = (r.reasons || []).map((x) => reasonText(x, tz));
        return el('li', { 'data-staff': String(r.id ?? r.staff) },
          el('strong', { text: name }), ' — ',
          ok ? el('span', { class: 'badge ok', text: 'free' }) : el('span', { class: 'badge bad', text: 'not offered' }),
          reasons.length ? ` ${reasons.join('; ')}` : '');
      })));
    const notes = dayWindowNotes(answer, date, (answer && answer.timezone) || tz);
    if (notes.length) out.append(el('ul', { class: 'day-notes', id: 'explain-windows' }, notes.map((t) => el('li', { text: t }))));
  });

  return el('section', { class: 'card', 'aria-labelledby': 'explain-title' },
    el('h2', { id: 'explain-title', text: 'Why is nobody free at …?' }),
    el('p', { class: 'hint', text: 'Pick a time and a job; each staff member is listed as free or with the reasons they are not offered.' }),
    form, out);
}
