// book.test.mjs — the agent's booking page against a real `tripod serve`:
// a full booking on desktop, one on a 390 px phone with the keyboard only,
// the lost race (409) with refreshed times, the outside-area message, and
// form errors next to their fields.

import {
  startTripod, launchBrowser, newPage, assertClean, screenshot, assert, run,
} from './lib/harness.mjs';
import { seedBusiness, takeSlot, requireCatalog, OUTSIDE, BUSINESS } from './lib/business.mjs';

let srv;
let seed;
let browser;

async function fillProperty(page, { postal = '01101', sqft = '3000' } = {}) {
  await page.fill('#address', '12 Elm Street');
  await page.fill('#postal_code', postal);
  await page.fill('#sqft', sqft);
}

async function fillAgent(page) {
  await page.fill('#name', 'Jo Agent');
  await page.fill('#email', 'jo@example.com');
  await page.fill('#phone', '555-0123');
  await page.fill('#notes', 'Lockbox on the back door.');
}

// Presses Tab until SELECTOR has the focus; fails when it is never reached.
async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} cannot be reached with the Tab key`);
}

await run([
  ['agent books Photos + Video on desktop and sees length, zone, staff and manage link', async () => {
    const page = await newPage(browser);
    await page.goto(srv.url + '/book');
    await page.waitForSelector(`#service-${seed.services.photos.id}`);
    const header = await page.textContent('#business-name');
    assert(header.includes(BUSINESS), `the business name from the catalog heads the page: ${header}`);
    const list = await page.textContent('#services');
    assert(list.includes('Photos') && list.includes('1 h'), `services list shows names and durations: ${list}`);
    await page.check(`#service-${seed.services.photos.id}`);
    await page.check(`#service-${seed.services.video.id}`);
    await fillProperty(page);
    await page.click('#find');
    await page.waitForSelector('.time');
    const length = await page.textContent('#length');
    assert(length.includes('Photos 1 h 30 min + Video 1 h'), `length explains itself: ${length}`);
    assert(length.includes('2 h 30 min'), `length total: ${length}`);
    const tzLabel = await page.textContent('.tz-label');
    assert(tzLabel.includes('America/New_York'), `slots labelled with the business zone: ${tzLabel}`);
    const first = page.locator('.time').first();
    const start = await first.getAttribute('data-start');
    await first.click();
    await fillAgent(page);
    const summary = await page.textContent('#summary');
    assert(summary.includes('2 h 30 min'), `summary: ${summary}`);
    await screenshot(page, 'book-desktop');
    await page.click('#confirm');
    await page.waitForSelector('#done:not([hidden])');
    const staff = await page.textContent('#done-staff');
    assert(staff.includes('Ana Lima'), `Video needs Ana's skill: ${staff}`);
    const when = await page.textContent('#done-when');
    assert(/EDT/.test(when) && when.includes('America/New_York'), `time in business zone: ${when}`);
    const href = await page.getAttribute('#done-manage', 'href');
    assert(/\/manage\/[A-Za-z0-9_-]{20,}$/.test(href), `manage link: ${href}`);
    const booked = (await srv.call('GET', '/bookings?from=2030-06-01&to=2030-08-31')).bookings;
    assert(booked.some((b) => new Date(b.start).getTime() === new Date(start).getTime() && b.agent.email === 'jo@example.com'),
      'the booking is stored at the chosen time');
    await screenshot(page, 'book-desktop-confirmed');
    await assertClean(page, 'booking page');
    await page.context().close();
  }],

  ['agent books on a 390 px phone using only the keyboard', async () => {
    const page = await newPage(browser, { width: 390, height: 844 });
    await page.goto(srv.url + '/book');
    await page.waitForSelector(`#service-${seed.services.photos.id}`);
    await tabTo(page, `#service-${seed.services.photos.id}`);
    await page.keyboard.press('Space');
    await tabTo(page, '#address');
    await page.keyboard.type('3 Pine Road');
    await page.keyboard.press('Tab');
    await page.keyboard.type('01103');
    await tabTo(page, '#find');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.time');
    await tabTo(page, '.cal-day.open');
    await page.keyboard.press('ArrowRight');
    const day = await page.evaluate(() => document.activeElement.dataset.date);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.cal-day.chosen[data-date="${day}"]`);
    await tabTo(page, '.time');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.time.chosen');
    await tabTo(page, '#name');
    await page.keyboard.type('Pat Phone');
    await page.keyboard.press('Tab');
    await page.keyboard.type('pat@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('555-0456');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 390, `no sideways scrolling at 390 px (page is ${wide} px wide)`);
    await screenshot(page, 'book-phone');
    await tabTo(page, '#confirm');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#done:not([hidden])');
    assert((await page.textContent('#done-staff')).trim().length > 0, 'a photographer is named');
    await screenshot(page, 'book-phone-confirmed');
    await assertClean(page, 'booking page on a phone');
    await page.context().close();
  }],

  ['a time taken by someone else meanwhile gives "just taken" and refreshed times', async () => {
    const page = await newPage(browser);
    await page.goto(srv.url + '/book');
    await page.waitForSelector(`#service-${seed.services.photos.id}`);
    await page.check(`#service-${seed.services.photos.id}`);
    await fillProperty(page, { sqft: '' });
    await page.click('#find');
    await page.waitForSelector('.time');
    const slot = page.locator('.time').nth(3);
    const start = await slot.getAttribute('data-start');
    await slot.click();
    await fillAgent(page);
    let taken = 0;
    while (await takeSlot(srv, seed, start)) taken++;
    assert(taken >= 1, 'another agent took the time first');
    await page.click('#confirm');
    await page.waitForFunction(() => /just taken/.test(document.getElementById('form-status').textContent));
    await page.waitForFunction((s) => !document.querySelector(`.time[data-start="${s}"]`) && document.querySelector('.time'), start);
    assert(await page.isHidden('#done'), 'no confirmation after a lost race');
    await screenshot(page, 'book-race');
    await assertClean(page, 'race message');
    await page.context().close();
  }],

  ['outside every zone shows the business message; missing fields are marked', async () => {
    const page = await newPage(browser);
    await page.goto(srv.url + '/book');
    await page.waitForSelector(`#service-${seed.services.photos.id}`);
    await page.click('#confirm');
    await page.waitForSelector('#services-set[aria-invalid="true"]');
    for (const id of ['address', 'postal_code']) {
      const err = await page.textContent(`#${id}-error`);
      assert(err.length > 5, `error next to ${id}`);
    }
    await page.check(`#service-${seed.services.photos.id}`);
    await fillProperty(page, { postal: '99999', sqft: '' });
    await page.click('#find');
    await page.waitForFunction((m) => document.body.innerText.includes(m), OUTSIDE);
    assert(await page.locator('.time').count() === 0, 'no times outside the area');
    await screenshot(page, 'book-outside-area');
    await assertClean(page, 'outside-area message');
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
