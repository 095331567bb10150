// calendars.js (admin) — connected calendars for the business and each staff
// member: Google and Microsoft 365 accounts (Connect / Reconnect over OAuth,
// pick which calendars to use, staff connect links), CalDAV accounts (their
// calendars found from the server address) or collection URLs, and read-only
// ICS feeds; sync now, last sync and last error. Passwords and tokens are
// write-only.

import { el, status, busy, formatDateTime, agentZone } from '../api.js';
import { crudBlock } from './crud.js';
import { field, checkbox, select, val } from './form.js';
import { discoverPanel } from './calendar-discover.js';

function problem(fieldName, message) {
  const e = new Error(message);
  e.field = fieldName;
  return e;
}

const PROVIDERS = { google: 'Google', microsoft: 'Microsoft 365' };
const KINDS = { ics: 'ICS feed', caldav: 'CalDAV', ...PROVIDERS };

// Editing a Google / Microsoft 365 calendar: whose it is and whether primary.
function providerEditor(root, c, owners, owner) {
  const node = el('div', {},
    el('p', { class: 'hint', text: `${PROVIDERS[c.kind]} calendar ${c.remote_id}` }),
    select('cal-owner', 'Whose calendar', owner, owners, 'owner'),
    checkbox('cal-primary', 'Primary business calendar (bookings are written here)', c.primary, 'primary'));
  return {
    node,
    read: () => ({ owner: val(root, 'cal-owner'), kind: c.kind, account: c.account, remote_id: c.remote_id,
      primary: root.querySelector('#cal-primary').checked }),
  };
}

// The accounts card: connect, reconnect, disconnect, pick calendars, staff links.
function accountsCard(root, ctx, staff, ownerName, reloadCalendars) {
  const owners = [['business', 'Business'], ...staff.map((s) => [String(s.id), s.name])];
  const st = el('p', { class: 'status', id: 'accounts-status', role: 'status', 'aria-live': 'polite', hidden: true });
  const list = el('div', { id: 'accounts-list' });
  const pickWrap = el('div', { id: 'account-pick' });
  const linkOut = el('div', { id: 'link-out' });

  async function connect(provider, owner, button) {
    try {
      const r = await busy(button, 'Opening…', ctx.call('POST', `/oauth/${provider}/start`, { body: { owner } }));
      location.assign(r.authorize_url);
    } catch (e) {
      status(st, e.message, 'error');
    }
  }

  async function pick(acc, done) {
    status(st, `Reading the calendars of ${acc.email}…`, 'busy');
    let cals;
    try {
      cals = await ctx.call('GET', `/accounts/${encodeURIComponent(acc.id)}/calendars`);
    } catch (e) {
      status(st, `Could not read the calendars of ${acc.email}: ${e.message}`, 'error');
      return;
    }
    status(st, `${done ? `${PROVIDERS[acc.provider]} account ${acc.email} connected. ` : ''}Pick the calendar Tripod uses.`, 'ok');
    if (!cals.length) {
      status(st, `${acc.email} has no calendars Tripod can use.`, 'warn');
      return;
    }
    const options = cals.map((c) => [c.remote_id, `${c.name}${c.primary ? ' (main)' : ''}${c.can_write ? '' : ' — read only'}`]);
    const first = cals.find((c) => c.primary) || cals[0];
    const form = el('div', { class: 'card', id: 'pick-form' },
      el('h3', { text: `Use a calendar of ${acc.email}` }),
      el('div', { class: 'row' },
        select('pick-calendar', 'Calendar', first ? first.remote_id : '', options, 'remote_id'),
        select('pick-owner', 'Whose calendar', acc.owner, owners, 'owner')),
      checkbox('pick-primary', 'Primary business calendar (bookings are written here; needs write access)', acc.owner === 'business', 'primary'),
      el('p', { class: 'status', id: 'pick-status', role: 'status', 'aria-live': 'polite', hidden: true }),
      el('div', { class: 'actions' }, el('button', {
        type: 'button', class: 'primary', id: 'pick-add', text: 'Use this calendar',
        onclick: async (ev) => {
          const remote = val(root, 'pick-calendar');
          const chosen = cals.find((c) => c.remote_id === remote);
          const primary = root.querySelector('#pick-primary').checked;
          const ps = root.querySelector('#pick-status');
          if (primary && chosen && !chosen.can_write) {
            status(ps, 'That calendar is read only: bookings cannot be written to it.', 'error');
            return;
          }
          try {
            await busy(ev.currentTarget, 'Adding…', ctx.call('POST', '/calendars', {
              body: { owner: val(root, 'pick-owner'), kind: acc.provider, account: acc.id, remote_id: remote, primary },
            }));
            pickWrap.replaceChildren();
            status(st, `Calendar added for ${ownerName(val(root, 'pick-owner') || acc.owner)}.`, 'ok');
            await reloadCalendars();
          } catch (e) {
            status(ps, e.message, 'error');
          }
        },
      })));
    pickWrap.replaceChildren(form);
  }

  async function reload(pickId) {
    let accounts;
    try {
      accounts = await ctx.call('GET', '/accounts');
    } catch (e) {
      status(st, `Could not load the accounts: ${e.message}`, 'error');
      return;
    }
    list.replaceChildren(accounts.length ? el('table', { id: 'accounts-table' },
      el('thead', {}, el('tr', {}, ['Provider', 'Account', 'Owner', 'State', 'Actions'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, accounts.map((a) => el('tr', { 'data-id': String(a.id), 'data-state': a.state },
        el('td', { text: PROVIDERS[a.provider] || a.provider }),
        el('td', { text: a.email }),
        el('td', { text: ownerName(a.owner) }),
        el('td', {}, a.state === 'ok' ? el('span', { class: 'badge ok', text: 'OK' })
          : el('span', { class: 'badge bad', text: `Failing: ${a.error || 'reconnect it'}` })),
        el('td', {}, el('div', { class: 'inline' },
          el('button', { type: 'button', class: 'small', 'data-pick': String(a.id), text: 'Calendars', onclick: () => pick(a) }),
          el('button', {
            type: 'button', class: a.state === 'ok' ? 'small' : 'small primary', 'data-reconnect': String(a.id),
            text: 'Reconnect', onclick: (ev) => connect(a.provider, a.owner, ev.currentTarget),
          }),
          el('button', {
            type: 'button', class: 'small danger', 'data-disconnect': String(a.id), text: 'Disconnect',
            onclick: async (ev) => {
              try {
                await busy(ev.currentTarget, 'Disconnecting…', ctx.call('DELETE', `/accounts/${encodeURIComponent(a.id)}`));
                status(st, `${a.email} disconnected; its calendars no longer sync.`, 'ok');
                await reload();
                await reloadCalendars();
              } catch (e) {
                status(st, e.message, 'error');
              }
            },
          }))))))) : el('p', { class: 'muted', text: 'No Google or Microsoft 365 account is connected yet.' }));
    const target = accounts.find((a) => String(a.id) === String(pickId));
    if (target) await pick(target, true);
  }

  const node = el('section', { class: 'card', id: 'accounts-block', 'aria-labelledby': 'accounts-title' },
    el('h2', { id: 'accounts-title', text: 'Google and Microsoft 365' }),
    el('p', { class: 'hint', text: 'Sign in with the provider, then pick which calendars Tripod uses. Tokens are stored encrypted and never shown.' }),
    st,
    el('div', { class: 'row' },
      select('connect-owner', 'Connect for', 'business', owners, 'owner'),
      el('div', { class: 'inline' },
        el('button', { type: 'button', id: 'connect-google', text: 'Connect Google', onclick: (ev) => connect('google', val(root, 'connect-owner'), ev.currentTarget) }),
        el('button', { type: 'button', id: 'connect-microsoft', text: 'Connect Microsoft 365', onclick: (ev) => connect('microsoft', val(root, 'connect-owner'), ev.currentTarget) }))),
    list, pickWrap,
    el('h3', { text: 'Let a staff member connect their own calendar' }),
    el('div', { class: 'row' },
      select('link-staff', 'Staff member', staff[0] ? String(staff[0].id) : '', staff.length ? staff.map((s) => [String(s.id), s.name]) : [['', 'No staff yet']], 'staff'),
      el('div', { class: 'inline' }, el('button', {
        type: 'button', id: 'link-create', text: 'Create connect link',
        onclick: async (ev) => {
          try {
            const id = val(root, 'link-staff');
            if (!id) throw new Error('Add the staff member first (Staff).');
            const r = await busy(ev.currentTarget, 'Creating…', ctx.call('POST', `/staff/${encodeURIComponent(id)}/connect-link`));
            linkOut.replaceChildren(el('p', {}, `Send this link to ${ownerName(id)} (works once, until ${formatDateTime(r.expires, agentZone())}): `,
              el('input', { id: 'link-url', type: 'text', readonly: true, value: r.url, 'aria-label': 'Connect link' })));
          } catch (e) {
            status(st, e.message, 'error');
          }
        },
      }))),
    linkOut);
  return { node, reload };
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
      ['Kind', (c) => KINDS[c.kind] || 'CalDAV'],
      ['URL', (c) => el('span', { class: 'manage-link', text: c.url || c.remote_id || '' })],
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
      if (PROVIDERS[c.kind]) return providerEditor(root, c, owners, owner);
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
  const accounts = accountsCard(root, ctx, staff, ownerName, async () => { await block.reload(); await refreshMissing(); });
  root.replaceChildren(el('h1', { text: 'Calendars' }), accounts.node, block.node, feeds);
  // Back from the provider: "#calendars/pick/ACCOUNT" opens that account's calendars.
  const m = location.hash.match(/^#calendars\/pick\/(\d+)$/);
  await Promise.all([block.reload(), accounts.reload(m ? m[1] : null)]);
  await refreshMissing();
}
