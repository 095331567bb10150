// hours.js — editors for weekly working hours ({mon:[["09:00","17:00"]], …})
// and dated exceptions ([{date, off:true} | {date, hours:[…]}]), used by the
// settings (default hours) and staff sections.

import { el } from '../api.js';

export const DAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_NAMES = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

// A field problem the forms show next to the control named FIELD.
export class FieldProblem extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

function intervalsText(list) {
  return (list || []).map((iv) => `${iv[0]}-${iv[1]}`).join(', ');
}

const HM = /^([01]?\d|2[0-4]):([0-5]\d)$/;

// "09:00-12:00, 13:00-17:00" → [["09:00","12:00"],["13:00","17:00"]].
// Throws FieldProblem(FIELD) on a malformed or backwards interval.
export function parseIntervals(text, field) {
  const out = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = raw.split(/\s*[-–]\s*/);
    if (m.length !== 2 || !HM.test(m[0]) || !HM.test(m[1])) {
      throw new FieldProblem(field, `“${raw}” is not a time range like 09:00-17:00.`);
    }
    const norm = (t) => t.padStart(5, '0');
    const a = norm(m[0]);
    const b = norm(m[1]);
    if (b <= a) throw new FieldProblem(field, `In “${raw}” the end must be after the start.`);
    out.push([a, b]);
  }
  return out;
}

// Weekly hours editor. PREFIX makes ids unique; HOURS is the current value.
// read() returns the hours object or throws FieldProblem.
export function hoursEditor(prefix, hours) {
  const inputs = {};
  const grid = el('div', { class: 'hours-grid' });
  for (const d of DAY_KEYS) {
    const id = `${prefix}-${d}`;
    inputs[d] = el('input', {
      id, name: id, 'data-field': `${prefix}.${d}`, value: intervalsText((hours || {})[d]),
      placeholder: 'off', autocomplete: 'off',
    });
    grid.append(el('label', { for: id, text: DAY_NAMES[d] }), el('div', { class: 'field' }, inputs[d]));
  }
  const node = el('div', {},
    el('p', { class: 'hint', text: 'Times as 09:00-17:00; several ranges separated by commas (09:00-12:00, 13:00-17:00); empty means off.' }),
    grid);
  return {
    node,
    read() {
      const out = {};
      for (const d of DAY_KEYS) {
        const iv = parseIntervals(inputs[d].value, `${prefix}.${d}`);
        if (iv.length) out[d] = iv;
      }
      return out;
    },
  };
}

// Dated exceptions editor: each row a date, and either "off" or hours.
export function exceptionsEditor(prefix, exceptions) {
  const rows = el('div', { id: `${prefix}-rows` });
  let n = 0;
  function addRow(ex) {
    const i = n++;
    const date = el('input', { type: 'date', id: `${prefix}-date-${i}`, 'data-field': `${prefix}.${i}.date`,
      value: (ex && ex.date) || '', 'aria-label': 'Date' });
    const off = el('input', { type: 'checkbox', id: `${prefix}-off-${i}`, checked: !ex || ex.off || !ex.hours });
    const hrs = el('input', { id: `${prefix}-hours-${i}`, 'data-field': `${prefix}.${i}.hours`,
      value: ex && ex.hours ? intervalsText(ex.hours) : '', placeholder: '10:00-14:00', 'aria-label': 'Hours that day' });
    const sync = () => { hrs.disabled = off.checked; };
    off.addEventListener('change', sync);
    sync();
    const row = el('div', { class: 'inline exception', 'data-row': String(i) },
      el('div', { class: 'field' }, date),
      el('label', { class: 'inline', for: off.id }, off, 'Off all day'),
      el('div', { class: 'field' }, hrs),
      el('button', { type: 'button', class: 'small danger', 'aria-label': 'Remove this exception',
        onclick: () => row.remove(), text: 'Remove' }));
    rows.append(row);
    return row;
  }
  for (const ex of exceptions || []) addRow(ex);
  const node = el('div', {},
    rows,
    el('button', { type: 'button', class: 'small', id: `${prefix}-add`, onclick: () => addRow(null).querySelector('input').focus(),
      text: 'Add a day off or extra day' }));
  return {
    node,
    read() {
      const out = [];
      for (const row of rows.querySelectorAll('.exception')) {
        const [date, off, hrs] = row.querySelectorAll('input');
        const i = row.dataset.row;
        if (!date.value) throw new FieldProblem(`${prefix}.${i}.date`, 'Pick a date or remove this row.');
        if (off.checked) {
          out.push({ date: date.value, off: true });
        } else {
          const iv = parseIntervals(hrs.value, `${prefix}.${i}.hours`);
          if (!iv.length) throw new FieldProblem(`${prefix}.${i}.hours`, 'Enter the hours worked that day, or tick “Off all day”.');
          out.push({ date: date.value, hours: iv });
        }
      }
      return out;
    },
  };
}
