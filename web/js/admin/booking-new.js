// booking-new.js (admin) — a booking taken for an agent (a phone order): the
// agent page's choices (services, packages, property, a free time from the
// same picker) and contact details; an admin may ask for one photographer,
// or force a time and crew past the availability rules (never onto another
// shoot of the same person). The agent gets the manage link by e-mail.

import {
  el, status, busy, query, clearErrors, fieldError, formatDateTime, formatMinutes, dateInZone, zonedToIso,
} from '../api.js';
import { createSlotPicker } from '../slots.js';
import { checkGroup, checked, field, val } from './form.js';
import { refusalNodes } from './booking-dialog.js';

// OPTS: tz, staff (active staff), onBooked(booking), onClose().
export async function newBookingForm(ctx, opts) {
  const { tz, staff } = opts;
  const [services, packages, catalog] = await Promise.all([ctx.items('services'), ctx.items('packages'),
    ctx.get('/catalog').catch(() => ({}))]);
  const today = dateInZone(catalog && catalog.now ? catalog.now : new Date(), tz);
  const st = el('p', { class: 'status', id: 'nb-status', role: 'status', 'aria-live': 'polite', hidden: true });
  const refusal = el('div', { id: 'nb-refusal' });
  const pickerRoot = el('div', { id: 'nb-picker' });
  const summary = el('p', { id: 'nb-summary', class: 'muted', text: 'Find the free times, then pick one.' });
  const findBtn = el('button', { type: 'button', id: 'nb-find', text: 'Find free times' });
  const bookBtn = el('button', { type: 'submit', class: 'primary', id: 'nb-book', text: 'Book it' });
  const force = el('input', { type: 'checkbox', id: 'nb-force' });
  const who = el('select', { id: 'nb-who', 'data-field': 'staff' }, el('option', { value: '', text: 'By the assignment policy' }),
    staff.map((s) => el('option', { value: String(s.id), text: s.name })));
  const forceBox = el('div', { id: 'nb-force-fields', hidden: true },
    el('div', { class: 'row' },
      field('nb-date', `Date (${tz})`, today, { type: 'date', field: 'start' }),
      field('nb-time', 'Start time', '10:00', { type: 'time', step: 300 })),
    checkGroup('nb-staff', 'Photographers (one or two)', staff, [], 'staff'));
  let picker = null;

  const form = el('form', { class: 'card', id: 'new-booking', novalidate: true, 'aria-labelledby': 'nb-title' },
    el('h2', { id: 'nb-title', tabindex: '-1', text: 'New booking for an agent' }),
    el('p', { class: 'hint', text: 'The same rules as the agent’s booking page; the agent gets the confirmation and their manage link by e-mail.' }),
    checkGroup('nb-services', 'Services', services, [], 'services'),
    checkGroup('nb-packages', 'Packages', packages, [], 'packages'),
    el('div', { class: 'row' },
      field('nb-address', 'Property address', '', { field: 'property.address' }),
      field('nb-postal', 'Postal code', '', { field: 'property.postal_code' }),
      field('nb-sqft', 'Size in sq ft (optional)', '', { field: 'property.sqft', inputmode: 'numeric' })),
    el('div', { class: 'row' },
      field('nb-name', 'Agent name', '', { field: 'agent.name' }),
      field('nb-email', 'Agent e-mail', '', { type: 'email', field: 'agent.email' }),
      field('nb-phone', 'Agent phone', '', { type: 'tel', field: 'agent.phone' })),
    field('nb-notes', 'Notes for the shoot', '', { type: 'textarea', field: 'notes' }),
    el('fieldset', { class: 'field' }, el('legend', { text: 'When' }),
      el('div', { class: 'field checks' }, el('label', { for: 'nb-force' }, force,
        'Force: a time and photographers of my choosing, past the availability rules')),
      el('div', { id: 'nb-free' },
        el('div', { class: 'field' }, el('label', { for: 'nb-who', text: 'Photographer' }), who),
        el('div', { class: 'actions' }, findBtn), pickerRoot, summary),
      forceBox),
    st, refusal,
    el('div', { class: 'actions' }, bookBtn,
      el('button', { type: 'button', id: 'nb-close', onclick: () => opts.onClose(), text: 'Close' })));

  const what = () => ({
    services: checked(form, 'nb-services'), packages: checked(form, 'nb-packages'),
    postal_code: val(form, 'nb-postal'), sqft: val(form, 'nb-sqft'),
  });

  // The choices without which no time can be looked up; marks what is missing.
  function checkWhat() {
    clearErrors(form);
    const w = what();
    const problems = [];
    if (!w.services.length && !w.packages.length) problems.push(['services', 'Choose at least one service or package.']);
    if (!val(form, 'nb-address')) problems.push(['property.address', 'Enter the property address.']);
    if (!w.postal_code) problems.push(['property.postal_code', 'Enter the postal code.']);
    if (w.sqft && !/^\d+$/.test(w.sqft)) problems.push(['property.sqft', 'A whole number of square feet, or empty.']);
    for (const [f, m] of problems) fieldError(form, f, m);
    if (problems.length) form.querySelector('[aria-invalid="true"]')?.focus?.();
    return !problems.length;
  }

  force.addEventListener('change', () => {
    forceBox.hidden = !force.checked;
    form.querySelector('#nb-free').hidden = force.checked;
  });

  findBtn.addEventListener('click', async () => {
    status(st, '');
    refusal.replaceChildren();
    if (!checkWhat()) return;
    const w = what();
    picker = createSlotPicker(pickerRoot, {
      tz, today, horizonDays: (catalog && catalog.horizon_days) || 60,
      load: (from, to) => ctx.call('GET', '/availability' + query({ ...w, from, to })),
      loadNext: (from) => ctx.call('GET', '/availability' + query({ ...w, from, next: 1 })),
      onSelect: (slot) => {
        summary.textContent = slot ? `${formatDateTime(slot.start, tz)} for ${formatMinutes(picker.answer.duration_minutes)}.`
          : 'Pick a time.';
      },
    });
    try {
      await busy(findBtn, 'Finding free times…', picker.refresh());
    } catch (e) {
      if (e.field) fieldError(form, e.field, e.message);
    }
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status(st, '');
    refusal.replaceChildren();
    if (!checkWhat()) return;
    const w = what();
    const body = {
      agent: { name: val(form, 'nb-name'), email: val(form, 'nb-email'), phone: val(form, 'nb-phone') },
      property: { address: val(form, 'nb-address'), postal_code: w.postal_code },
      services: w.services, packages: w.packages, notes: val(form, 'nb-notes'),
    };
    if (w.sqft) body.property.sqft = Number(w.sqft);
    if (force.checked) {
      const d = val(form, 'nb-date');
      const t = val(form, 'nb-time');
      if (!d || !t) {
        fieldError(form, 'start', 'Enter a date and a start time.');
        return;
      }
      body.start = zonedToIso(d, t, tz);
      body.staff = checked(form, 'nb-staff');
      body.force = true;
      if (!body.staff.length || body.staff.length > 2) {
        fieldError(form, 'staff', 'Choose one or two photographers.');
        return;
      }
    } else {
      if (!picker || !picker.slot) {
        status(st, 'Find the free times and pick one first.', 'error');
        findBtn.focus();
        return;
      }
      body.start = picker.slot.start;
      if (who.value) body.staff = [who.value];
    }
    let b;
    try {
      b = await busy(bookBtn, 'Booking…', ctx.call('POST', '/bookings', { body }));
    } catch (e) {
      if (e.field && e.status !== 409) fieldError(form, e.field, e.message);
      if (e.status === 409) {
        status(st, `Not booked: ${e.message}. Why, per photographer:`, 'error');
        refusal.replaceChildren(...refusalNodes(e.body, tz, (start) => {
          force.checked = false;
          force.dispatchEvent(new Event('change'));
          if (picker) picker.showDayOf(start);
          else findBtn.click();
          summary.textContent = `Pick ${formatDateTime(start, tz)} in the list of free times.`;
        }));
      } else {
        status(st, `Not booked: ${e.message}`, 'error');
      }
      return;
    }
    status(st, `Booked #${b.id}: ${formatDateTime(b.start, tz)} with ${(b.staff || []).map((s) => s.name).join(' and ')}. ` +
      `${body.agent.name || 'The agent'} gets the confirmation and manage link by e-mail.`, 'ok');
    form.querySelector('#nb-book').disabled = true;
    if (opts.onBooked) await opts.onBooked(b);
  });

  return form;
}
