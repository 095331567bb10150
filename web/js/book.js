// book.js — the agent's booking page: choose what (with prices and each
// item's shoot window), where (address suggestions, a map pin, the
// service-area check right after the address), and when (the picker:
// business zone, the agent's zone too, next free day, each day's shoot
// windows, e.g. its sunset), give contact details, confirm; handles the lost
// race (409) by refreshing times. The confirmation says what was booked, the
// price, the photographer, and offers "Add to calendar" and the private link.

import {
  api, query, el, status, fieldError, clearErrors, busy, formatDateTime, dateInZone, formatMinutes,
  formatMoney, agentZone,
} from './api.js';
import {
  loadCatalog, lengthParts, describeLength, describePrice, servicePrice, CLOSED_CODES as CLOSED, closedMessage,
  agentMessage,
} from './catalog.js';
import { createSlotPicker } from './slots.js';
import { createPlace } from './places.js';
import { renderFacts, renderAddToCalendar } from './booked.js';
import { dayWindowNotes, windowText } from './windows.js';

const $ = (id) => document.getElementById(id);
const form = $('book-form');
let catalog = null;
let picker = null;
let place = null;
let searched = null; // the query the picker shows, as a string key
let idemKey = null;
let areaTimer = null;

function chosen(kind) {
  return [...form.querySelectorAll(`input[name="${kind}"]:checked`)].map((i) => i.value);
}

function criteria() {
  return {
    services: chosen('service'),
    packages: chosen('package'),
    postal_code: $('postal_code').value.trim(),
    sqft: $('sqft').value.trim(),
    ...(place ? place.point() : {}),
  };
}

function priceText(price) {
  return Number.isInteger(price) ? formatMoney(price, catalog.currency) : '';
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
    const price = kind === 'service' ? servicePrice(it, '') : it.price;
    const priced = (it.tiers || []).some((t) => Number.isInteger(t.price) && t.price !== price) ? 'from ' : '';
    root.append(el('label', { class: 'choice', for: id },
      el('input', { type: 'checkbox', id, name: kind, value: String(it.id) }),
      el('span', { class: 'choice-name', text: it.name }),
      el('span', { class: 'choice-meta' },
        Number.isInteger(price) ? el('span', { class: 'choice-price', text: priced + priceText(price) }) : null,
        el('span', { text: formatMinutes(it.duration_minutes) + tiers })),
      detail ? el('span', { class: 'choice-detail', text: detail }) : null,
      it.window ? el('span', { class: 'choice-detail choice-window', text: `Shot ${windowText(it.window)}` }) : null));
  }
}

// The length and price beside it: from the catalog while choosing, from the
// server's answer (ANSWER) once times are shown.
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
  let quote = answer ? answer.price : null;
  const counted = parts.filter((p) => !p.includedIn);
  if (!answer && counted.length && counted.every((p) => Number.isInteger(p.price))) {
    quote = {
      currency: catalog.currency,
      total: counted.reduce((a, p) => a + p.price, 0),
      lines: parts.map((p) => (p.includedIn ? { name: p.name, amount: 0, included_in: p.includedIn }
        : { name: p.name, amount: p.price })),
    };
  }
  const price = describePrice(quote);
  $('price').hidden = !price;
  $('price').replaceChildren(el('strong', { text: 'Price: ' }), price);
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

function closeForm() {
  status($('page-status'), closedMessage(catalog), 'warn');
  $('form-fields').disabled = true;
  $('form-fields').setAttribute('aria-disabled', 'true');
}

function showError(e) {
  if (CLOSED.has(e.code)) {
    closeForm();
    status($('form-status'), closedMessage(catalog), 'error');
    return;
  }
  if (e.field && fieldError(form, e.field, e.message)) {
    const input = form.querySelector('[aria-invalid="true"]');
    if (input && input.focus) input.focus();
    status($('form-status'), 'Please fix the marked field.', 'error');
  } else {
    status($('form-status'), e.message, 'error');
  }
}

// The service-area check right after the address; a postal code of another
// country is marked on its field.
async function checkArea() {
  try {
    clearErrors($('h-where').parentElement);
    return await place.checkArea();
  } catch (e) {
    if (e.field) fieldError(form, e.field === 'postal_code' ? 'property.postal_code' : e.field, e.message);
    return false;
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
    agentTz: agentZone(),
    load: (from, to) => api('GET', '/availability' + query({ ...c, from, to })),
    loadNext: (from) => api('GET', '/availability' + query({ ...c, from, next: 1 })),
    onSelect: summarize,
    onLoaded: showLength,
    explain: (e) => agentMessage(catalog, e),
    dayNotes: (day, answer) => dayWindowNotes(answer, day, answer.timezone || catalog.timezone),
  });
  try {
    await busy($('find'), 'Finding free times…', picker.refresh());
  } catch (e) {
    if (e.field || CLOSED.has(e.code)) showError(e);
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
  const quote = picker.answer && picker.answer.price;
  $('summary').replaceChildren(
    el('strong', { text: formatDateTime(slot.start, tz) }),
    mins ? ` for ${formatMinutes(mins)}` : '',
    slot.crew_size > 1 ? ' with two photographers' : '',
    ` at ${$('address').value.trim()}.`,
    quote ? ` Total: ${formatMoney(quote.total, quote.currency)}.` : '');
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

function placeChanged() {
  invalidate();
  clearTimeout(areaTimer);
  areaTimer = setTimeout(checkArea, 500);
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
    property: { address: $('address').value.trim(), postal_code: c.postal_code, ...place.point() },
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
    done(b);
  } catch (e) {
    if (e.status === 409 && e.code === 'slot_unavailable') {
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

function done(b) {
  form.hidden = true;
  $('done').hidden = false;
  const link = new URL('/manage/' + encodeURIComponent(b.manage_token), location.origin).href;
  renderFacts($('done-facts'), catalog, b, link, 'done');
  renderAddToCalendar($('done-cal'), catalog, b, link);
  $('done').focus();
}

async function start() {
  status($('page-status'), 'Loading…', 'busy');
  try {
    catalog = await loadCatalog();
  } catch (e) {
    status($('page-status'), 'Online booking is not available right now. Please try again in a few minutes.', 'error');
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
  form.hidden = false;
  if (catalog.integrated_booking === false) closeForm();
  place = createPlace({
    address: $('address'), postal: $('postal_code'), list: $('address-list'), hint: $('address-hint'),
    mapBox: $('map'), mapNote: $('map-note'), area: $('area-status'),
  }, catalog, placeChanged);
  form.addEventListener('change', (ev) => {
    if (ev.target.closest('#picker')) return;
    invalidate();
  });
  form.addEventListener('input', (ev) => {
    if (ev.target.id === 'sqft') invalidate();
    if (ev.target.id === 'postal_code') placeChanged();
  });
  $('postal_code').addEventListener('blur', () => {
    clearTimeout(areaTimer);
    checkArea();
  });
  $('find').addEventListener('click', findTimes);
  form.addEventListener('submit', submit);
  showLength(null);
}

start();
