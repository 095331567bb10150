// readiness.js — the four booking prerequisites, each OK or missing with
// what to fix and a link to the section where it is fixed, the health of
// calendar sync (calendars never synced or failing for over an hour), and
// services or packages that nobody could ever staff.

import { el } from '../api.js';

// What each prerequisite is and where it is fixed, matched by its key.
const KNOWN = [
  { test: /integrated|enabled|booking/i, title: 'Integrated booking is switched on',
    fix: 'Switch on “Integrated booking” in Settings.', href: '#settings', link: 'Open Settings' },
  { test: /primary/i, title: 'A primary business calendar is connected',
    fix: 'Connect the business calendar and mark it primary.', href: '#calendars', link: 'Open Calendars' },
  { test: /staff/i, title: 'Every on-site staff member has a connected calendar',
    fix: 'Connect a calendar for each person named (or mark them inactive).', href: '#calendars', link: 'Open Calendars' },
  { test: /duration|schedul|catalog|service/i, title: 'Every service and package has a scheduling duration',
    fix: 'Give each item named a duration in minutes.', href: '#catalog', link: 'Open Services' },
];

// Turns the answer into [{key, ok, problems}] whatever its outer shape.
function checks(answer) {
  if (Array.isArray(answer)) return answer;
  const arr = answer && (answer.prerequisites || answer.checks || answer.items);
  if (Array.isArray(arr)) return arr;
  const out = [];
  for (const [key, v] of Object.entries((answer && answer.prerequisites) || answer || {})) {
    if (v && typeof v === 'object' && 'ok' in v) out.push({ key, ...v });
  }
  return out;
}

function problemText(p) {
  if (typeof p === 'string') return p;
  if (p && typeof p === 'object') {
    return p.message || [p.kind, p.name, p.id && `#${p.id}`].filter(Boolean).join(' ') || JSON.stringify(p);
  }
  return String(p);
}

export async function renderReadiness(root, ctx) {
  const answer = await ctx.call('GET', '/readiness');
  const list = checks(answer);
  const allOk = list.length > 0 && list.every((c) => c.ok);
  const ul = el('ul', { class: 'check-list', id: 'readiness-list' });
  for (const c of list) {
    const key = c.key || c.id || c.name || '';
    const known = KNOWN.find((k) => k.test.test(key)) || { title: c.title || key, fix: '', href: null };
    const problems = (c.problems || []).map(problemText);
    ul.append(el('li', { 'data-check': key, 'data-ok': c.ok ? 'true' : 'false' },
      el('span', { class: 'badge ' + (c.ok ? 'ok' : 'bad'), text: c.ok ? 'OK' : 'Missing' }),
      el('div', {},
        el('strong', { text: c.title || known.title }),
        c.ok ? null : el('p', { class: 'hint' }, known.fix,
          known.href ? ' ' : null,
          known.href ? el('a', { href: known.href, text: known.link }) : null),
        problems.length ? el('ul', {}, problems.map((p) => el('li', { text: p }))) : null)));
  }
  const sync = answer && answer.calendar_sync;
  const syncCard = sync ? el('section', { class: 'card', 'aria-label': 'Calendar sync', id: 'calendar-sync' },
    el('h2', { text: 'Calendar sync' }),
    el('ul', { class: 'check-list' },
      el('li', { 'data-check': 'calendar_sync', 'data-ok': sync.ok ? 'true' : 'false' },
        el('span', { class: 'badge ' + (sync.ok ? 'ok' : 'bad'), text: sync.ok ? 'OK' : 'Attention' }),
        el('div', {},
          el('strong', { text: sync.ok ? 'Every calendar syncs' : 'Some calendars are not syncing' }),
          sync.ok ? null : el('p', { class: 'hint' },
            'Busy time from these calendars may be out of date. Check their address and password. ',
            el('a', { href: '#calendars', text: 'Open Calendars' })),
          (sync.problems || []).length
            ? el('ul', {}, sync.problems.map((p) => el('li', { text: problemText(p) }))) : null)))) : null;
  const staffing = answer && answer.staffing;
  const staffingCard = staffing && !staffing.ok ? el('section', { class: 'card', 'aria-label': 'Staffing', id: 'staffing' },
    el('h2', { text: 'Staffing' }),
    el('ul', { class: 'check-list' },
      el('li', { 'data-check': 'staffing', 'data-ok': 'false' },
        el('span', { class: 'badge bad', text: 'Attention' }),
        el('div', {},
          el('strong', { text: 'Some services or packages can never be booked' }),
          el('p', { class: 'hint' }, 'Nobody (or not enough people) has the skills and a calendar for them. ',
            el('a', { href: '#staff', text: 'Open Staff' })),
          el('ul', {}, (staffing.problems || []).map((p) => el('li', { text: problemText(p) }))))))) : null;
  root.replaceChildren(
    el('h1', { text: 'Readiness' }),
    el('p', { class: 'status', role: 'status', 'data-kind': allOk ? 'ok' : 'warn',
      text: allOk ? 'Everything is in place: agents can book online.'
        : 'Agents cannot book until every item below is OK.' }),
    el('section', { class: 'card', 'aria-label': 'Prerequisites' }, ul),
    syncCard,
    staffingCard,
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'readiness-refresh', onclick: () => renderReadiness(root, ctx), text: 'Check again' }),
      el('a', { class: 'button', href: '/book', target: '_blank', text: 'Open the booking page' })));
}
