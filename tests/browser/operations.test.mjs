// operations.test.mjs — the console's daily operations against a real
// `tripod serve`, each flow on a desktop and on a 390 px phone: find
// bookings (search, filters, more, history), export them as CSV, take a
// phone order (free times, refusal reasons, force), see why a move is
// refused, edit a staff member's hours and exceptions with time pickers,
// show/copy/replace their feed link, and read the schedule (all-day time on
// its own day in the person's zone, whole labels, the 24-hour clock, staff
// names in view while the week scrolls). Every page names a favicon that
// loads; no request ends in a 404.

import { readFileSync } from 'node:fs';
import {
  startTripod, launchBrowser, newPage, assertClean, screenshot, assert, run, waitForText as says,
} from './lib/harness.mjs';
import { seedBusiness } from './lib/business.mjs';

const VIEWS = [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]];
const AGENTS = [
  ['Olive Ortega', 'olive@harbor-realty.test', '14 Dock St'],
  ['Pia Park', 'pia@elm-homes.test', '8 Elm Ct'],
  ['Quinn Quade', 'quinn@harbor-realty.test', '300 Mill Rd'],
  ['Rae Rowe', 'rae@plain.test', '5 Birch Ln'],
];

let srv;
let seed;
let browser;
let lee;
let zoe;

// An agent's booking through the public API; null when the time is taken.
async function bookAs(start, [name, email, address], extra = {}) {
  const r = await srv.raw('POST', '/bookings', {
    agent: { name, email, phone: '555-0142' },
    property: { address, postal_code: '01101' },
    services: [seed.services.photos.id], packages: [], start, notes: '', ...extra,
  }, null);
  if (r.status === 409) return null;
  if (r.status !== 201) throw new Error(`POST /bookings → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// A console page signed in with the admin token, watching for 404s.
async function consolePage(view, hash) {
  const page = await newPage(browser, view);
  page.notFound = [];
  page.on('response', (r) => { if (r.status() === 404) page.notFound.push(r.url()); });
  await page.goto(`${srv.url}/admin`);
  await page.evaluate((t) => sessionStorage.setItem('tripod.adminToken', t), srv.token);
  await page.goto(`${srv.url}/admin#${hash}`);
  return page;
}

async function textOf(page, selector) {
  return (await page.textContent(selector)) || '';
}


// No horizontal scrolling of the whole page on a phone.
async function fitsWidth(page, what) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert(scroll <= width + 1, `${what}: the page is ${scroll} px wide in a ${width} px window`);
}

async function clean(page, what) {
  assert(!page.notFound.length, `${what}: 404 for ${page.notFound.join(', ')}`);
  await assertClean(page, what);
  await page.context().close();
}

// RFC 4180 records of TEXT (quoted fields may hold commas, quotes, line ends).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell); rows.push(row); row = []; cell = ''; i++;
    } else cell += c;
  }
  return rows;
}

// Every booking the API lists for PARAMS, newest first, all pages.
async function listAll(params) {
  const out = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
    const page = await srv.call('GET', `/bookings?${q}`);
    out.push(...page.bookings);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

function flows(name, view) {
  const phone = name === 'phone';
  const day = phone ? '2030-06-12' : '2030-06-11';
  return [
    [`${name}: find bookings by search and filters, page on, open one with its history`, async () => {
      const page = await consolePage(view, 'bookings');
      await page.waitForSelector('#bookings-table tbody tr');
      assert((await page.$$('#bookings-table tbody tr')).length === 50, 'the first page holds 50');
      await says(page, '#bookings-status', /50 bookings shown; more below/);
      const total = (await listAll({})).length;
      await page.click('#bookings-more');
      await page.waitForFunction((n) => document.querySelectorAll('#bookings-table tbody tr').length === n, total);
      assert(await page.isHidden('#bookings-more'), 'no more pages');
      if (phone) await fitsWidth(page, 'bookings list');

      await page.fill('#bk-q', 'ZIMMER');
      await page.waitForFunction(() => document.querySelectorAll('#bookings-table tbody tr').length === 1);
      assert((await textOf(page, '#bookings-table tbody')).includes('Zoë Zimmer'), 'found by name, any case');
      await screenshot(page, `ops-bookings-${name}`);
      await page.fill('#bk-q', 'harbor-realty');
      const harbor = (await listAll({ q: 'harbor-realty' })).map((b) => String(b.id));
      await page.waitForFunction((n) => document.querySelectorAll('#bookings-table tbody tr').length === Math.min(n, 50), harbor.length);
      const shown = await page.$$eval('#bookings-table tbody tr', (trs) => trs.map((t) => t.dataset.id));
      assert(JSON.stringify(shown) === JSON.stringify(harbor.slice(0, 50)), 'e-mail search, newest first');
      await page.fill('#bk-q', '');
      await page.selectOption('#bk-status', 'cancelled');
      await page.waitForFunction(() => document.querySelectorAll('#bookings-table tbody tr').length === 1);
      assert((await textOf(page, '#bookings-table tbody')).includes('cancelled'), 'the cancelled one');
      await page.selectOption('#bk-status', '');
      await page.waitForFunction(() => document.querySelectorAll('#bookings-table tbody tr').length > 1);
      await page.fill('#bk-q', '12 harbor rd');
      await page.waitForFunction(() => location.hash === '#bookings/q=12+harbor+rd'); // the filters are in the address
      await page.waitForFunction(() => document.querySelectorAll('#bookings-table tbody tr').length === 1);

      await page.click(`[data-booking="${zoe.id}"]`);
      await page.waitForSelector('#booking-dialog[open] #bk-history li');
      const history = await page.$$eval('#bk-history li', (lis) => lis.map((li) => li.textContent));
      assert(history.length === 2 && /Agent: Booked for/.test(history[0]) && /Admin: Moved from .* to /.test(history[1]),
        `who changed what, when: ${JSON.stringify(history)}`);
      await screenshot(page, `ops-booking-history-${name}`);
      await page.click('#bk-close');
      await clean(page, 'bookings');
    }],

    [`${name}: export the selection as CSV, the same bookings as the list`, async () => {
      const page = await consolePage(view, 'bookings/q=elm-homes');
      await page.waitForSelector('#bookings-table tbody tr');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bk-export')]);
      await says(page, '#bookings-status', /Exported bookings-2030-06-03\.csv/);
      assert(download.suggestedFilename() === 'bookings-2030-06-03.csv', download.suggestedFilename());
      const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
      const want = await listAll({ q: 'elm-homes' });
      assert(want.length > 1, 'a selection of several bookings');
      assert(rows[0][0] === 'id' && rows[0].includes('agent_email'), `header: ${rows[0]}`);
      const email = rows[0].indexOf('agent_email');
      assert(JSON.stringify(rows.slice(1).map((r) => r[0])) === JSON.stringify(want.map((b) => String(b.id))),
        'one row per listed booking, in order');
      assert(rows.slice(1).every((r, i) => r[email] === want[i].agent.email), 'the agents match');
      await screenshot(page, `ops-export-${name}`);
      await clean(page, 'export');
    }],

    [`${name}: take a phone order, see why a forced time is refused, force one that is free of shoots`, async () => {
      const page = await consolePage(view, 'bookings/q=caller.test');
      await says(page, '#bookings-status', /shown|match/);
      await page.click('#bk-new');
      await page.waitForSelector('#new-booking');
      await page.click('#nb-find');
      await page.waitForSelector('#nb-services[aria-invalid="true"]');
      await page.check(`#nb-services-${seed.services.photos.id}`);
      await page.fill('#nb-address', `${name} Phone Order Ave`);
      await page.fill('#nb-postal', '01101');
      await page.fill('#nb-name', 'Vic Caller');
      await page.fill('#nb-email', `vic-${name}@caller.test`);
      await page.fill('#nb-phone', '555-0177');
      await page.click('#nb-find');
      await page.click(`#nb-picker .cal-day[data-date="${day}"]`);
      await page.click(`#nb-picker .time[data-start="${day}T10:00:00-04:00"]`);
      await screenshot(page, `ops-new-booking-${name}`);
      await page.click('#nb-book');
      await says(page, '#nb-status', /Booked #\d+: .* gets the confirmation and manage link by e-mail/);
      const made = (await listAll({ q: `vic-${name}` }))[0];
      const full = await srv.call('GET', `/bookings/${made.id}`);
      assert(full.history[0].actor === 'admin' && full.agent.email === `vic-${name}@caller.test`, 'booked by the admin for the agent');
      const person = full.staff[0];

      // Forced onto the same person at an overlapping time: refused, and why.
      await page.click('#nb-close');
      await page.click('#bk-new');
      await page.check(`#nb-services-${seed.services.photos.id}`);
      await page.fill('#nb-address', `${name} Forced Way`);
      await page.fill('#nb-postal', '01101');
      await page.fill('#nb-name', 'Wes Caller');
      await page.fill('#nb-email', `wes-${name}@caller.test`);
      await page.check('#nb-force');
      await page.fill('#nb-date', day);
      await page.fill('#nb-time', '10:30');
      await page.check(`#nb-staff-${person.id}`);
      await page.click('#nb-book');
      await page.waitForSelector(`#refusal-reasons li[data-staff="${person.id}"]`);
      const why = await textOf(page, `#refusal-reasons li[data-staff="${person.id}"]`);
      assert(why.includes(person.name) && /busy with another shoot 9:30 AM–11:30 AM incl\. drive time/.test(why), `why: ${why}`);
      await screenshot(page, `ops-new-booking-refused-${name}`);
      // Forced after hours, past the working-hours rule: booked.
      await page.fill('#nb-time', '19:00');
      await page.click('#nb-book');
      await says(page, '#nb-status', /Booked #\d+/);
      const forced = (await listAll({ q: `wes-${name}` }))[0];
      const h = (await srv.call('GET', `/bookings/${forced.id}`)).history[0];
      assert(h.actor === 'admin' && h.change.force === true && forced.start === `${day}T19:00:00-04:00`, `forced: ${JSON.stringify(h)}`);
      if (phone) await fitsWidth(page, 'new booking');
      await clean(page, 'new booking');
    }],

    [`${name}: a refused move says, per photographer, which rule failed`, async () => {
      const page = await consolePage(view, `bookings/q=${encodeURIComponent(`vic-${name}`)}`);
      await page.waitForSelector('#bookings-table [data-booking]');
      await page.click('#bookings-table [data-booking]');
      await page.waitForSelector('#booking-dialog[open]');
      await page.fill('#bk-date', '2030-06-15'); // a Saturday: nobody works
      await page.click('#bk-save');
      await page.waitForSelector('#booking-dialog #refusal-reasons li');
      const text = await textOf(page, '#booking-dialog #booking-alternatives');
      const dialog = await textOf(page, '#booking-dialog');
      assert(!/staff are not free/.test(dialog), `no generic sentence: ${dialog}`);
      for (const p of [seed.staff.ana, seed.staff.ben]) assert(text.includes(p.name), `${p.name} is named: ${text}`);
      assert(/Ana Lima: day off/.test(text) && /Ben Ode: day off/.test(text), `the rules, in words: ${text}`);
      await screenshot(page, `ops-move-refused-${name}`);
      await clean(page, 'move refused');
    }],

    [`${name}: edit weekly hours and dated exceptions with time pickers`, async () => {
      const tess = await srv.call('POST', '/staff', { name: `Tess ${name}`, email: `tess-${name}@example.com` });
      const page = await consolePage(view, 'staff');
      await page.click(`#staff-table tr[data-id="${tess.id}"] button`);
      await page.waitForSelector('#staff-form');
      await page.uncheck('#staff-default-hours');
      await page.click('#hours-mon-add');
      await page.fill('#hours-mon-0-from', '08:00');
      await page.fill('#hours-mon-0-to', '12:00');
      await page.click('#hours-mon-add');
      await page.fill('#hours-mon-1-from', '11:00');
      await page.fill('#hours-mon-1-to', '18:00');
      await page.click('#staff-save');
      await page.waitForSelector('#hours-mon-ranges[aria-invalid="true"]');
      assert(/overlap/.test(await textOf(page, '#hours-mon-ranges-error')), 'overlapping ranges are marked');
      await page.fill('#hours-mon-1-from', '13:00');
      await page.click('#hours-wed-add');
      await page.click('#hours-wed-off'); // a day off again
      await page.click('#hours-fri-add'); // 9 to 5 by default
      await page.click('#exceptions-add');
      await page.fill('#exceptions-date-0', '2030-07-04');
      await page.click('#exceptions-add');
      await page.fill('#exceptions-date-1', '2030-06-28');
      await page.uncheck('#exceptions-off-1');
      await page.fill('#exceptions-1-hours-0-from', '10:00');
      await page.fill('#exceptions-1-hours-0-to', '14:00');
      await screenshot(page, `ops-staff-hours-${name}`);
      await page.click('#staff-save');
      await says(page, '#staff-form-status', /saved/);
      let got = await srv.call('GET', `/staff/${tess.id}`);
      assert(JSON.stringify(got.hours) === JSON.stringify({
        mon: [['08:00', '12:00'], ['13:00', '18:00']], tue: [], wed: [], thu: [], fri: [['09:00', '17:00']], sat: [], sun: [],
      }), `hours: ${JSON.stringify(got.hours)}`);
      assert(JSON.stringify(got.exceptions) === JSON.stringify([
        { date: '2030-06-28', hours: [['10:00', '14:00']] }, { date: '2030-07-04', off: true }]), `exceptions: ${JSON.stringify(got.exceptions)}`);

      // Listed again by date, editable: change one, remove the other.
      await page.reload();
      await page.click(`#staff-table tr[data-id="${tess.id}"] button`);
      await page.waitForSelector('#exceptions-rows .exception');
      assert(await page.inputValue('#exceptions-date-0') === '2030-06-28' && await page.inputValue('#exceptions-date-1') === '2030-07-04',
        'exceptions listed by date');
      assert(await page.inputValue('#exceptions-0-hours-0-to') === '14:00', 'their hours shown in pickers');
      assert(await page.inputValue('#hours-mon-1-from') === '13:00', 'weekly ranges shown in pickers');
      await page.fill('#exceptions-0-hours-0-to', '15:30');
      await page.click('#exceptions-rows .exception[data-row="1"] button.danger');
      await page.click('#staff-save');
      await says(page, '#staff-form-status', /saved/);
      got = await srv.call('GET', `/staff/${tess.id}`);
      assert(JSON.stringify(got.exceptions) === JSON.stringify([{ date: '2030-06-28', hours: [['10:00', '15:30']] }]),
        `edited exceptions: ${JSON.stringify(got.exceptions)}`);
      if (phone) await fitsWidth(page, 'staff editor');
      await clean(page, 'staff hours');
    }],

    [`${name}: the staff page shows the calendar feed link, copies and replaces it`, async () => {
      const page = await consolePage(view, 'staff');
      await page.context().grantPermissions(['clipboard-write'], { origin: srv.url });
      await page.click(`#staff-table tr[data-id="${seed.staff.ben.id}"] button`);
      await page.waitForFunction(() => document.getElementById('staff-feed-url')?.value);
      const before = (await srv.call('GET', `/staff/${seed.staff.ben.id}/feed-key`)).url;
      assert(await page.inputValue('#staff-feed-url') === before, 'the current link is shown');
      await page.click('#staff-feed-copy');
      await says(page, '#staff-feed-status', /copied/);
      assert(await page.$eval('#staff-feed-url', (n) => n.selectionStart === 0 && n.selectionEnd === n.value.length),
        'the whole link is selected (and copied)');
      await page.click('#staff-feed-new');
      await page.click('#staff-feed-new');
      await says(page, '#staff-feed-status', /New link made/);
      const after = await page.inputValue('#staff-feed-url');
      assert(after && after !== before && after === (await srv.call('GET', `/staff/${seed.staff.ben.id}/feed-key`)).url, 'replaced');
      assert((await fetch(before)).status === 401 && (await fetch(after)).status === 200, 'only the new link works');
      await screenshot(page, `ops-staff-feed-${name}`);
      await clean(page, 'feed link');
    }],

    [`${name}: the schedule draws all-day time on its own day, whole labels, names in view`, async () => {
      const page = await consolePage(view, 'schedule/mode=week&date=2030-06-03');
      await page.waitForSelector(`.week [data-staff="${lee.id}"][data-date="2030-06-06"]`);
      const thu = await textOf(page, `.week [data-staff="${lee.id}"][data-date="2030-06-06"]`);
      const fri = await textOf(page, `.week [data-staff="${lee.id}"][data-date="2030-06-07"]`);
      assert(/All day: Day off/.test(thu), `Thursday is Lee's day off: ${thu}`);
      assert(!/Day off/.test(fri), `not Friday: ${fri}`);
      // Staff names stay in view while the week scrolls sideways.
      const scroller = await page.$('#schedule-board');
      await scroller.evaluate((n) => { n.scrollLeft = 500; });
      const [boardX, nameX, scrolled] = await page.evaluate((id) => {
        const b = document.getElementById('schedule-board');
        const n = [...document.querySelectorAll('.week .wk-name')].find((x) => x.textContent === id);
        return [b.getBoundingClientRect().left, n.getBoundingClientRect().left, b.scrollLeft];
      }, lee.name);
      assert(!phone || scrolled > 0, 'the week scrolls on a phone');
      assert(Math.abs(nameX - boardX) < 2, `the name column stays at the left edge: ${nameX} vs ${boardX}`);
      await screenshot(page, `ops-schedule-week-${name}`);

      await page.goto(`${srv.url}/admin#schedule/mode=day&date=2030-06-07`);
      await page.waitForSelector(`.sched-track[data-staff="${lee.id}"]`);
      assert(!(await page.$(`.sched-track[data-staff="${lee.id}"] .blk.busy`)), 'no busy time on Friday');
      await page.goto(`${srv.url}/admin#schedule/mode=day&date=2030-06-05`);
      const block = `[data-booking="${seed.long.id}"]`;
      await page.waitForSelector(block);
      await page.$eval(block, (n) => n.scrollIntoView({ inline: 'center' }));
      const fit = await page.$eval(block, (n) => ({
        text: n.textContent, cut: n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth + 1,
      }));
      assert(!fit.cut && fit.text.includes('10:00 AM–11:00 AM') && fit.text.includes(seed.long.property.address),
        `a one-hour booking shows its time and address in full: ${JSON.stringify(fit)}`);
      const [trackX, rowName] = await page.evaluate((id) => [document.getElementById('schedule-board').getBoundingClientRect().left,
        document.querySelector(`.sched-track[data-staff="${id}"]`).previousElementSibling.getBoundingClientRect().left], seed.long.staff[0].id);
      assert(Math.abs(rowName - trackX) < 2, 'the day view keeps names in view too');
      await screenshot(page, `ops-schedule-day-${name}`);
      await clean(page, 'schedule');
    }],
  ];
}

await run([
  ...flows(...VIEWS[0]),
  ...flows(...VIEWS[1]),

  ['one clock per business: 24 hours on every page once set', async () => {
    const page = await consolePage(VIEWS[0][1], 'settings');
    await page.waitForSelector('#settings-form');
    await page.selectOption('#clock_format', '24h');
    await page.click('#settings-save');
    await says(page, '#settings-form-status', /Settings saved/);
    await page.goto(`${srv.url}/admin#schedule/mode=day&date=2030-06-05`);
    await page.waitForSelector(`[data-booking="${seed.long.id}"]`);
    assert((await textOf(page, `[data-booking="${seed.long.id}"]`)).includes('10:00–11:00'), 'the schedule on a 24-hour clock');
    assert((await textOf(page, '.sched-hours')).includes('13:00'), 'the hour scale too');
    await page.goto(`${srv.url}/book`);
    await page.check(`#service-${seed.services.photos.id}`);
    await page.fill('#address', '1 Clock Sq');
    await page.fill('#postal_code', '01101');
    await page.click('#find');
    await page.click('.cal-day[data-date="2030-06-04"]');
    const times = await page.$$eval('.time', (b) => b.map((x) => x.textContent));
    assert(times.length && times.every((t) => /^\d\d:\d\d/.test(t)) && times.some((t) => t.startsWith('13:')), `agent page: ${times}`);
    await screenshot(page, 'ops-clock-24h-book');
    await srv.call('PUT', '/settings', { clock_format: '12h' });
    await clean(page, 'clock');
  }],

  ['every page names a favicon that loads', async () => {
    const page = await newPage(browser);
    for (const path of ['/book', '/admin', `/manage/${zoe.manage_token}`]) {
      await page.goto(srv.url + path);
      const [href, status, ico] = await page.evaluate(async () => {
        const l = document.querySelector('link[rel="icon"]');
        return [l && l.getAttribute('href'), l ? (await fetch(l.href)).status : 0, (await fetch('/favicon.ico')).status];
      });
      assert(href === '/favicon.svg' && status === 200 && ico === 200, `${path}: icon ${href} ${status}, /favicon.ico ${ico}`);
    }
    await page.context().close();
  }],
], {
  async setup() {
    srv = await startTripod();
    seed = await seedBusiness(srv);
    // Lee works in Los Angeles; his calendar has Thursday off, all day, in his zone.
    lee = await srv.call('POST', '/staff', { name: 'Lee Park', email: 'lee@example.com', timezone: 'America/Los_Angeles' });
    seed.ics.set('/lee.ics', ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Tripod tests//EN', 'BEGIN:VEVENT', 'UID:lee-off',
      'DTSTAMP:20300101T000000Z', 'DTSTART;VALUE=DATE:20300606', 'DTEND;VALUE=DATE:20300607', 'SUMMARY:Day off', 'END:VEVENT',
      'END:VCALENDAR', ''].join('\r\n'));
    const cal = await srv.call('POST', '/calendars', { owner: lee.id, kind: 'ics', url: seed.ics.url('/lee.ics') });
    await srv.call('POST', `/calendars/${cal.id}/sync`);
    // A one-hour shoot with a long address, for the day view's labels.
    seed.long = await bookAs('2030-06-05T10:00:00-04:00', ['Lou Long', 'lou@plain.test', '1200 Pennsylvania Avenue Southeast, Unit 4B']);
    // Zoë's booking, moved by an admin (its history), and one cancelled.
    zoe = await bookAs('2030-06-13T10:00:00-04:00', ['Zoë Zimmer', 'zoe@zimmer-realty.test', '12 Harbor Rd']);
    await srv.call('PATCH', `/bookings/${zoe.id}`, { start: '2030-06-13T11:00:00-04:00' });
    const gone = await bookAs('2030-06-14T10:00:00-04:00', AGENTS[3]);
    await srv.call('DELETE', `/bookings/${gone.id}`);
    // Enough bookings for more than one page of the list.
    let n = 0;
    for (let d = 17; n < 56; d++) {
      const date = `2030-06-${String(d).padStart(2, '0')}`;
      if ([0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay())) continue;
      for (const t of ['09:30', '11:00', '12:30', '14:00']) {
        for (let k = 0; k < 2 && n < 56; k++) if (await bookAs(`${date}T${t}:00-04:00`, AGENTS[n % AGENTS.length])) n++;
      }
    }
    browser = await launchBrowser();
  },
  async teardown() {
    if (browser) await browser.close();
    if (seed) await seed.ics.stop();
    if (seed && seed.radicale) await seed.radicale.stop();
    if (srv) await srv.stop();
  },
});
