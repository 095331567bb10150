// admin.test.mjs — the admin console against a real `tripod serve`: sign in
// with a token, fix each readiness item from the page, draw a zone on the
// canvas, add a staff member (hours, exception, skills, zones), reassign a
// booking in the schedule, and ask why nobody is free.

import {
  startTripod, startRadicale, startIcsServer, ics, launchBrowser, newPage, assertClean, screenshot, assert, run, waitForText,
} from './lib/harness.mjs';
import { seedBusiness, bookViaApi } from './lib/business.mjs';

let srv;
let seed;
let browser;
let page;
let radicale;
let feeds;
let drone;
let cy;

// Waits until SELECTOR's text matches PATTERN; the failure names what it says.
const statusSays = (selector, pattern) => waitForText(page, selector, pattern, 10000);

async function readiness() {
  await page.goto(`${srv.url}/admin#readiness`);
  await page.waitForSelector('#readiness-list');
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#readiness-list > li')]
    .map((li) => [li.dataset.check, li.dataset.ok === 'true'])));
}

await run([
  ['sign in with the admin token; a wrong token is refused', async () => {
    await page.goto(`${srv.url}/admin`);
    await page.fill('#token', 'wrong-token');
    await page.click('#login-submit');
    await statusSays('#global-status', /not accepted/);
    await page.fill('#token', srv.token);
    await page.click('#login-submit');
    await page.waitForSelector('#readiness-list');
    const r = await readiness();
    assert(Object.keys(r).length === 4, `four prerequisites listed: ${JSON.stringify(r)}`);
    assert(Object.values(r).every((ok) => !ok), `all four missing at first: ${JSON.stringify(r)}`);
    await screenshot(page, 'admin-readiness-missing');
    await assertClean(page, 'readiness');
  }],

  ['fix each readiness item from the page it links to', async () => {
    await readiness();
    await page.click('li[data-check="integrated_booking"] a[href="#settings"]');
    await page.waitForSelector('#settings-form');
    await page.check('#integrated_booking');
    await page.click('#settings-save');
    await statusSays('#settings-form-status', /Settings saved/);
    await screenshot(page, 'admin-settings');

    await readiness();
    await page.click('li[data-check="primary_calendar"] a[href="#calendars"]');
    await page.click('#calendars-add');
    await page.selectOption('#cal-owner', 'business');
    await page.selectOption('#cal-kind', 'caldav');
    await page.fill('#cal-url', radicale.url);
    await page.fill('#cal-username', radicale.username);
    await page.fill('#cal-password', radicale.password);
    await page.check('#cal-primary');
    await page.click('#calendars-save');
    await statusSays('#calendars-form-status', /Calendar created/);

    await page.click('#calendars-add');
    await page.selectOption('#cal-owner', String(cy.id));
    await page.selectOption('#cal-kind', 'ics');
    await page.fill('#cal-url', 'not a url');
    await page.click('#calendars-save');
    await page.waitForSelector('#cal-url[aria-invalid="true"]');
    await page.fill('#cal-url', feeds.url('/cy.ics'));
    await page.click('#calendars-save');
    await statusSays('#calendars-form-status', /Calendar created/);
    await page.waitForFunction(() => /Every active staff member has a calendar/.test(document.getElementById('no-calendar').textContent));
    await screenshot(page, 'admin-calendars');

    await readiness();
    await page.click('li[data-check="durations"] a[href="#catalog"]');
    await page.click(`#services-table tr[data-id="${drone.id}"] button`);
    await page.fill('#service-duration', '45');
    await page.click('#services-save');
    await statusSays('#services-form-status', /saved/);
    await screenshot(page, 'admin-services');

    const r = await readiness();
    assert(Object.values(r).every((ok) => ok), `everything OK now: ${JSON.stringify(r)}`);
    assert(/Everything is in place/.test(await page.textContent('#view')), 'says agents can book');
    await screenshot(page, 'admin-readiness-ok');
    const sync = (await srv.call('GET', '/readiness')).calendar_sync;
    const card = await page.evaluate(() => {
      const li = document.querySelector('#calendar-sync li[data-check="calendar_sync"]');
      return li && { ok: li.dataset.ok === 'true', problems: li.querySelectorAll('ul li').length };
    });
    assert(card && card.ok === sync.ok && card.problems === sync.problems.length,
      `calendar sync card shows the API's answer: ${JSON.stringify(card)} vs ${JSON.stringify(sync)}`);
    const cals = await srv.call('GET', '/calendars');
    const primary = cals.find((c) => c.primary);
    assert(primary && primary.owner === 'business' && primary.url === radicale.url && !('password' in primary),
      `primary calendar stored without exposing the password: ${JSON.stringify(primary)}`);
    await assertClean(page, 'readiness fixes');
  }],

  ['draw a zone by clicking on the canvas', async () => {
    await page.goto(`${srv.url}/admin#zones`);
    await page.click('#zones-add');
    await page.fill('#zone-name', 'North hills');
    const canvas = page.locator('#zone-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    for (const [fx, fy] of [[0.2, 0.2], [0.8, 0.2], [0.8, 0.7], [0.3, 0.8]]) {
      await canvas.click({ position: { x: box.width * fx, y: box.height * fy } });
    }
    assert(/4 corners/.test(await page.textContent('#zone-points')), 'four corners drawn');
    const geo = JSON.parse(await page.inputValue('#zone-geojson'));
    assert(geo.type === 'Polygon' && geo.coordinates[0].length === 5, 'GeoJSON mirrors the drawing (closed ring)');
    await page.click('#zones-save');
    await statusSays('#zones-form-status', /Zone created/);
    await screenshot(page, 'admin-zone-drawn');
    const zones = await srv.call('GET', '/zones');
    const z = zones.find((x) => x.name === 'North hills');
    assert(z && z.polygon && z.polygon.coordinates[0].length === 5, `zone stored with its polygon: ${JSON.stringify(z)}`);
    await assertClean(page, 'zones');
  }],

  ['add a staff member with hours, an exception, skills and zones', async () => {
    await page.goto(`${srv.url}/admin#staff`);
    await page.click('#staff-add');
    await page.fill('#staff-name', 'Dee Drone');
    await page.fill('#staff-email', 'dee@example.com');
    await page.check(`#staff-skills-${seed.skills.video.id}`);
    await page.check(`#staff-zones-${seed.zone.id}`);
    await page.uncheck('#staff-default-hours');
    // Hours are picked per day, several ranges a day (time pickers, not text).
    await page.click('#hours-mon-add');
    await page.fill('#hours-mon-0-from', '17:00');
    await page.fill('#hours-mon-0-to', '09:00');
    await page.click('#staff-save');
    await page.waitForSelector('#hours-mon-0[aria-invalid="true"]');
    assert(/end must be after the start/.test(await page.textContent('#hours-mon-0-error')), 'the hours error says what is wrong');
    await page.fill('#hours-mon-0-from', '08:00');
    await page.fill('#hours-mon-0-to', '12:00');
    await page.click('#hours-mon-add');
    await page.fill('#hours-mon-1-from', '13:00');
    await page.fill('#hours-mon-1-to', '18:00');
    await page.click('#hours-tue-add');
    await page.fill('#hours-tue-0-from', '10:00');
    await page.fill('#hours-tue-0-to', '16:00');
    await page.click('#exceptions-add');
    await page.fill('#exceptions-date-0', '2030-06-10');
    await page.check('#staff-senior');
    await page.click('#staff-save');
    await statusSays('#staff-form-status', /created/);
    await screenshot(page, 'admin-staff');
    const dee = (await srv.call('GET', '/staff')).find((s) => s.name === 'Dee Drone');
    assert(dee, 'staff member stored');
    assert(JSON.stringify(dee.hours.mon) === JSON.stringify([['08:00', '12:00'], ['13:00', '18:00']]), `hours: ${JSON.stringify(dee.hours)}`);
    assert(dee.exceptions.length === 1 && dee.exceptions[0].date === '2030-06-10' && dee.exceptions[0].off === true,
      `exception: ${JSON.stringify(dee.exceptions)}`);
    assert(dee.skills.includes(String(seed.skills.video.id)) && dee.zones.includes(String(seed.zone.id)) && dee.senior,
      'skills, zones and senior stored');
    await assertClean(page, 'staff');
  }],

  ['reassign a booking in the schedule and explain who is free', async () => {
    seed.ics.set('/ana.ics', ics([{ uid: 'ana-dentist', start: '20300604T190000Z', end: '20300604T200000Z', summary: 'Dentist' }]));
    await srv.call('POST', `/calendars/${seed.calendars.ana.id}/sync`);
    const b = await bookViaApi(srv, seed, '2030-06-04T10:00:00-04:00', 'Sched Agent');
    const from = String(b.staff[0].id);
    const to = from === String(seed.staff.ana.id) ? String(seed.staff.ben.id) : String(seed.staff.ana.id);
    await page.goto(`${srv.url}/admin#schedule/mode=day&date=2030-06-04`);
    await page.waitForSelector(`.sched-track[data-staff="${from}"] [data-booking="${b.id}"]`);
    const dentist = await page.textContent(`.sched-track[data-staff="${seed.staff.ana.id}"] .blk.busy`);
    assert(dentist.includes('Dentist'), `Ana's synced busy time is on the schedule: ${dentist}`);
    await screenshot(page, 'admin-schedule-day');
    await page.click(`[data-booking="${b.id}"]`);
    await page.waitForSelector('#booking-dialog[open]');
    await page.uncheck(`#bk-staff-${from}`);
    await page.check(`#bk-staff-${to}`);
    await screenshot(page, 'admin-booking-dialog');
    await page.click('#bk-save');
    await statusSays('#booking-dialog .status', /Saved/);
    const after = await srv.call('GET', `/bookings/${b.id}`);
    assert(after.staff.length === 1 && String(after.staff[0].id) === to, `reassigned: ${JSON.stringify(after.staff)}`);
    await page.click('#bk-close');
    await page.waitForSelector(`.sched-track[data-staff="${to}"] [data-booking="${b.id}"]`);

    await page.fill('#ex-time', '10:00');
    await page.check(`#ex-services-${seed.services.photos.id}`);
    await page.fill('#ex-postal', '01101');
    await page.click('#explain-go');
    await page.waitForSelector(`#explain-result li[data-staff="${to}"]`);
    const why = await page.textContent(`#explain-result li[data-staff="${to}"]`);
    assert(/not offered/.test(why) && /busy/.test(why), `the reassigned person is busy then: ${why}`);
    await screenshot(page, 'admin-schedule-explain');

    await page.goto(`${srv.url}/admin#schedule/mode=week&date=2030-06-04`);
    await page.waitForSelector(`.week [data-booking="${b.id}"]`);
    const chip = await page.textContent('.week .chip.busy');
    assert(chip.includes('3:00') && chip.includes('Dentist'), `busy time in the week view: ${chip}`);
    await screenshot(page, 'admin-schedule-week');
    await assertClean(page, 'schedule');
  }],
], {
  async setup() {
    srv = await startTripod();
    seed = await seedBusiness(srv, { ready: false });
    radicale = await startRadicale();
    feeds = await startIcsServer({ '/cy.ics': ics([]) });
    drone = await srv.call('POST', '/services', { name: 'Drone', duration_minutes: null });
    cy = await srv.call('POST', '/staff', { name: 'Cy Newhire', email: 'cy@example.com' });
    browser = await launchBrowser();
    page = await newPage(browser);
  },
  async teardown() {
    if (browser) await browser.close();
    if (feeds) await feeds.stop();
    if (seed) await seed.ics.stop();
    if (srv) await srv.stop();
  },
});
