// book.js — the agent's booking page: choose what, where and when (with each
// day's shoot windows, e.g. its sunset), give contact details, confirm;
// handles the lost race (409) by refreshing times.

import {
  api, query, el, status, fieldError, clearErrors, busy, formatDateTime, dateInZone, formatMinutes,
} from './api.js';
import { loadCatalog, lengthParts, describeLength } from './catalog.js';
import { createSlotPicker } from './slots.js';
import { dayWindowNotes, windowText } from './windows.js';

const $ = (id) => document.getElementById(id);
const form = $('book-form');
let catalog = null;
let picker = null;
let searched = null; // the query the picker shows, as a string key
let idemKey = null;

function chosen(kind) {
  return [...form.querySelectorAll(`input[name="${kind}"]:checked`)].map((i) => i.value);
}

function criteria() {
  return {
    services: chosen('service'),
    packages: chosen('package'),
    postal_code: $('postal_code').value.trim(),
    sqft: $('sqft').value.trim(),
  };
}

function choiceList(root, kind, items) {
  root.replaceChildren();
  if (!items.length) {
    root.append(el('p', { class: 'muted', text: `No ${kind}s offered.` }));
    return;
  }
  for (const it of items) {
    const id = `${kind}-${it.id}`;
    const detail = kind === 'package' && it.services && it.services.length
      ? 'includes ' + it.services.map((sid) => {
        const s = catalog.services.find((x) => String(x.id) === String(sid));
        return s ? s.name : '';
      }).filter(Boolean).join(', ')
      : '';
    const tiers = (it.tiers || []).length ? ' (longer for larger homes)' : '';
    root.append(el('label', { class: 'choice', for: id },
      el('input', { type: 'checkbox', id, name: kind, value: String(it.id) }),
      el('span', { class: 'choice-name', text: it.name }),
      el('span', { class: 'choice-meta', text: formatMinutes(it.duration_minutes) + tiers }),
      detail ? el('span', { class: 'choice-detail', text: detail }) : null,
      it.window ? el('span', { class: 'choice-detail choice-window', text: `Shot ${windowText(it.window)}` }) : null));
  }
}

function showLength(answer) {
  const c = criteria();
  const parts = lengthParts(catalog, c.services, c.packages, c.sqft);
  const crew = answer && answer.slots && answer.slots.length ? answer.slots[0].crew_size : 1;
  const text = describeLength(parts, answer ? answer.duration_minutes : undefined, crew);
  $('length').replaceChildren(text
    ? el('p', {}, el('strong', { text: 'Shoot length: ' }), text)
    : el('p', { class: 'muted', text: 'Choose a service or package to see how long the shoot takes.' }));
  if (answer && answer.buffer_minutes) {
    $('length').append(el('p', { class: 'muted',
      text: `The photographer also needs ${formatMinutes(answer.buffer_minutes)} of travel time before and after.` }));
  }
}

function validateWhat() {
  clearErrors(form);
  const c = criteria();
  let ok = true;
  if (!c.services.length && !c.packages.length) {
    fieldError(form, 'services', 'Choose at least one service or package.');
    ok = false;
  }
  if (!$('address').value.trim()) {
    fieldError(form, 'property.address', 'Enter the property address.');
    ok = false;
  }
  if (!c.postal_code) {
    fieldError(form, 'property.postal_code', 'Enter the postal code.');
    ok = false;
  }
  if (c.sqft && !/^[0-9]+$/.test(c.sqft)) {
    fieldError(form, 'property.sqft', 'Enter the size as a whole number of square feet, or leave it empty.');
    ok = false;
  }
  return ok;
}

function showError(e) {
  if (e.field && fieldError(form, e.field, e.message)) {
    const input = form.querySelector('[aria-invalid="true"]');
    if (input && input.focus) input.focus();
    status($('form-status'), 'Please fix the marked field.', 'error');
  } else {
    status($('form-status'), e.message, 'error');
  }
}

async function findTimes() {
  status($('form-status'), '');
  status($('when-status'), '');
  if (!validateWhat()) {
    form.querySelector('[aria-invalid="true"]')?.focus?.();
    return;
  }
  const c = criteria();
  searched = JSON.stringify(c);
  idemKey = null;
  const today = dateInZone(catalog.now || new Date(), catalog.timezone);
  picker = createSlotPicker($('picker'), {
    tz: catalog.timezone,
    today,
    horizonDays: catalog.horizon_days || 60,
    load: (from, to) => api('GET', '/availability' + query({ ...c, from, to })),
    onSelect: summarize,
    onLoaded: showLength,
    dayNotes: (day, answer) => dayWindowNotes(answer, day, answer.timezone || catalog.timezone),
  });
  try {
    await busy($('find'), 'Finding free times…', picker.refresh());
  } catch (e) {
    if (e.field) showError(e);
  }
}

function summarize(slot) {
  if (!slot) {
    $('summary').textContent = 'Pick a time to see your booking summary.';
    return;
  }
  status($('when-status'), '');
  const tz = (picker.answer && picker.answer.timezone) || catalog.timezone;
  const mins = picker.answer ? picker.answer.duration_minutes : null;
  $('summary').replaceChildren(
    el('strong', { text: formatDateTime(slot.start, tz) }),
    mins ? ` for ${formatMinutes(mins)}` : '',
    slot.crew_size > 1 ? ' with two photographers' : '',
    ` at ${$('address').value.trim()}.`);
  clearErrors(form);
}

function invalidate() {
  if (!searched || searched === JSON.stringify(criteria())) {
    showLength(null);
    return;
  }
  searched = null;
  picker = null;
  $('picker').replaceChildren(el('p', { class: 'muted', text: 'Your choices changed. Press “Find free times” again.' }));
  showLength(null);
  summarize(null);
}

async function submit(ev) {
  ev.preventDefault();
  status($('form-status'), '');
  if (!validateWhat()) {
    form.querySelector('[aria-invalid="true"]')?.focus?.();
    status($('form-status'), 'Please fix the marked fields.', 'error');
    return;
  }
  let ok = true;
  const need = [['name', 'agent.name', 'Enter your name.'], ['phone', 'agent.phone', 'Enter a phone number.']];
  for (const [id, field, msg] of need) {
    if (!$(id).value.trim()) { fieldError(form, field, msg); ok = false; }
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test($('email').value.trim())) {
    fieldError(form, 'agent.email', 'Enter an e-mail address like name@example.com.');
    ok = false;
  }
  if (!picker || !picker.slot) {
    fieldError(form, 'start', 'Pick a day and a time.');
    ok = false;
  }
  if (!ok) {
    form.querySelector('[aria-invalid="true"]')?.focus?.();
    status($('form-status'), 'Please fix the marked fields.', 'error');
    return;
  }
  const c = criteria();
  const body = {
    agent: { name: $('name').value.trim(), email: $('email').value.trim(), phone: $('phone').value.trim() },
    property: { address: $('address').value.trim(), postal_code: c.postal_code },
    services: c.services,
    packages: c.packages,
    start: picker.slot.start,
    notes: $('notes').value.trim(),
  };
  if (c.sqft) body.property.sqft = Number(c.sqft);
  idemKey = idemKey || (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  status($('form-status'), 'Booking…', 'busy');
  try {
    const b = await busy($('confirm'), 'Booking…',
      api('POST', '/bookings', { body, headers: { 'Idempotency-Key': idemKey } }));
    done(b, body);
  } catch (e) {
    if (e.status === 409) {
      idemKey = null;
      const when = formatDateTime(body.start, catalog.timezone);
      const msg = `Sorry, ${when} was just taken by someone else. The free times are up to date — please pick another.`;
      status($('form-status'), msg, 'error');
      status($('when-status'), msg, 'error');
      try {
        await picker.refresh();
        await picker.showDayOf(body.start);
      } catch {
        /* the picker shows its own error */
      }
      $('when-status').scrollIntoView({ block: 'center' });
      $('when-status').focus();
      return;
    }
    if (e.status !== 422) idemKey = null;
    showError(e);
  }
}

function done(b, body) {
  const tz = catalog.timezone;
  form.hidden = true;
  $('done').hidden = false;
  $('done-when').textContent = formatDateTime(b.start, tz) + ' (' + tz + ')';
  const mins = Math.round((new Date(b.end) - new Date(b.start)) / 60000);
  $('done-length').textContent = formatMinutes(mins);
  const staff = (b.staff || []).map((s) => s.name).filter(Boolean);
  $('done-staff').textContent = staff.length ? staff.join(' and ') : 'assigned shortly';
  if (staff.length > 1) $('done-staff').previousElementSibling.textContent = 'Photographers';
  $('done-where').textContent = `${body.property.address}, ${body.property.postal_code}`;
  const link = new URL('/manage/' + encodeURIComponent(b.manage_token), location.origin).href;
  $('done-manage').href = link;
  $('done-manage').textContent = link;
  $('done').focus();
}

async function start() {
  status($('page-status'), 'Loading…', 'busy');
  try {
    catalog = await loadCatalog();
  } catch (e) {
    status($('page-status'), `Online booking is not available right now: ${e.message}`, 'error');
    return;
  }
  status($('page-status'), '');
  if (catalog.business_name) {
    $('business-name').textContent = catalog.business_name;
    document.title = `Book a shoot — ${catalog.business_name}`;
  }
  catalog.services = catalog.services || [];
  catalog.packages = catalog.packages || [];
  choiceList($('services'), 'service', catalog.services);
  choiceList($('packages'), 'package', catalog.packages);
  if (!catalog.packages.length) $('packages-set').hidden = true;
  if (catalog.integrated_booking === false) {
    status($('page-status'), 'Online booking is switched off at the moment. Please contact the business directly.', 'warn');
  }
  form.hidden = false;
  form.addEventListener('change', (ev) => {
    if (ev.target.closest('#picker')) return;
    invalidate();
  });
  form.addEventListener('input', (ev) => {
    if (ev.target.id === 'sqft' || ev.target.id === 'postal_code') invalidate();
  });
  $('find').addEventListener('click', findTimes);
  form.addEventListener('submit', submit);
  showLength(null);
}

start();
