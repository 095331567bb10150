// calendars.js (admin) — connected calendars (CalDAV with credentials, or
// read-only ICS feeds) for the business and each staff member: connect,
// sync now, last sync and last error. Passwords are write-only.

import { el, status, busy, formatDateTime } from '../api.js';
import { crudBlock } from './crud.js';
import { field, checkbox, select, val } from './form.js';

function problem(fieldName, message) {
  const e = new Error(message);
  e.field = fieldName;
  return e;
}

export async function renderCalendars(root, ctx) {
  const [staff, tz] = await Promise.all([ctx.items('staff', true), ctx.tz()]);
  const ownerName = (o) => {
    if (o === 'business' || o === null || o === undefined || o === '' || o === 0 || o === '0') return 'Business';
    const s = staff.find((x) => String(x.id) === String(o));
    return s ? s.name : `staff #${o}`;
  };
  const missing = staff.filter((s) => s.active !== false);

  let block = null;
  const counts = (res) => Object.entries(res || {})
    .filter(([, v]) => typeof v === 'number').map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`).join(', ');

  block = crudBlock({
    ctx, name: 'calendars', title: 'Calendars', noun: 'calendar',
    intro: 'The primary business calendar receives every booking as an event. Each staff member\'s calendar provides their busy time.',
    columns: [
      ['Owner', (c) => el('span', {}, ownerName(c.owner), c.primary ? el('span', { class: 'badge ok', text: ' primary' }) : null)],
      ['Kind', (c) => (c.kind === 'ics' ? 'ICS feed' : 'CalDAV')],
      ['URL', (c) => el('span', { class: 'manage-link', text: c.url || '' })],
      ['Last sync', (c) => (c.last_sync ? formatDateTime(c.last_sync, tz) : 'never')],
      ['Last error', (c) => (c.last_error ? el('span', { class: 'badge bad', text: c.last_error }) : 'none')],
    ],
    rowActions: (c, listStatus) => [el('button', {
      type: 'button', class: 'small', 'data-sync': String(c.id), 'aria-label': `Sync ${ownerName(c.owner)} calendar now`, text: 'Sync now',
      onclick: async (ev) => {
        status(listStatus, `Syncing ${ownerName(c.owner)}'s calendar…`, 'busy');
        try {
          const res = await busy(ev.currentTarget, 'Syncing…', ctx.call('POST', `/calendars/${encodeURIComponent(c.id)}/sync`));
          const n = counts(res);
          status(listStatus, `Synced ${ownerName(c.owner)}'s calendar${n ? ` (${n})` : ''}.`, 'ok');
        } catch (e) {
          status(listStatus, `Sync of ${ownerName(c.owner)}'s calendar failed: ${e.message}`, 'error');
        }
        await block.reload();
      },
    })],
    onChange: () => refreshMissing(),
    editor: (item) => {
      const c = item || {};
      const owners = [['business', 'Business'], ...staff.map((s) => [String(s.id), s.name])];
      const owner = c.owner === undefined || c.owner === null || c.owner === 'business' ? 'business' : String(c.owner);
      const node = el('div', {},
        el('div', { class: 'row' },
          select('cal-owner', 'Whose calendar', owner, owners, 'owner'),
          select('cal-kind', 'Kind', c.kind || 'caldav', [['caldav', 'CalDAV collection (read and write)'], ['ics', 'ICS feed URL (read only)']], 'kind')),
        field('cal-url', 'URL', c.url, { field: 'url', type: 'url', placeholder: 'https://calendar.example.com/dav/user/calendar/' }),
        el('div', { class: 'row' },
          field('cal-username', 'Username', c.username, { field: 'username' }),
          field('cal-password', 'Password', '', { field: 'password', type: 'password',
            hint: item ? 'Leave empty to keep the stored password.' : 'Stored encrypted; never shown again.' })),
        checkbox('cal-primary', 'Primary business calendar (bookings are written here)', c.primary, 'primary'));
      return {
        node,
        read: () => {
          const url = val(root, 'cal-url');
          if (!/^https?:\/\/\S+$/.test(url)) throw problem('url', 'Enter the calendar URL, starting with http:// or https://.');
          const ownerVal = val(root, 'cal-owner');
          const primary = root.querySelector('#cal-primary').checked;
          if (primary && ownerVal !== 'business') throw problem('primary', 'Only a business calendar can be primary.');
          const body = {
            owner: ownerVal,
            kind: val(root, 'cal-kind'),
            url,
            username: val(root, 'cal-username'),
            primary,
          };
          const pw = root.querySelector('#cal-password').value;
          if (pw) body.password = pw;
          return body;
        },
      };
    },
  });

  const feeds = el('section', { class: 'card', 'aria-labelledby': 'feeds-title' },
    el('h2', { id: 'feeds-title', text: 'Staff without a calendar' }),
    el('div', { id: 'no-calendar' }));
  async function refreshMissing() {
    const cals = await ctx.items('calendars');
    const have = new Set(cals.map((c) => String(c.owner)));
    const without = missing.filter((s) => !have.has(String(s.id)));
    feeds.querySelector('#no-calendar').replaceChildren(without.length
      ? el('ul', {}, without.map((s) => el('li', { text: `${s.name} — never offered to agents until a calendar is connected.` })))
      : el('p', { class: 'muted', text: 'Every active staff member has a calendar.' }));
  }
  root.replaceChildren(el('h1', { text: 'Calendars' }), block.node, feeds);
  await block.reload();
  await refreshMissing();
}
