// form.js — small builders for the admin forms (labelled fields, checkbox
// groups) and the one save routine: validate, call, show progress and put
// errors next to their fields.

import { el, status, fieldError, clearErrors, busy } from '../api.js';

// A labelled input. OPTS: type, hint, field (API field name), required,
// min, max, step, placeholder, list.
export function field(id, label, value, opts = {}) {
  const input = opts.type === 'textarea'
    ? el('textarea', { id, name: id, rows: opts.rows || 3 })
    : el('input', {
      id, name: id, type: opts.type || 'text', min: opts.min, max: opts.max, step: opts.step,
      placeholder: opts.placeholder, list: opts.list, autocomplete: 'off', inputmode: opts.inputmode,
    });
  input.value = value === undefined || value === null ? '' : String(value);
  if (opts.field) input.dataset.field = opts.field;
  if (opts.required) input.required = true;
  return el('div', { class: 'field' },
    el('label', { for: id, text: label }),
    opts.hint ? el('p', { class: 'hint', id: id + '-hint', text: opts.hint }) : null,
    input);
}

export function checkbox(id, label, checked, fieldName) {
  const input = el('input', { type: 'checkbox', id, name: id, checked: !!checked });
  if (fieldName) input.dataset.field = fieldName;
  return el('div', { class: 'field checks' }, el('label', { for: id }, input, label));
}

export function select(id, label, value, options, fieldName) {
  const s = el('select', { id, name: id },
    options.map(([v, text]) => el('option', { value: v, text })));
  s.value = value === undefined || value === null ? options[0][0] : String(value);
  if (fieldName) s.dataset.field = fieldName;
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), s);
}

// A fieldset of checkboxes, one per item {id, name}; CHOSEN is a list of ids.
export function checkGroup(id, legend, items, chosen, fieldName) {
  const set = new Set((chosen || []).map(String));
  const fs = el('fieldset', { class: 'field', id, 'data-field': fieldName || id },
    el('legend', { text: legend }),
    items.length
      ? el('div', { class: 'checks' }, items.map((it) => el('label', { for: `${id}-${it.id}` },
        el('input', { type: 'checkbox', id: `${id}-${it.id}`, value: String(it.id), checked: set.has(String(it.id)) }),
        it.name)))
      : el('p', { class: 'hint', text: 'None defined yet.' }));
  return fs;
}

// The ids ticked in a checkGroup.
export function checked(root, id) {
  return [...root.querySelectorAll(`#${CSS.escape(id)} input:checked`)].map((i) => i.value);
}

export function val(root, id) {
  const n = root.querySelector('#' + CSS.escape(id));
  return n ? n.value.trim() : '';
}

// An integer from input ID, or throws {field, message} when not a whole
// number within [MIN, MAX]; empty gives EMPTY.
export function intVal(root, id, fieldName, { min = 0, max = 1e9, empty } = {}) {
  const s = val(root, id);
  if (s === '' && empty !== undefined) return empty;
  if (!/^-?\d+$/.test(s) || Number(s) < min || Number(s) > max) {
    const e = new Error(`Enter a whole number from ${min} to ${max}.`);
    e.field = fieldName;
    throw e;
  }
  return Number(s);
}

// Runs a save: READ() builds the body (throwing {field, message} for bad
// input), SEND(body) calls the API. Shows progress on BUTTON and the outcome
// in STATUSNODE (OKMESSAGE: a text, or a function of SEND's result); errors
// with a field go next to that field in FORM. Resolves to SEND's result, or
// null when it failed.
export async function save(form, statusNode, button, read, send, okMessage) {
  clearErrors(form);
  status(statusNode, '');
  let body;
  try {
    body = read();
  } catch (e) {
    if (!(e.field && fieldError(form, e.field, e.message))) {
      status(statusNode, e.message, 'error');
    } else {
      status(statusNode, 'Please fix the marked field.', 'error');
      form.querySelector('[aria-invalid="true"]')?.focus?.();
    }
    return null;
  }
  status(statusNode, 'Saving…', 'busy');
  try {
    const res = await busy(button, 'Saving…', send(body));
    const msg = typeof okMessage === 'function' ? okMessage(res) : okMessage;
    status(statusNode, msg || 'Saved.', 'ok');
    return res || {};
  } catch (e) {
    if (e.field) fieldError(form, e.field, e.message);
    status(statusNode, `Not saved: ${e.message}`, 'error');
    return null;
  }
}
