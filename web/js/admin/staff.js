// staff.js (admin) — staff members: contact, zone, weekly hours and dated
// exceptions (time pickers), skills, service zones, senior flag, rank, home
// base, and their private calendar feed link (copy, replace).

import { el, status, busy } from '../api.js';
import { crudBlock } from './crud.js';
import { field, checkbox, checkGroup, checked, val, intVal } from './form.js';
import { hoursEditor, exceptionsEditor } from './hours.js';

function names(ids, items) {
  const m = new Map(items.map((x) => [String(x.id), x.name]));
  return (ids || []).map((i) => m.get(String(i)) || `#${i}`).join(', ');
}

function problem(fieldName, message) {
  const e = new Error(message);
  e.field = fieldName;
  return e;
}

function coord(root, id, fieldName, lim) {
  const s = val(root, id);
  if (s === '') return null;
  const n = Number(s);
  if (!Number.isFinite(n) || Math.abs(n) > lim) throw problem(fieldName, `Enter a number from -${lim} to ${lim}.`);
  return n;
}

// The calendar feed link of staff member S: shown, copied, replaced.
function feedBlock(ctx, s) {
  const url = el('input', { id: 'staff-feed-url', readonly: true, 'aria-label': 'Calendar feed link', value: '' });
  const st = el('p', { class: 'status', id: 'staff-feed-status', role: 'status', 'aria-live': 'polite', hidden: true });
  const copy = el('button', { type: 'button', class: 'small', id: 'staff-feed-copy', text: 'Copy link' });
  const renew = el('button', { type: 'button', class: 'small', id: 'staff-feed-new', text: 'New link' });
  const show = (u) => {
    url.value = u || '';
    copy.disabled = !u;
    if (!u) status(st, 'This link was made before links were kept; make a new one to see it.', 'warn');
  };
  ctx.call('GET', `/staff/${encodeURIComponent(s.id)}/feed-key`)
    .then((r) => show(r && r.url))
    .catch((e) => status(st, `The link could not be loaded: ${e.message}`, 'error'));
  copy.addEventListener('click', async () => {
    url.select();
    try {
      await navigator.clipboard.writeText(url.value);
    } catch {
      document.execCommand('copy');
    }
    status(st, 'Link copied. Paste it into a calendar app as a subscription.', 'ok');
  });
  renew.addEventListener('click', async () => {
    if (renew.dataset.confirm !== 'yes') {
      renew.dataset.confirm = 'yes';
      renew.textContent = 'Replace the link? Click again';
      return;
    }
    renew.dataset.confirm = '';
    try {
      const r = await busy(renew, 'Making a new link…', ctx.call('POST', `/staff/${encodeURIComponent(s.id)}/feed-key`));
      show(r.url);
      status(st, 'New link made: the old one no longer works.', 'ok');
    } catch (e) {
      status(st, `No new link: ${e.message}`, 'error');
    }
    renew.textContent = 'New link';
  });
  return el('fieldset', { class: 'field', id: 'staff-feed' },
    el('legend', { text: 'Calendar feed (their shoots, for any calendar app)' }),
    el('div', { class: 'inline feed-link' }, url, copy, renew), st);
}

export async function renderStaff(root, ctx) {
  const [skills, zones, settings] = await Promise.all([ctx.items('skills', true), ctx.items('zones', true), ctx.get('/settings')]);
  const bizTz = (settings && settings.timezone) || 'UTC';

  const block = crudBlock({
    ctx, name: 'staff', title: 'Staff', noun: 'staff member',
    intro: 'The people who go on site. Each needs a connected calendar (see Calendars) to be offered.',
    columns: [
      ['Name', (s) => el('span', {}, s.name, s.senior ? el('span', { class: 'badge', text: ' senior' }) : null,
        s.active === false ? el('span', { class: 'badge warn', text: ' inactive' }) : null)],
      ['E-mail', (s) => s.email],
      ['Skills', (s) => names(s.skills, skills) || '—'],
      ['Zones', (s) => names(s.zones, zones) || 'everywhere'],
      ['Rank', (s) => s.rank || '—'],
      ['Hours', (s) => (s.hours && Object.keys(s.hours).length ? 'own hours' : 'business default')],
    ],
    editor: (item) => {
      const s = item || {};
      const own = !!(s.hours && Object.keys(s.hours).length);
      const hours = hoursEditor('hours', s.hours);
      const exc = exceptionsEditor('exceptions', s.exceptions);
      const useDefault = checkbox('staff-default-hours', "Use the business's default booking hours", !own);
      const hoursWrap = el('div', { hidden: !own }, hours.node);
      useDefault.querySelector('input').addEventListener('change', (ev) => { hoursWrap.hidden = ev.target.checked; });
      const node = el('div', {},
        el('div', { class: 'row' },
          field('staff-name', 'Name', s.name, { field: 'name', required: true }),
          field('staff-email', 'E-mail', s.email, { type: 'email', field: 'email', required: true })),
        el('div', { class: 'row' },
          field('staff-timezone', 'Time zone', s.timezone || '', { field: 'timezone', placeholder: bizTz, hint: `Their working hours are in this zone; empty means the business zone (${bizTz}).` }),
          field('staff-rank', 'Rank', s.rank ?? '', { type: 'number', min: 0, field: 'rank', hint: '1 is asked first under the priority policy; 0 = unranked.' })),
        el('div', { class: 'row' },
          checkbox('staff-senior', 'Senior', s.senior, 'senior'),
          checkbox('staff-active', 'Active (goes on site)', s.active !== false, 'active')),
        checkGroup('staff-skills', 'Skills', skills, s.skills, 'skills'),
        checkGroup('staff-zones', 'Service zones (none ticked = serves everywhere)', zones, s.zones, 'zones'),
        el('fieldset', { class: 'field' }, el('legend', { text: 'Weekly hours' }), useDefault, hoursWrap),
        el('fieldset', { class: 'field', 'data-field': 'exceptions' }, el('legend', { text: 'Exceptions (time off, holidays, different hours on a date)' }), exc.node),
        el('fieldset', { class: 'field', 'data-field': 'home' },
          el('legend', { text: 'Home base (optional, for the nearest policy and travel time)' }),
          el('div', { class: 'row' },
            field('staff-home-lat', 'Latitude', s.home ? s.home.lat : '', { field: 'home.lat', placeholder: '42.36' }),
            field('staff-home-lon', 'Longitude', s.home ? s.home.lon : '', { field: 'home.lon', placeholder: '-71.06' }))),
        item ? feedBlock(ctx, s) : el('p', { class: 'hint', text: 'The calendar feed link appears here once the staff member is saved.' }));
      return {
        node,
        read: () => {
          const name = val(root, 'staff-name');
          if (!name) throw problem('name', 'Enter a name.');
          const email = val(root, 'staff-email');
          if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw problem('email', 'Enter an e-mail address like ana@example.com.');
          const lat = coord(root, 'staff-home-lat', 'home.lat', 90);
          const lon = coord(root, 'staff-home-lon', 'home.lon', 180);
          if ((lat === null) !== (lon === null)) throw problem(lat === null ? 'home.lat' : 'home.lon', 'Give both latitude and longitude, or neither.');
          const body = {
            name,
            email,
            timezone: val(root, 'staff-timezone') || null,
            senior: root.querySelector('#staff-senior').checked,
            active: root.querySelector('#staff-active').checked,
            skills: checked(root, 'staff-skills'),
            zones: checked(root, 'staff-zones'),
            hours: root.querySelector('#staff-default-hours').checked ? null : hours.read(),
            exceptions: exc.read(),
            home: lat === null ? null : { lat, lon },
          };
          const rank = intVal(root, 'staff-rank', 'rank', { min: 0, max: 100000, empty: null });
          if (rank === null) delete body.rank;
          else body.rank = rank;
          if (body.home === null) delete body.home;
          return body;
        },
      };
    },
  });
  root.replaceChildren(el('h1', { text: 'Staff' }), block.node);
  await block.reload();
}
