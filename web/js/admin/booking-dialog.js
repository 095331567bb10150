// booking-dialog.js (admin) — one booking in a modal dialog: its facts, and
// reassign photographers / move it (re-checked by the server unless forced)
// or cancel it. 409 conflicts list the server's alternative times.

import {
  el, status, busy, formatDateTime, formatMinutes, formatTime, dateInZone, timeInZone, zonedToIso, clearErrors, fieldError,
} from '../api.js';
import { bookedPrice } from '../booked.js';

function ids(list) {
  return (list || []).map((x) => String(x && typeof x === 'object' ? x.id : x));
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
export async function openBooking(ctx, b, opts) {
  const { tz, staff } = opts;
  const old = document.getElementById('booking-dialog');
  if (old) old.remove();
  const what = [...await names(ctx, 'packages', b.packages), ...await names(ctx, 'services', b.services)];
  const current = ids(b.staff);
  const p = b.property || {};
  const a = b.agent || {};
  const mins = Math.round((new Date(b.end) - new Date(b.start)) / 60000);

  const st = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const alts = el('div', { class: 'inline', id: 'booking-alternatives' });
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
    crew,
    el('fieldset', { class: 'field' },
      el('legend', { text: `Move to (${tz})` }),
      el('div', { class: 'row' },
        el('div', { class: 'field' }, el('label', { for: 'bk-date', text: 'Date' }), date),
        el('div', { class: 'field' }, el('label', { for: 'bk-time', text: 'Start time' }), time))),
    el('div', { class: 'field checks' }, el('label', { for: 'bk-force' }, force,
      'Force: skip the availability check (double booking is possible)')),
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
      document.getElementById('bk-current-staff').textContent = (b.staff || []).map((s) => s.name).join(', ');
      document.getElementById('bk-when').textContent = `${formatDateTime(b.start, tz)} – ${formatTime(b.end, tz)}`;
      current.splice(0, current.length, ...ids(b.staff));
      if (opts.onChange) await opts.onChange();
    } catch (e) {
      if (e.field) fieldError(form, e.field, e.message);
      if (e.status === 409) {
        status(st, `Not saved: ${e.message} Pick another time, or tick “Force” to book it anyway.`, 'error');
        const list = (e.body && e.body.alternatives) || [];
        if (list.length) {
          alts.append(el('span', { text: 'Free instead:' }), ...list.slice(0, 6).map((s) => el('button', {
            type: 'button', class: 'small', text: formatDateTime(s.start || s, tz),
            onclick: () => { date.value = dateInZone(s.start || s, tz); time.value = timeInZone(s.start || s, tz); time.focus(); },
          })));
        }
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
      await busy(cancelBtn, 'Cancelling…', ctx.call('DELETE', `/bookings/${encodeURIComponent(b.id)}`));
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
