// window.js (admin) — the shoot-window part of the service and package
// editors: any time, fixed hours, or around sunset/sunrise at the property.

import { el } from '../api.js';
import { field, select, val, intVal } from './form.js';
import { windowText } from '../windows.js';

// The table cell: "around sunset (60 min before – 30 min after)".
export function windowCell(w) {
  if (!w) return '—';
  if (w.kind === 'local') return windowText(w);
  return `${windowText(w)} (${w.before_minutes} min before – ${w.after_minutes} min after)`;
}

function clockVal(root, id, fieldName) {
  const s = val(root, id);
  if (!/^\d\d:\d\d$/.test(s)) {
    const e = new Error('Enter a time like 09:00 (24:00 for midnight at the end).');
    e.field = fieldName;
    throw e;
  }
  return s;
}

// The editor for window W of the item edited under PREFIX ("service").
// Returns {node, read()}; read gives null or the API's window object and
// throws {field, message} for bad input.
export function windowEditor(prefix, w) {
  const id = (s) => `${prefix}-window-${s}`;
  const kind = select(id('kind'), 'When can it be shot?', w ? w.kind : '', [
    ['', 'Any time'],
    ['local', 'Between fixed hours'],
    ['sunset', 'Around sunset at the property (twilight)'],
    ['sunrise', 'Around sunrise at the property'],
  ], 'window.kind');
  const local = el('div', { class: 'row', id: id('local') },
    field(id('from'), 'From', w && w.kind === 'local' ? w.from : '09:00',
      { field: 'window.from', placeholder: 'HH:MM', hint: 'In the business time zone.' }),
    field(id('to'), 'To', w && w.kind === 'local' ? w.to : '17:00',
      { field: 'window.to', placeholder: 'HH:MM', hint: 'The shoot ends by then.' }));
  const solar = w && w.kind !== 'local';
  const sun = el('div', { class: 'row', id: id('sun') },
    field(id('before'), 'Earliest start (minutes before the sun sets or rises)', solar ? w.before_minutes : 60,
      { type: 'number', min: -600, max: 600, field: 'window.before_minutes' }),
    field(id('after'), 'Latest end (minutes after it)', solar ? w.after_minutes : 30,
      { type: 'number', min: -600, max: 600, field: 'window.after_minutes' }));
  const node = el('fieldset', { class: 'field window', id: id('set'), 'data-field': 'window' },
    el('legend', { text: 'Shoot window (optional)' }),
    el('p', { class: 'hint', text: 'Limit when this can be shot: fixed hours, or around the sunset or sunrise of the day at the property (computed for its location).' }),
    kind, local, sun);
  const pick = node.querySelector('select');
  const show = () => {
    local.hidden = pick.value !== 'local';
    sun.hidden = pick.value !== 'sunset' && pick.value !== 'sunrise';
  };
  pick.addEventListener('change', show);
  show();
  return {
    node,
    read() {
      const k = pick.value;
      if (!k) return null;
      if (k === 'local') return { kind: k, from: clockVal(node, id('from'), 'window.from'), to: clockVal(node, id('to'), 'window.to') };
      return {
        kind: k,
        before_minutes: intVal(node, id('before'), 'window.before_minutes', { min: -600, max: 600 }),
        after_minutes: intVal(node, id('after'), 'window.after_minutes', { min: -600, max: 600 }),
      };
    },
  };
}

// Wraps a crudBlock EDITOR (item → {node, read()}) of a service or package
// with the window editor: its node below, `window` added to what it reads.
export function withWindow(prefix, editor) {
  return async (item) => {
    const ed = await editor(item);
    const win = windowEditor(prefix, item && item.window);
    return {
      node: el('div', {}, ed.node, win.node),
      read: () => ({ ...ed.read(), window: win.read() }),
    };
  };
}
