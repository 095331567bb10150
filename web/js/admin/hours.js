// hours.js — editors for weekly working hours ({mon:[["09:00","17:00"]], …})
// and dated exceptions ([{date, off:true} | {date, hours:[…]}]) with time
// pickers: each day holds any number of ranges (none = day off); each
// exception is a date, off all day or its own ranges. Used by the settings
// (default hours) and staff sections.

import { el, formatClock } from '../api.js';

export const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_NAMES = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
const MAX_RANGES = 8; // per day, as the server allows

// A field problem the forms show next to the control named FIELD.
export class FieldProblem extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

// "00:00" as an end means midnight at the end of the day.
const endOf = (t) => (t === '00:00' ? '24:00' : t);

// A list of time ranges edited with pickers. ID names the controls
// (ID-0-from, ID-0-to, ID-add, …); FIELD is the API field path errors name
// (FIELD.0 for the first range). RANGES is the current value; OFFTEXT is
// what an empty list means ("Day off"). read() returns [[from, to], …]
// sorted, or throws FieldProblem.
function rangesEditor(id, field, ranges, offText, onChange) {
  const list = el('div', { class: 'ranges', id: `${id}-ranges`, 'data-field': field });
  const off = el('span', { class: 'muted day-off', text: offText });
  const add = el('button', { type: 'button', class: 'small', id: `${id}-add`, text: '+ Add hours',
    'aria-label': `Add hours (${offText.toLowerCase()} now)` });
  let n = 0;
  function sync() {
    const count = list.querySelectorAll('.range').length;
    off.hidden = count > 0;
    add.disabled = count >= MAX_RANGES;
    add.setAttribute('aria-label', count ? 'Add more hours' : `Add hours (${offText.toLowerCase()} now)`);
    if (onChange) onChange(count);
  }
  function addRange(from, to) {
    const i = n++;
    const a = el('input', { type: 'time', id: `${id}-${i}-from`, value: from || '', step: 300, 'aria-label': 'From' });
    const b = el('input', { type: 'time', id: `${id}-${i}-to`, value: to === '24:00' ? '00:00' : (to || ''), step: 300, 'aria-label': 'To' });
    const row = el('div', { class: 'inline range', id: `${id}-${i}`, 'data-field': `${field}.${list.querySelectorAll('.range').length}` },
      a, el('span', { 'aria-hidden': 'true', text: '–' }), b,
      el('button', { type: 'button', class: 'small ghost', 'aria-label': 'Remove these hours', text: '✕',
        onclick: () => { row.remove(); renumber(); sync(); add.focus(); } }));
    list.append(row);
    sync();
    return a;
  }
  function renumber() {
    [...list.querySelectorAll('.range')].forEach((r, k) => { r.dataset.field = `${field}.${k}`; });
  }
  add.addEventListener('click', () => {
    const rows = [...list.querySelectorAll('.range')];
    const last = rows.length ? rows[rows.length - 1].querySelectorAll('input')[1].value : '';
    const from = last && last < '23:00' ? last : '09:00';
    const to = rows.length ? (from < '22:00' ? `${String(Number(from.slice(0, 2)) + 1).padStart(2, '0')}${from.slice(2)}` : '00:00') : '17:00';
    addRange(from, to).focus();
  });
  for (const r of ranges || []) addRange(r[0], r[1]);
  sync();
  return {
    node: el('div', { class: 'ranges-editor' }, list, off, add),
    clear() {
      list.replaceChildren();
      sync();
    },
    read() {
      const out = [];
      list.querySelectorAll('.range').forEach((row, k) => {
        const [a, b] = row.querySelectorAll('input');
        if (!a.value || !b.value) throw new FieldProblem(`${field}.${k}`, 'Pick both times, or remove these hours.');
        const to = endOf(b.value);
        if (to <= a.value) throw new FieldProblem(`${field}.${k}`, `${formatClock(a.value)} to ${formatClock(to)}: the end must be after the start.`);
        out.push([a.value, to]);
      });
      out.sort((x, y) => (x[0] < y[0] ? -1 : 1));
      for (let k = 1; k < out.length; k++) {
        if (out[k][0] < out[k - 1][1]) throw new FieldProblem(field, 'These hours overlap; merge them or change one.');
      }
      return out;
    },
  };
}

// Weekly hours editor. PREFIX makes ids unique and is the API field name;
// HOURS is the current value. read() returns the hours object or throws
// FieldProblem.
export function hoursEditor(prefix, hours) {
  const days = {};
  const grid = el('div', { class: 'hours-grid' });
  for (const d of DAY_KEYS) {
    const id = `${prefix}-${d}`;
    const label = el('span', { class: 'day-name', id: `${id}-label`, text: DAY_NAMES[d] });
    const offBtn = el('button', { type: 'button', class: 'small', id: `${id}-off`, text: 'Make it a day off',
      'aria-label': `Make ${DAY_NAMES[d]} a day off` });
    days[d] = rangesEditor(id, `${prefix}.${d}`, (hours || {})[d], 'Day off', (count) => { offBtn.hidden = count === 0; });
    offBtn.addEventListener('click', () => days[d].clear());
    grid.append(el('div', { class: 'hours-day field', role: 'group', 'aria-labelledby': `${id}-label` },
      label, days[d].node, offBtn));
  }
  const node = el('div', {},
    el('p', { class: 'hint', text: 'Add one or more ranges per day (e.g. a lunch break is two ranges); a day without hours is a day off.' }),
    grid);
  return {
    node,
    read() {
      const out = {};
      for (const d of DAY_KEYS) {
        const iv = days[d].read();
        if (iv.length) out[d] = iv;
      }
      return out;
    },
  };
}

// Dated exceptions editor: each row a date, off all day or its own hours,
// listed by date.
export function exceptionsEditor(prefix, exceptions) {
  const rows = el('div', { id: `${prefix}-rows`, class: 'exceptions' });
  const empty = el('p', { class: 'muted', id: `${prefix}-none`, text: 'No exceptions: the weekly hours apply every day.' });
  let n = 0;
  const sync = () => { empty.hidden = rows.querySelectorAll('.exception').length > 0; };
  function addRow(ex) {
    const i = n++;
    const date = el('input', { type: 'date', id: `${prefix}-date-${i}`, value: (ex && ex.date) || '', 'aria-label': 'Date' });
    const off = el('input', { type: 'checkbox', id: `${prefix}-off-${i}`, checked: !ex || ex.off || !ex.hours });
    const row = el('div', { class: 'exception field', 'data-row': String(i) });
    const hours = rangesEditor(`${prefix}-${i}-hours`, `${prefix}.${i}.hours`, ex && ex.hours, 'No hours yet');
    const hoursWrap = el('div', { class: 'exception-hours' }, hours.node);
    const syncOff = () => { hoursWrap.hidden = off.checked; };
    off.addEventListener('change', () => {
      syncOff();
      if (!off.checked && !hours.read().length) hoursWrap.querySelector('button[id$="-add"]').click();
    });
    syncOff();
    row.append(
      el('div', { class: 'inline' },
        el('div', { class: 'field', 'data-field': `${prefix}.${i}.date` }, date),
        el('label', { class: 'inline', for: off.id }, off, 'Off all day'),
        el('button', { type: 'button', class: 'small danger', 'aria-label': 'Remove this exception',
          onclick: () => { row.remove(); sync(); }, text: 'Remove' })),
      hoursWrap);
    row.readValue = () => {
      if (!date.value) throw new FieldProblem(`${prefix}.${i}.date`, 'Pick a date or remove this row.');
      if (off.checked) return { date: date.value, off: true };
      const iv = hours.read();
      if (!iv.length) throw new FieldProblem(`${prefix}.${i}.hours`, 'Add the hours worked that day, or tick “Off all day”.');
      return { date: date.value, hours: iv };
    };
    rows.append(row);
    sync();
    return row;
  }
  for (const ex of [...(exceptions || [])].sort((a, b) => (a.date < b.date ? -1 : 1))) addRow(ex);
  sync();
  const node = el('div', {},
    empty, rows,
    el('button', { type: 'button', class: 'small', id: `${prefix}-add`, onclick: () => addRow(null).querySelector('input').focus(),
      text: 'Add a day off or different hours' }));
  return {
    node,
    read() {
      const out = [];
      for (const row of rows.querySelectorAll('.exception')) out.push(row.readValue());
      const seen = new Set();
      for (const x of out) {
        if (seen.has(x.date)) throw new FieldProblem(prefix, `${x.date} is listed twice; keep one row per date.`);
        seen.add(x.date);
      }
      return out;
    },
  };
}
