// manage.test.mjs — the agent's private manage page against a real
// `tripod serve`: see the booking, reschedule it with the slot picker,
// cancel it; and the notice rule closing changes near the shoot.

import {
  startTripod, launchBrowser, newPage, assertClean, screenshot, assert, run,
} from './lib/harness.mjs';
import { seedBusiness, bookViaApi, requireCatalog } from './lib/business.mjs';

let srv;
let seed;
let browser;

await run([
  ['agent reschedules with the picker, then cancels', async () => {
    const b = await bookViaApi(srv, seed, '2030-06-04T10:00:00-04:00', 'Manny Agent');
    const page = await newPage(browser);
    await page.goto(`${srv.url}/manage/${b.manage_token}`);
    await page.waitForSelector('#booking:not([hidden])');
    const when = await page.textContent('#b-when');
    assert(when.includes('Jun 4, 2030') && when.includes('10:00 AM'), `shows the booked time: ${when}`);
    assert((await page.textContent('#b-staff')).includes(b.staff[0].name), 'shows the photographer');
    assert((await page.textContent('#b-where')).includes('9 Oak Ave'), 'shows the property');
    await screenshot(page, 'manage');

    await page.click('#reschedule');
    await page.waitForSelector('.cal-day.open');
    await page.click('.cal-day[data-date="2030-06-06"]');
    await page.click('.time[data-start="2030-06-06T14:00:00-04:00"]');
    assert((await page.textContent('#move-summary')).includes('Jun 6, 2030'), 'the new time is summarised');
    await screenshot(page, 'manage-reschedule');
    await page.click('#move-confirm');
    await page.waitForFunction(() => /now on/.test(document.getElementById('action-status').textContent));
    assert((await page.textContent('#b-when')).includes('Jun 6, 2030, 2:00 PM'), 'the page shows the new time');
    const moved = await srv.call('GET', `/bookings/${b.id}`);
    assert(new Date(moved.start).getTime() === new Date('2030-06-06T14:00:00-04:00').getTime(), `stored start moved: ${moved.start}`);

    await page.click('#cancel');
    await page.click('#cancel-yes');
    await page.waitForFunction(() => /cancelled/.test(document.getElementById('action-status').textContent));
    assert((await page.textContent('#state')).includes('Cancelled'), 'badge says cancelled');
    assert(await page.isHidden('#actions'), 'no more changes after cancelling');
    const gone = await srv.call('GET', `/bookings/${b.id}`);
    assert(gone.status === 'cancelled', `stored status: ${gone.status}`);
    await screenshot(page, 'manage-cancelled');
    await assertClean(page, 'manage page');
    await page.context().close();
  }],

  ['a wrong link gives a clear message; changes close inside the notice period', async () => {
    const page = await newPage(browser, { width: 390, height: 844 });
    await page.goto(`${srv.url}/manage/not-a-real-token`);
    await page.waitForFunction(() => /could not find a booking/.test(document.getElementById('page-status').textContent));
    const b = await bookViaApi(srv, seed, '2030-06-03T10:00:00-04:00', 'Late Agent');
    await srv.call('PUT', '/settings', { min_notice_minutes: 180 });
    await page.goto(`${srv.url}/manage/${b.manage_token}`);
    await page.waitForSelector('#booking:not([hidden])');
    assert(await page.isHidden('#actions'), 'no reschedule/cancel inside the notice period');
    assert(/contact the business/.test(await page.textContent('#notice')), 'says whom to contact');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 390, `fits a 390 px phone (page is ${wide} px wide)`);
    await screenshot(page, 'manage-phone-notice');
    await assertClean(page, 'manage page inside notice');
    await page.context().close();
  }],
], {
  async setup() {
    srv = await startTripod();
    seed = await seedBusiness(srv);
    await requireCatalog(srv);
    browser = await launchBrowser();
  },
  async teardown() {
    if (browser) await browser.close();
    if (seed) await seed.ics.stop();
    if (srv) await srv.stop();
  },
});
