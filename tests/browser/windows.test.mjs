// windows.test.mjs — shoot windows in the pages against a real `tripod
// serve`: the admin gives a service a twilight window and the business its
// location in the console and asks explain about a daytime start, the agent
// then sees "Twilight photos: around
// sunset (8:2x PM on that day)" beside each day's times (the day's sunset from
// the server, in the business zone), books one, and is told why when the
// choices cannot be shot together.

import {
  startTripod, launchBrowser, newPage, assertClean, screenshot, assert, run, waitForText as says, TZ,
} from './lib/harness.mjs';
import { seedBusiness, requireCatalog } from './lib/business.mjs';

const SPRINGFIELD = { lat: 42.1015, lon: -72.5898 }; // the seed's zone has postal codes only
const EVERY_EVENING = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
  .map((d) => [d, [['09:00', '22:00']]]));

let srv;
let seed;
let browser;
let twilight;

const clock = (iso) => new Intl.DateTimeFormat('en-US', { timeZone: TZ, hour: 'numeric', minute: '2-digit' })
  .format(new Date(iso));

// The server's sunset for business date DAY at the Springfield seed's postal code.
async function sunsetOn(day) {
  const a = await srv.call('GET', `/availability?services=${twilight.id}&postal_code=01101&from=${day}&to=${day}`, undefined, null);
  return { answer: a, event: a.windows[0].days[0].event };
}

async function agentChooses(page, services) {
  await page.goto(srv.url + '/book');
  await page.waitForSelector(`#service-${twilight.id}`);
  for (const s of services) await page.check(`#service-${s.id}`);
  await page.fill('#address', '12 Elm Street');
  await page.fill('#postal_code', '01101');
  await page.click('#find');
}

await run([
  ['the admin gives a service a twilight window and the business its location', async () => {
    const page = await newPage(browser);
    await page.goto(`${srv.url}/admin`);
    await page.fill('#token', srv.token);
    await page.click('#login-submit');
    await page.waitForSelector('#readiness-list');

    await page.goto(`${srv.url}/admin#catalog`);
    await page.click('#services-add');
    await page.fill('#service-name', 'Twilight photos');
    await page.fill('#service-duration', '30');
    assert(await page.isHidden('#service-window-sun'), 'no sunset fields while the window is "any time"');
    await page.selectOption('#service-window-kind', 'sunset');
    await page.fill('#service-window-before', '700');
    await page.click('#services-save');
    await page.waitForSelector('#service-window-before[aria-invalid="true"]');
    await page.fill('#service-window-before', '60');
    await page.fill('#service-window-after', '30');
    await page.click('#services-save');
    await says(page, '#services-form-status', /Service created/);
    twilight = (await srv.call('GET', '/services')).find((s) => s.name === 'Twilight photos');
    assert(twilight && JSON.stringify(twilight.window) === JSON.stringify({ kind: 'sunset', before_minutes: 60, after_minutes: 30 }),
      `stored window: ${JSON.stringify(twilight && twilight.window)}`);
    await says(page, `#services-table tr[data-id="${twilight.id}"]`, /around sunset \(60 min before – 30 min after\)/);
    // Editing keeps the window unless it is changed.
    await page.click(`#services-table tr[data-id="${twilight.id}"] button`);
    assert(await page.inputValue('#service-window-kind') === 'sunset', 'the editor shows the window');
    await page.click('#services-save');
    await says(page, '#services-form-status', /saved/);
    const again = await srv.call('GET', `/services/${twilight.id}`);
    assert(again.window && again.window.before_minutes === 60, `window kept on save: ${JSON.stringify(again.window)}`);
    await screenshot(page, 'windows-admin-service');

    await page.goto(`${srv.url}/admin#settings`);
    await page.waitForSelector('#settings-form');
    await page.fill('#location_lat', String(SPRINGFIELD.lat));
    await page.fill('#location_lon', '');
    await page.click('#settings-save');
    await page.waitForSelector('#location_lon[aria-invalid="true"]');
    await page.fill('#location_lon', String(SPRINGFIELD.lon));
    await page.click('#settings-save');
    await says(page, '#settings-form-status', /Settings saved/);
    const s = await srv.call('GET', '/settings');
    assert(s.location && s.location.lat === SPRINGFIELD.lat && s.location.lon === SPRINGFIELD.lon,
      `business location stored: ${JSON.stringify(s.location)}`);
    await screenshot(page, 'windows-admin-location');

    // Explain at 10:00 names the item, its window and that day's sunset.
    const { event } = await sunsetOn('2030-06-04');
    await page.goto(`${srv.url}/admin#schedule/mode=day&date=2030-06-04`);
    await page.waitForSelector('#explain-form');
    await page.fill('#ex-time', '10:00');
    await page.check(`#ex-services-${twilight.id}`);
    await page.fill('#ex-postal', '01101');
    await page.click('#explain-go');
    await page.waitForSelector(`#explain-result li[data-staff="${seed.staff.ana.id}"]`);
    await says(page, `#explain-result li[data-staff="${seed.staff.ana.id}"]`,
      new RegExp(`outside the shoot window of Twilight photos: around sunset \\(${clock(event)}\\)`));
    await says(page, '#explain-windows', new RegExp(`Twilight photos: around sunset \\(${clock(event)} on that day\\)`));
    await screenshot(page, 'windows-admin-explain');
    await assertClean(page, 'admin windows');
    await page.context().close();
  }],

  ['the agent sees each day\'s sunset beside the times and books a twilight shoot', async () => {
    const page = await newPage(browser);
    await agentChooses(page, [twilight]);
    const choice = await page.textContent(`label[for="service-${twilight.id}"]`);
    assert(choice.includes('Shot around sunset'), `the choice says when it is shot: ${choice}`);
    await page.waitForSelector('.time');
    const day = await page.getAttribute('.cal-day.chosen', 'data-date');
    const { event } = await sunsetOn(day);
    const want = `Twilight photos: around sunset (${clock(event)} on that day)`;
    await says(page, '#day-notes', new RegExp(want.replace(/[()]/g, '\\$&')));
    assert(/^[0-9]{1,2}:[0-9]{2} PM$/.test(clock(event)), `a sunset in the evening, on the page's clock: ${clock(event)}`);
    const starts = await page.$$eval('.time', (b) => b.map((x) => x.dataset.start));
    const ev = new Date(event).getTime();
    for (const st of starts) {
      const t = new Date(st).getTime();
      assert(t >= ev - 60 * 60000 && t + 30 * 60000 <= ev + 30 * 60000, `${st} lies around the sunset ${event}`);
    }
    await screenshot(page, 'windows-book-sunset');

    // Another day: its own sunset.
    const other = await page.$$eval('.cal-day.open', (b) => b.map((x) => x.dataset.date));
    const next = other.find((d) => d > day);
    await page.click(`.cal-day[data-date="${next}"]`);
    const later = await sunsetOn(next);
    await says(page, '#day-notes', new RegExp(`around sunset \\(${clock(later.event)} on that day\\)`));

    await page.locator('.time').first().click();
    await page.fill('#name', 'Jo Agent');
    await page.fill('#email', 'jo@example.com');
    await page.fill('#phone', '555-0123');
    await page.click('#confirm');
    await page.waitForSelector('#done:not([hidden])');
    const when = await page.textContent('#done-when');
    assert(/PM EDT/.test(when), `booked in the evening: ${when}`);
    await screenshot(page, 'windows-book-confirmed');
    await assertClean(page, 'booking a twilight shoot');
    await page.context().close();
  }],

  ['the page says why twilight cannot be shot with a daytime service', async () => {
    const interiors = await srv.call('POST', '/services', {
      name: 'Interiors', duration_minutes: 60, window: { kind: 'local', from: '09:00', to: '17:00' },
    });
    const page = await newPage(browser);
    await agentChooses(page, [twilight, interiors]);
    await says(page, '#picker .status', /Twilight photos must be booked on their own/);
    assert(await page.locator('.time').count() === 0, 'no times for windows that never meet');
    await screenshot(page, 'windows-book-conflict');
    await assertClean(page, 'window conflict message');
    await page.context().close();
  }],
], {
  async setup() {
    srv = await startTripod();
    seed = await seedBusiness(srv);
    for (const who of Object.values(seed.staff)) {
      await srv.call('PATCH', `/staff/${who.id}`, { hours: EVERY_EVENING });
    }
    await requireCatalog(srv);
    browser = await launchBrowser();
  },
  async teardown() {
    if (browser) await browser.close();
    if (seed) await seed.ics.stop();
    if (srv) await srv.stop();
  },
});
