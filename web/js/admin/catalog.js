// catalog.js (admin) — skills, services with size tiers, and packages, with
// their prices (entered in the business currency, stored in minor units) and
// each service's and package's shoot window.

import { el, formatMinutes, formatMoney } from '../api.js';
import { crudBlock } from './crud.js';
import { field, checkbox, checkGroup, checked, val, intVal } from './form.js';
import { withWindow, windowCell } from './window.js';

function names(ids, items) {
  const m = new Map(items.map((x) => [String(x.id), x.name]));
  return (ids || []).map((i) => m.get(String(i)) || `#${i}`).join(', ') || '—';
}

function duration(it) {
  if (it.duration_minutes === undefined || it.duration_minutes === null || it.duration_minutes === 0) {
    return el('span', { class: 'badge bad', text: 'no duration' });
  }
  return formatMinutes(it.duration_minutes);
}

function required(form, id, fieldName, what) {
  const v = val(form, id);
  if (!v) {
    const e = new Error(`Enter ${what}.`);
    e.field = fieldName;
    throw e;
  }
  return v;
}

// Minor units per unit of CURRENCY (100 for USD, 1 for JPY).
function unitsOf(currency) {
  try {
    return 10 ** new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 100;
  }
}

// The price field's text for minor units V ('' when none).
function priceShown(v, currency) {
  return Number.isInteger(v) ? (v / unitsOf(currency)).toFixed(Math.log10(unitsOf(currency))) : '';
}

// The price typed into ID as minor units, or null when empty.
function priceRead(root, id, fieldName, currency) {
  const s = val(root, id).replace(/[\s,]/g, '');
  if (s === '') return null;
  const units = unitsOf(currency);
  if (!/^\d+(\.\d+)?$/.test(s) || Math.abs(Math.round(Number(s) * units) - Number(s) * units) > 1e-6) {
    const e = new Error(`Enter an amount like ${units === 1 ? '250' : '250.00'} (${currency}), or leave it empty.`);
    e.field = fieldName;
    throw e;
  }
  return Math.round(Number(s) * units);
}

function priceCol(it, currency) {
  return Number.isInteger(it.price) ? formatMoney(it.price, currency) : '—';
}

function tiersEditor(tiers, currency) {
  const rows = el('div', { id: 'tiers-rows' });
  let n = 0;
  function addRow(t) {
    const i = n++;
    const row = el('div', { class: 'inline tier', 'data-row': String(i) },
      el('label', { for: `tier-max-${i}`, text: 'Up to' }),
      el('input', { id: `tier-max-${i}`, type: 'number', min: 1, 'data-field': `tiers.${i}.max_sqft`, value: t ? t.max_sqft : '' }),
      el('span', { text: 'sq ft:' }),
      el('input', { id: `tier-min-${i}`, type: 'number', min: 1, 'data-field': `tiers.${i}.duration_minutes`,
        value: t ? t.duration_minutes : '', 'aria-label': 'Minutes for this size' }),
      el('span', { text: 'min' }),
      el('input', { id: `tier-price-${i}`, 'data-field': `tiers.${i}.price`, inputmode: 'decimal',
        value: t ? priceShown(t.price, currency) : '', 'aria-label': `Price for this size (${currency})`, placeholder: 'price' }),
      el('span', { text: currency }),
      el('button', { type: 'button', class: 'small danger', onclick: () => row.remove(), 'aria-label': 'Remove this tier', text: 'Remove' }));
    rows.append(row);
    return row;
  }
  for (const t of tiers || []) addRow(t);
  return {
    node: el('fieldset', { class: 'field tiers' },
      el('legend', { text: 'Size tiers (optional)' }),
      el('p', { class: 'hint', text: 'A larger home can take longer; the smallest tier that fits applies, else the duration above.' }),
      rows,
      el('button', { type: 'button', class: 'small', id: 'tier-add', onclick: () => addRow(null).querySelector('input').focus(), text: 'Add a size tier' })),
    read(form) {
      return [...rows.querySelectorAll('.tier')].map((row) => {
        const i = row.dataset.row;
        const t = {
          max_sqft: intVal(form, `tier-max-${i}`, `tiers.${i}.max_sqft`, { min: 1 }),
          duration_minutes: intVal(form, `tier-min-${i}`, `tiers.${i}.duration_minutes`, { min: 5, max: 1440 }),
        };
        const price = priceRead(form, `tier-price-${i}`, `tiers.${i}.price`, currency);
        if (price !== null) t.price = price;
        return t;
      }).sort((a, b) => a.max_sqft - b.max_sqft);
    },
  };
}

export async function renderCatalog(root, ctx) {
  const [skills, services, settings] = await Promise.all([ctx.items('skills', true), ctx.items('services', true),
    ctx.get('/settings')]);
  const currency = (settings && settings.currency) || 'USD';
  const lists = { skills, services };
  const refreshLists = async () => {
    lists.skills = await ctx.items('skills', true);
    lists.services = await ctx.items('services', true);
  };

  const skillBlock = crudBlock({
    ctx, name: 'skills', title: 'Skills', noun: 'skill',
    intro: 'What a job needs, e.g. video or drone. Staff with every required skill can take it.',
    columns: [['Name', (s) => s.name]],
    editor: (item) => ({
      node: field('skill-name', 'Name', item && item.name, { field: 'name', required: true }),
      read: () => ({ name: required(root, 'skill-name', 'name', 'a name') }),
    }),
    onChange: refreshLists,
  });

  const serviceBlock = crudBlock({
    ctx, name: 'services', title: 'Services', noun: 'service',
    columns: [['Name', (s) => s.name], ['Duration', duration], ['Price', (s) => priceCol(s, currency)],
      ['Tiers', (s) => (s.tiers || []).map((t) => `≤${t.max_sqft} sq ft: ${formatMinutes(t.duration_minutes)}`).join('; ') || '—'],
      ['Skills', (s) => names(s.skills, lists.skills)],
      ['Shoot window', (s) => windowCell(s.window)]],
    editor: withWindow('service', (item) => {
      const tiers = tiersEditor(item && item.tiers, currency);
      const node = el('div', {},
        field('service-name', 'Name', item && item.name, { field: 'name', required: true }),
        field('service-duration', 'Scheduling duration (minutes)', item && item.duration_minutes,
          { type: 'number', min: 5, field: 'duration_minutes', hint: 'How long the shoot takes on site.' }),
        field('service-price', `Price (${currency})`, priceShown(item && item.price, currency),
          { field: 'price', inputmode: 'decimal', hint: 'What agents pay; a size tier may have its own. Empty: no price shown.' }),
        tiers.node,
        checkGroup('service-skills', 'Required skills', lists.skills, item && item.skills, 'skills'));
      return {
        node,
        read: () => ({
          name: required(root, 'service-name', 'name', 'a name'),
          duration_minutes: intVal(root, 'service-duration', 'duration_minutes', { min: 5, max: 1440 }),
          price: priceRead(root, 'service-price', 'price', currency),
          tiers: tiers.read(root),
          skills: checked(root, 'service-skills'),
        }),
      };
    }),
    onChange: refreshLists,
  });

  const packageBlock = crudBlock({
    ctx, name: 'packages', title: 'Packages', noun: 'package',
    intro: 'A package has its own duration; it is not the sum of its services.',
    columns: [['Name', (p) => p.name], ['Duration', duration], ['Price', (p) => priceCol(p, currency)],
      ['Services', (p) => names(p.services, lists.services)],
      ['Crew', (p) => (p.two_photographers ? 'two photographers' : 'by length')],
      ['Shoot window', (p) => windowCell(p.window)]],
    editor: withWindow('package', (item) => ({
      node: el('div', {},
        field('package-name', 'Name', item && item.name, { field: 'name', required: true }),
        field('package-duration', 'Scheduling duration (minutes)', item && item.duration_minutes,
          { type: 'number', min: 5, field: 'duration_minutes' }),
        field('package-price', `Price (${currency})`, priceShown(item && item.price, currency),
          { field: 'price', inputmode: 'decimal', hint: 'Its own price: a service it includes is not charged again.' }),
        checkGroup('package-services', 'Services included', lists.services, item && item.services, 'services'),
        checkGroup('package-skills', 'Required skills', lists.skills, item && item.skills, 'skills'),
        checkbox('package-two', 'Always send two photographers', item && item.two_photographers, 'two_photographers')),
      read: () => ({
        name: required(root, 'package-name', 'name', 'a name'),
        duration_minutes: intVal(root, 'package-duration', 'duration_minutes', { min: 5, max: 1440 }),
        price: priceRead(root, 'package-price', 'price', currency),
        services: checked(root, 'package-services'),
        skills: checked(root, 'package-skills'),
        two_photographers: root.querySelector('#package-two').checked,
      }),
    })),
  });

  root.replaceChildren(el('h1', { text: 'Services, packages and skills' }),
    serviceBlock.node, packageBlock.node, skillBlock.node);
  await Promise.all([skillBlock.reload(), serviceBlock.reload(), packageBlock.reload()]);
}
