// settings.js — every business setting of API.md on one form (the business
// location for sunset windows included); settings the page does not know are
// kept as they are.

import { el, setClockFormat } from '../api.js';
import { field, checkbox, select, save, val, intVal } from './form.js';
import { hoursEditor } from './hours.js';

function zoneList() {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return el('datalist', { id: 'tz-list' }, zones.map((z) => el('option', { value: z })));
}

function speed(form) {
  const v = val(form, 'travel_speed_kmh');
  const n = v === '' ? 0 : Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 300) {
    const e = new Error('Enter a speed from 0 to 300 km/h, or leave it empty.');
    e.field = 'travel_speed_kmh';
    throw e;
  }
  return n;
}

// The business location {lat, lon}, or null when both are empty: where
// sunset/sunrise windows are computed for a property with no position.
function location(form) {
  const lat = val(form, 'location_lat');
  const lon = val(form, 'location_lon');
  if (lat === '' && lon === '') return null;
  const n = [Number(lat), Number(lon)];
  for (const [i, name, max] of [[0, 'lat', 90], [1, 'lon', 180]]) {
    if ((i ? lon : lat) === '' || !Number.isFinite(n[i]) || Math.abs(n[i]) > max) {
      const e = new Error(`Enter a ${i ? 'longitude' : 'latitude'} from -${max} to ${max}, or leave both empty.`);
      e.field = `location.${name}`;
      throw e;
    }
  }
  return { lat: n[0], lon: n[1] };
}

// The server keeps the previous outside-area message when none is sent.
function withoutEmptyMessage(body) {
  if (!body.outside_area_message) delete body.outside_area_message;
  return body;
}

export async function renderSettings(root, ctx) {
  const s = (await ctx.get('/settings', true)) || {};
  const two = s.two_photographers || {};
  const hours = hoursEditor('default_hours', s.default_hours);
  const statusNode = el('p', { class: 'status', id: 'settings-form-status', role: 'status', 'aria-live': 'polite', hidden: true });
  const submit = el('button', { type: 'submit', class: 'primary', id: 'settings-save', text: 'Save settings' });
  const form = el('form', { id: 'settings-form', novalidate: true },
    el('section', { class: 'card' },
      el('h2', { text: 'Online booking' }),
      field('business_name', 'Business name', s.business_name || '', { field: 'business_name',
        hint: 'Shown to agents on the booking pages. Leave empty to show none.' }),
      checkbox('integrated_booking', 'Integrated booking: agents can book online', s.integrated_booking, 'integrated_booking'),
      field('timezone', 'Business time zone', s.timezone, { list: 'tz-list', field: 'timezone',
        hint: 'IANA name, e.g. America/New_York. Slots are offered and shown in this zone.' }),
      zoneList(),
      el('div', { class: 'row' },
        field('location_lat', 'Business location: latitude', s.location ? s.location.lat : '',
          { field: 'location.lat', inputmode: 'decimal',
            hint: 'Twilight and sunrise shoots use the sun at this place when a property has no position of its own.' }),
        field('location_lon', 'Longitude', s.location ? s.location.lon : '',
          { field: 'location.lon', inputmode: 'decimal', hint: 'e.g. 40.7128 and -74.0060 for New York.' })),
      select('clock_format', 'Clock', s.clock_format || '12h', [
        ['12h', '12-hour clock — 1:30 PM'],
        ['24h', '24-hour clock — 13:30'],
      ], 'clock_format'),
      field('outside_area_message', 'Message for properties outside every service area', s.outside_area_message,
        { type: 'textarea', field: 'outside_area_message' }),
      el('div', { class: 'row' },
        field('contact_phone', 'Contact phone', s.contact_phone || '', { field: 'contact_phone', type: 'tel',
          hint: 'Shown to agents when online booking is closed.' }),
        field('contact_email', 'Contact e-mail', s.contact_email || '', { field: 'contact_email', type: 'email' })),
      el('div', { class: 'row' },
        field('currency', 'Currency of the prices', s.currency || 'USD', { field: 'currency',
          hint: 'ISO 4217 code, e.g. USD, EUR, GBP.' }),
        field('country', 'Country of the properties', s.country || 'US', { field: 'country',
          hint: 'ISO code, e.g. US: postal codes are checked against it and addresses looked up in it.' }))),
    el('section', { class: 'card' },
      el('h2', { text: 'Scheduling rules' }),
      el('div', { class: 'row' },
        field('drive_buffer_minutes', 'Drive buffer (minutes)', s.drive_buffer_minutes ?? 30,
          { type: 'number', min: 0, field: 'drive_buffer_minutes', hint: 'Before and after every shoot.' }),
        field('slot_step_minutes', 'Slot step (minutes)', s.slot_step_minutes ?? 30,
          { type: 'number', min: 5, field: 'slot_step_minutes', hint: 'Start times are aligned to this.' })),
      el('div', { class: 'row' },
        field('min_notice_minutes', 'Minimum notice (minutes)', s.min_notice_minutes ?? 0,
          { type: 'number', min: 0, field: 'min_notice_minutes', hint: 'Prevents last-minute bookings and changes.' }),
        field('horizon_days', 'Booking horizon (days)', s.horizon_days ?? 60,
          { type: 'number', min: 1, field: 'horizon_days', hint: 'How far ahead agents can book.' })),
      field('travel_speed_kmh', 'Average driving speed for travel-aware buffers (km/h)', s.travel_speed_kmh || '',
        { type: 'number', min: 0, max: 300, field: 'travel_speed_kmh',
          hint: 'When set, the buffer next to a shoot with known coordinates grows to the driving time. Empty or 0 = off.' }),
      select('assignment', 'Who gets the shoot', s.assignment || 'balanced', [
        ['balanced', 'Balanced — fewest booked minutes that week'],
        ['priority', 'Priority — staff rank order'],
        ['nearest', 'Nearest — closest home base or previous shoot'],
      ], 'assignment')),
    el('section', { class: 'card' },
      el('h2', { text: 'Two photographers' }),
      checkbox('tp_enabled', 'Send two photographers to long shoots', two.enabled, 'two_photographers.enabled'),
      el('div', { class: 'row' },
        field('tp_threshold', 'From a shoot length of (minutes)', two.threshold_minutes ?? 180,
          { type: 'number', min: 0, field: 'two_photographers.threshold_minutes' }),
        field('tp_reduction', 'Time saved (%)', two.reduction_percent ?? 0,
          { type: 'number', min: 0, max: 90, field: 'two_photographers.reduction_percent' })),
      checkbox('tp_senior', 'At least one of the pair must be senior', two.senior_required, 'two_photographers.senior_required')),
    el('section', { class: 'card' },
      el('h2', { text: 'Default booking hours' }),
      el('p', { class: 'hint', text: 'Used for staff members without their own weekly hours, in their own time zone.' }),
      hours.node),
    statusNode,
    el('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const res = await save(form, statusNode, submit, () => withoutEmptyMessage({
      ...s,
      integrated_booking: form.querySelector('#integrated_booking').checked,
      business_name: val(form, 'business_name'),
      timezone: val(form, 'timezone'),
      location: location(form),
      outside_area_message: val(form, 'outside_area_message'),
      contact_phone: val(form, 'contact_phone'),
      contact_email: val(form, 'contact_email'),
      currency: val(form, 'currency').toUpperCase(),
      country: val(form, 'country').toUpperCase(),
      drive_buffer_minutes: intVal(form, 'drive_buffer_minutes', 'drive_buffer_minutes', { max: 480 }),
      slot_step_minutes: intVal(form, 'slot_step_minutes', 'slot_step_minutes', { min: 5, max: 240 }),
      min_notice_minutes: intVal(form, 'min_notice_minutes', 'min_notice_minutes', { max: 525600 }),
      horizon_days: intVal(form, 'horizon_days', 'horizon_days', { min: 1, max: 730 }),
      travel_speed_kmh: speed(form),
      assignment: val(form, 'assignment'),
      clock_format: val(form, 'clock_format'),
      two_photographers: {
        ...two,
        enabled: form.querySelector('#tp_enabled').checked,
        threshold_minutes: intVal(form, 'tp_threshold', 'two_photographers.threshold_minutes', { max: 1440 }),
        reduction_percent: intVal(form, 'tp_reduction', 'two_photographers.reduction_percent', { max: 90 }),
        senior_required: form.querySelector('#tp_senior').checked,
      },
      default_hours: hours.read(),
    }), (body) => ctx.call('PUT', '/settings', { body }), 'Settings saved.');
    if (res) {
      ctx.forget('/settings', '/readiness');
      Object.assign(s, res);
      setClockFormat(s.clock_format);
    }
  });
  root.replaceChildren(el('h1', { text: 'Settings' }), form);
}
