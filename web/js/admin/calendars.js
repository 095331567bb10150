// calendars.js (admin) — connected calendars (CalDAV with credentials, or
// read-only ICS feeds) for the business and each staff member: connect
// (a CalDAV account's calendars found from its server address, or a
// collection or feed URL), sync now, last sync and last error. Passwords
// are write-only.

import { el, status, busy, formatDateTime } from '../api.js';
import { crudBlock } from './crud.js';
import { field, checkbox, select, val } from './form.js';
import { discoverPanel } from './calendar-discover.js';

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
    editor: async (item) => {
      const c = item || {};
      const owners = [['business', 'Business'], ...staff.map((s) => [String(s.id), s.name])];
      const owner = c.owner === undefined || c.owner === null || c.owner === 'business' ? 'business' : String(c.owner);
      const kinds = [['caldav', 'CalDAV collection URL (read and write)'], ['ics', 'ICS feed URL (read only)']];
      // A new calendar starts from the account: the server finds its calendars.
      if (!item) kinds.unshift(['discover', 'CalDAV account — find its calendars']);
      const panel = item ? null : discoverPanel(ctx, new Set((await ctx.items('calendars')).map((x) => x.url)));
      const byUrl = el('div', { id: 'cal-by-url' },
        field('cal-url', 'URL', c.url, { field: 'url', type: 'url', placeholder: 'https://calendar.example.com/dav/user/calendar/' }),
        el('div', { class: 'row' },
          field('cal-username', 'Username', c.username, { field: 'username' }),
          field('cal-password', 'Password', '', { field: 'password', type: 'password',
            hint: item ? 'Leave empty to keep the stored password.' : 'Stored encrypted; never shown again.' })));
      // Only the fields of the chosen kind are in the form, so an error for
      // "url" lands next to the one the admin sees.
      const slot = el('div', {});
      const node = el('div', {},
        el('div', { class: 'row' },
          select('cal-owner', 'Whose calendar', owner, owners, 'owner'),
          select('cal-kind', 'Kind', c.kind || kinds[0][0], kinds, 'kind')),
        slot,
        checkbox('cal-primary', 'Primary business calendar (bookings are written here)', c.primary, 'primary'));
      const kindSelect = node.querySelector('#cal-kind');
      const showKind = () => slot.replaceChildren(kindSelect.value === 'discover' ? panel.node : byUrl);
      kindSelect.addEventListener('change', showKind);
      showKind();
      const readOne = () => {
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
      };
      // The picked calendars of the account, each one body for POST /calendars.
      const readPicked = () => {
        const creds = panel.credentials();
        if (!creds) throw problem('url', 'Enter the server address and press Find calendars.');
        const picked = panel.picked();
        if (!picked.length) throw problem('calendars', 'Pick at least one calendar to connect.');
        const ownerVal = val(root, 'cal-owner');
        const primary = root.querySelector('#cal-primary').checked;
        if (primary && ownerVal !== 'business') throw problem('primary', 'Only a business calendar can be primary.');
        if (primary && picked.length !== 1) throw problem('primary', 'Pick exactly one calendar to make it the primary one.');
        if (primary && picked[0].can_write === false) throw problem('primary', 'This calendar is read only; the primary calendar receives every booking.');
        return picked.map((p) => ({
          owner: ownerVal, kind: 'caldav', url: p.url, username: creds.username || null, primary, name: p.name,
          ...(creds.password ? { password: creds.password } : {}),
        }));
      };
      return {
        node,
        submitText: 'Connect',
        read: () => (kindSelect.value === 'discover' ? readPicked() : readOne()),
        // Several calendars at once: created one after another; those done
        // are marked connected, so a retry after a failure adds no twins.
        send: item ? undefined : async (body) => {
          if (!Array.isArray(body)) return ctx.call('POST', '/calendars', { body });
          const done = [];
          try {
            for (const { name, ...cal } of body) {
              await ctx.call('POST', '/calendars', { body: cal });
              done.push({ name, url: cal.url });
            }
          } catch (e) {
            panel.markConnected(done.map((d) => d.url));
            await block.reload();
            throw new Error(done.length ? `${done.map((d) => d.name).join(', ')} connected; the next one failed: ${e.message}` : e.message);
          }
          panel.markConnected(done.map((d) => d.url));
          return { message: `Connected ${done.map((d) => d.name).join(', ')}.` };
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
