// booking-dialog.js (admin) — one booking in a modal dialog: its facts and
// history (who changed what, when), and reassign photographers / move it
// (re-checked by the server unless forced) or cancel it. A refusal (409)
// shows, per staff member, the rules that failed, and the server's
// alternative times; the Bookings page's new-booking form shows them too.

import {
  el, status, busy, formatDateTime, formatMinutes, formatTime, dateInZone, timeInZone, zonedToIso, clearErrors, fieldError,
} from '../api.js';
import { bookedPrice } from '../booked.js';

function ids(list) {
  return (list || []).map((x) => String(x && typeof x === 'object' ? x.id : x));
}

// Who was on it: "Ana Lima and Ben Ode".
function crewText(staff) {
  return (staff || []).map((s) => s.name || `#${s.id || s}`).join(' and ') || 'nobody';
}

// One history entry as a sentence.
function historyText(h, tz) {
  const c = h.change || {};
  const when = (x) => (x && x.start ? formatDateTime(x.start, tz) : '');
  let text;
  switch (c.action) {
    case 'created': text = `Booked for ${when(c)} with ${crewText(c.staff)}`; break;
    case 'rescheduled': text = `Moved from ${when(c.from)} to ${when(c.to)}`; break;
    case 'reassigned': text = `Reassigned from ${crewText(c.from && c.from.staff)} to ${crewText(c.to && c.to.staff)}`; break;
    case 'rescheduled_reassigned':
      text = `Moved from ${when(c.from)} to ${when(c.to)}, and from ${crewText(c.from && c.from.staff)} to ${crewText(c.to && c.to.staff)}`;
      break;
    case 'cancelled': text = 'Cancelled'; break;
    default: text = String(c.action || 'Changed').replace(/_/g, ' ');
  }
  return `${text}${c.force ? ' (forced past the availability rules)' : ''}.`;
}

// The history of booking B (with `history`) as a list, oldest first.
export function historyList(b, tz) {
  return el('ol', { class: 'history', id: 'bk-history' }, (b.history || []).map((h) => el('li', {},
    el('span', { class: 'muted', text: `${formatDateTime(h.at, tz)} · ${h.actor === 'admin' ? 'Admin' : 'Agent'}: ` }),
    historyText(h, tz))));
}

// What a 409 slot_unavailable body says: per staff member, the rules that
// failed, and buttons for the alternative times (ONPICK(start) on a click).
export function refusalNodes(body, tz, onPick) {
  const reasons = (body && body.reasons) || [];
  const alts = (body && body.alternatives) || [];
  return [
    reasons.length ? el('ul', { class: 'reasons', id: 'refusal-reasons' }, reasons.map((r) => el('li', { 'data-staff': String(r.staff && r.staff.id) },
      el('strong', { text: (r.staff && r.staff.name) || `#${r.staff && r.staff.id}` }), ': ', (r.reasons || []).join('; ')))) : null,
    alts.length ? el('div', { class: 'inline', id: 'refusal-alternatives' }, el('span', { text: 'Free instead:' }),
      ...alts.slice(0, 6).map((s) => el('button', { type: 'button', class: 'small', text: formatDateTime(s.start || s, tz),
        onclick: () => onPick(s.start || s) }))) : null,
  ].filter(Boolean);
}

async function names(ctx, kind, list) {
  let items = [];
  try {
    items = await ctx.items(kind);
  } catch {
    items = [];
  }
  return ids(list).map((id) => (items.find((x) => String(x.id) === id) || { name: `#${id}` }).name);
}

// Opens booking B. OPTS: tz, staff (active staff list), onChange() after a
// successful change.
export async function openBooking(ctx, listed, opts) {
  const { tz, staff } = opts;
  const old = document.getElementById('booking-dialog');
  if (old) old.remove();
  let b = listed;
  try {
    b = await ctx.call('GET', `/bookings/${encodeURIComponent(listed.id)}`);
  } catch {
    b = listed; // the facts as listed, without history
  }
  const what = [...await names(ctx, 'packages', b.packages), ...await names(ctx, 'services', b.services)];
  const current = ids(b.staff);
  const p = b.property || {};
  const a = b.agent || {};
  const mins = Math.round((new Date(b.end) - new Date(b.start)) / 60000);

  const st = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const alts = el('div', { id: 'booking-alternatives' });
  const date = el('input', { type: 'date', id: 'bk-date', name: 'bk-date', 'data-field': 'start', value: dateInZone(b.start, tz) });
  const time = el('input', { type: 'time', id: 'bk-time', name: 'bk-time', step: 300, value: timeInZone(b.start, tz) });
  const force = el('input', { type: 'checkbox', id: 'bk-force' });
  const crew = el('fieldset', { class: 'field', id: 'bk-staff', 'data-field': 'staff' },
    el('legend', { text: 'Photographers' }),
    el('div', { class: 'checks' }, staff.map((s) => el('label', { for: `bk-staff-${s.id}` },
      el('input', { type: 'checkbox', id: `bk-staff-${s.id}`, value: String(s.id), checked: current.includes(String(s.id)) }),
      s.name))));
  const saveBtn = el('button', { type: 'submit', class: 'primary', id: 'bk-save', text: 'Save changes' });
  const cancelBtn = el('button', { type: 'button', class: 'danger', id: 'bk-cancel', text: 'Cancel booking' });
  const closeBtn = el('button', { type: 'button', id: 'bk-close', text: 'Close' });
  const form = el('form', { method: 'dialog', novalidate: true },
    el('h2', { id: 'bk-title', text: `Booking #${b.id}` }),
    el('dl', { class: 'facts' },
      el('dt', { text: 'When' }), el('dd', { id: 'bk-when', text: `${formatDateTime(b.start, tz)} – ${formatTime(b.end, tz)} (${formatMinutes(mins)})` }),
      el('dt', { text: 'What' }), el('dd', { text: what.join(', ') || '—' }),
      el('dt', { text: 'Where' }), el('dd', { text: [p.address, p.postal_code].filter(Boolean).join(', ') + (p.sqft ? ` (${p.sqft} sq ft)` : '') }),
      b.price ? el('dt', { text: 'Price (quoted)' }) : null, b.price ? el('dd', { id: 'bk-price', text: bookedPrice(b) }) : null,
      el('dt', { text: 'Agent' }), el('dd', { text: [a.name, a.email, a.phone].filter(Boolean).join(' · ') || '—' }),
      el('dt', { text: 'Staff' }), el('dd', { id: 'bk-current-staff', text: (b.staff || []).map((s) => s.name || `#${s.id || s}`).join(', ') || '—' }),
      b.notes ? el('dt', { text: 'Notes' }) : null, b.notes ? el('dd', { text: b.notes }) : null,
      el('dt', { text: 'Calendar' }), el('dd', { text: (b.calendar && b.calendar.state) || '—' })),
    el('details', { class: 'history-wrap', open: true }, el('summary', { text: 'History' }), historyList(b, tz)),
    crew,
    el('fieldset', { class: 'field' },
      el('legend', { text: `Move to (${tz})` }),
      el('div', { class: 'row' },
        el('div', { class: 'field' }, el('label', { for: 'bk-date', text: 'Date' }), date),
        el('div', { class: 'field' }, el('label', { for: 'bk-time', text: 'Start time' }), time))),
    el('div', { class: 'field checks' }, el('label', { for: 'bk-force' }, force,
      'Force: skip the availability rules (hours, calendars, notice, zones, skills); never two shoots of one person at once')),
    st, alts,
    el('div', { class: 'actions' }, saveBtn, cancelBtn, closeBtn));
  const dlg = el('dialog', { id: 'booking-dialog', 'aria-labelledby': 'bk-title' }, form);
  document.body.append(dlg);
  closeBtn.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => dlg.remove());

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    alts.replaceChildren();
    const chosen = [...crew.querySelectorAll('input:checked')].map((i) => i.value);
    const body = {};
    if (!date.value || !time.value) {
      fieldError(form, 'start', 'Enter a date and a start time.');
      return;
    }
    const start = zonedToIso(date.value, time.value, tz);
    if (new Date(start).getTime() !== new Date(b.start).getTime()) body.start = start;
    if (chosen.length === 0) {
      fieldError(form, 'staff', 'Choose at least one photographer.');
      return;
    }
    if (chosen.slice().sort().join() !== current.slice().sort().join()) body.staff = chosen;
    if (!body.start && !body.staff) {
      status(st, 'Nothing changed.', 'info');
      return;
    }
    if (force.checked) body.force = true;
    status(st, 'Saving…', 'busy');
    try {
      const res = await busy(saveBtn, 'Saving…', ctx.call('PATCH', `/bookings/${encodeURIComponent(b.id)}`, { body }));
      Object.assign(b, res || {});
      status(st, `Saved: ${formatDateTime(b.start, tz)} with ${(b.staff || []).map((s) => s.name).join(' and ')}. Everyone on it is told.`, 'ok');
      document.getElementById('bk-history').replaceWith(historyList(b, tz));
      document.getElementById('bk-current-staff').textContent = (b.staff || []).map((s) => s.name).join(', ');
      document.getElementById('bk-when').textContent = `${formatDateTime(b.start, tz)} – ${formatTime(b.end, tz)}`;
      current.splice(0, current.length, ...ids(b.staff));
      if (opts.onChange) await opts.onChange();
    } catch (e) {
      if (e.field && e.status !== 409) fieldError(form, e.field, e.message);
      if (e.status === 409) {
        const forced = (e.body && e.body.reasons || []).length && body.force;
        status(st, forced ? 'Not saved: even forced, a person cannot be on two shoots at once.'
          : 'Not saved: nobody asked for is free then. Pick another time, or tick “Force” to book it anyway.', 'error');
        alts.append(...refusalNodes(e.body, tz, (start) => {
          date.value = dateInZone(start, tz);
          time.value = timeInZone(start, tz);
          time.focus();
        }));
      } else {
        status(st, `Not saved: ${e.message}`, 'error');
      }
    }
  });

  cancelBtn.addEventListener('click', async () => {
    if (cancelBtn.dataset.confirm !== 'yes') {
      cancelBtn.dataset.confirm = 'yes';
      cancelBtn.textContent = 'Really cancel? Click again';
      return;
    }
    status(st, 'Cancelling…', 'busy');
    try {
      const res = await busy(cancelBtn, 'Cancelling…', ctx.call('DELETE', `/bookings/${encodeURIComponent(b.id)}`));
      if (res && res.history) document.getElementById('bk-history').replaceWith(historyList(res, tz));
      status(st, 'Booking cancelled. The agent and staff are told.', 'ok');
      saveBtn.disabled = true;
      cancelBtn.disabled = true;
      if (opts.onChange) await opts.onChange();
    } catch (e) {
      status(st, `Not cancelled: ${e.message}`, 'error');
    }
  });
  dlg.showModal();
  crew.querySelector('input')?.focus();
}
