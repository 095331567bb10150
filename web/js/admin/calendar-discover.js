// calendar-discover.js (admin) — "Find calendars": server address, user
// name and app password → POST /calendars/discover → the account's
// calendars as a pick list (read-only ones marked, already connected ones
// disabled). calendars.js connects the picked ones.

import { el, status, busy, clearErrors, fieldError } from '../api.js';
import { field } from './form.js';

// A panel for CTX; CONNECTED is a Set of calendar URLs already connected.
// Returns {node, picked() → [{url, name, can_write}], credentials() →
// {username, password} the list was found with (null before a search),
// markConnected(urls)}.
export function discoverPanel(ctx, connected) {
  const find = el('button', { type: 'button', id: 'disc-find', text: 'Find calendars' });
  const found = el('p', { class: 'status', id: 'disc-status', role: 'status', 'aria-live': 'polite', hidden: true });
  const list = el('div', { id: 'disc-list' });
  let cals = [];
  let creds = null;
  const node = el('div', { id: 'disc-panel' },
    field('disc-url', 'Server address', '', {
      field: 'url', type: 'url', placeholder: 'https://caldav.icloud.com',
      hint: 'The CalDAV address of the provider: https://caldav.icloud.com, https://caldav.fastmail.com, or your Nextcloud\'s address. The server\'s address is enough; Tripod finds the calendars.',
    }),
    el('div', { class: 'row' },
      field('disc-username', 'User name', '', { field: 'username', hint: 'Usually the e-mail address of the account.' }),
      field('disc-password', 'App password', '', {
        field: 'password', type: 'password', hint: 'An app-specific password made for Tripod in the provider\'s settings; stored encrypted.',
      })),
    el('div', { class: 'actions' }, find), found, list);

  function render() {
    if (!cals.length) {
      list.replaceChildren();
      return;
    }
    list.replaceChildren(el('fieldset', { class: 'field', id: 'disc-calendars', 'data-field': 'calendars' },
      el('legend', { text: 'Calendars found — pick one or several' }),
      el('div', { class: 'disc-cals' }, cals.map((c, i) => {
        const done = connected.has(c.url);
        const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
        if (c.color) swatch.style.backgroundColor = c.color; // CSSOM: allowed by the pages' CSP
        return el('label', { for: `disc-cal-${i}`, class: 'disc-cal' },
          el('input', { type: 'checkbox', id: `disc-cal-${i}`, value: c.url, disabled: done }),
          swatch,
          el('span', {}, el('strong', { text: c.name }), ' ',
            done ? el('span', { class: 'badge ok', text: 'connected' }) : null,
            c.can_write === false ? el('span', { class: 'badge warn', text: 'read only' }) : null,
            el('br'), el('small', { class: 'muted', text: c.url })));
      }))));
  }

  find.addEventListener('click', async () => {
    const form = node.closest('form') || node;
    clearErrors(form);
    const url = node.querySelector('#disc-url').value.trim();
    if (!url) {
      fieldError(form, 'url', 'Enter the server address, e.g. https://caldav.icloud.com.');
      return;
    }
    const body = {
      url,
      username: node.querySelector('#disc-username').value.trim(),
      password: node.querySelector('#disc-password').value,
    };
    status(found, 'Looking for calendars…', 'busy');
    cals = [];
    creds = null;
    render();
    try {
      cals = await busy(find, 'Searching…', ctx.call('POST', '/calendars/discover', { body }));
    } catch (e) {
      if (e.field) fieldError(form, e.field, e.message);
      status(found, `No calendars found: ${e.message}`, 'error');
      return;
    }
    creds = { username: body.username, password: body.password };
    status(found, cals.length ? `${cals.length} calendar${cals.length > 1 ? 's' : ''} found.`
      : 'The account has no calendar that takes events.', cals.length ? 'ok' : 'warn');
    render();
  });

  return {
    node,
    picked: () => [...list.querySelectorAll('input:checked')].map((i) => cals.find((c) => c.url === i.value)),
    credentials: () => creds,
    markConnected(urls) {
      urls.forEach((u) => connected.add(u));
      render();
    },
  };
}
