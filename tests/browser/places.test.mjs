// places.test.mjs — the booking page for real agents (issue 15) against a
// real `tripod serve` with a local Nominatim stand-in and a local tile
// server: address suggestions and the map pin (a polygon-only address, the
// pin dragged out of and back into the zone), the outside-area message right
// after the address, postal codes of the business's country, prices with a
// package and a service it contains, the agent's own time zone, the grid
// keyboard, horizon and fully booked days, the next free day, booking closed,
// the confirmation (price, photographer, Add to calendar), the manage page's
// reschedule with its own time marked, and the admin's prices and zone map;
// at desktop and phone width.

import { readFileSync } from 'node:fs';
import {
  startTripod, launchBrowser, newPage, assertClean, screenshot, assert, run, ics,
} from './lib/harness.mjs';
import { seedBusiness, bookViaApi, requireCatalog, OUTSIDE } from './lib/business.mjs';
import { startGeocoder, startTileServer } from './lib/places.mjs';

let srv;
let seed;
let browser;
let geocoder;
let tiles;
let cai;

// West Springfield, drawn: 40 Maple Hill Road (postal code 01089, in no
// zone's list) lies inside; the seed's Springfield postal codes do not.
const WEST_SIDE = {
  type: 'Polygon',
  coordinates: [[[-72.64, 42.095], [-72.60, 42.095], [-72.60, 42.12], [-72.64, 42.12], [-72.64, 42.095]]],
};

// A page without animations (the map then moves at once).
async function open(width = 1280, height = 900, extra = {}) {
  const page = await newPage(browser, { width, height, ...extra });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  return page;
}

async function bookPage(page) {
  await page.goto(srv.url + '/book');
  await page.waitForSelector(`#service-${seed.services.photos.id}`);
}

async function textOf(page, sel) {
  return (await page.textContent(sel)) || '';
}

// Types Q into the address field and picks suggestion N with the keyboard.
async function pickAddress(page, q, n = 0) {
  await page.fill('#address', '');
  await page.focus('#address');
  await page.keyboard.type(q);
  await page.waitForSelector('#address-list:not([hidden]) [role="option"].suggestion:not(.none)');
  assert(await page.getAttribute('#address', 'aria-expanded') === 'true', 'the combobox says its list is open');
  for (let i = 0; i <= n; i++) await page.keyboard.press('ArrowDown');
  const active = await page.getAttribute('#address', 'aria-activedescendant');
  assert(active, 'the highlighted suggestion is the active descendant');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#address-list', { state: 'hidden' });
}

async function areaSays(page, pattern) {
  await page.waitForFunction((p) => {
    const n = document.getElementById('area-status');
    return n && !n.hidden && new RegExp(p).test(n.textContent);
  }, pattern.source);
}

async function areaClear(page) {
  await page.waitForFunction(() => document.getElementById('area-status').hidden);
}

async function dragPin(page, dx, dy) {
  const pin = page.locator('.leaflet-marker-icon');
  const box = await pin.boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height - 4;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(x + (dx * i) / 10, y + (dy * i) / 10);
  await page.mouse.up();
}

async function fillAgent(page, name = 'Mia Map') {
  await page.fill('#name', name);
  await page.fill('#email', 'mia@example.com');
  await page.fill('#phone', '555-0777');
}

// The business zone and the agent's own, the day grid from the keyboard,
// and horizon days against fully booked ones, at width W.
async function zonesAndKeys(w, h, name) {
  const page = await open(w, h, { timezoneId: 'Europe/Berlin' });
  await bookPage(page);
  await page.check(`#service-${seed.services.photos.id}`);
  await page.fill('#address', '12 Elm Street');
  await page.fill('#postal_code', '01101');
  await page.click('#find');
  await page.waitForSelector('.time');
  assert((await textOf(page, '.tz-label')).includes('America/New_York (EDT)'), 'times labelled with the business zone');
  assert((await textOf(page, 'label[for="own-zone"]')).includes('Europe/Berlin'), 'the switch names the agent\'s zone');
  await page.check('#own-zone');
  const first = await page.locator('.time').first().textContent();
  assert(/9:30\s*AM/.test(first) && /3:30\s*PM your time/.test(first), `both zones on a time: ${first}`);
  await screenshot(page, `places-${name}-own-zone`);
  // The day grid: one Tab stop, arrows, Home/End, Page Down.
  await page.focus('.cal-day[tabindex="0"]');
  const start = await page.evaluate(() => document.activeElement.dataset.date);
  await page.keyboard.press('ArrowDown');
  assert(await page.evaluate(() => document.activeElement.dataset.date) === '2030-06-10', `ArrowDown moves a week from ${start}`);
  await page.keyboard.press('End');
  assert(await page.evaluate(() => document.activeElement.dataset.date) === '2030-06-15', 'End goes to Saturday');
  const sat = await page.getAttribute('.cal-day[data-date="2030-06-15"]', 'aria-label');
  assert(/fully booked/.test(sat), `a day without times says so: ${sat}`);
  const fullLook = await page.evaluate(() => getComputedStyle(document.querySelector('.cal-day[data-date="2030-06-15"]')).backgroundImage);
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => document.activeElement && document.activeElement.dataset.date === '2030-07-15');
  await page.waitForSelector('.cal-day.open[data-date="2030-07-15"]');
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => document.activeElement && document.activeElement.dataset.date === '2030-08-15');
  await page.waitForSelector('.cal-day.beyond[data-date="2030-08-05"]');
  const beyond = await page.getAttribute('.cal-day[data-date="2030-08-05"]', 'aria-label');
  assert(/not open yet: bookings open 60 days ahead/.test(beyond), `a day beyond the horizon says why: ${beyond}`);
  assert(!/not open yet/.test(sat), `a fully booked day inside the horizon is not "not open yet": ${sat}`);
  const beyondLook = await page.evaluate(() => getComputedStyle(document.querySelector('.cal-day[data-date="2030-08-05"]')).backgroundImage);
  assert(beyondLook !== fullLook, `horizon days look different from fully booked ones: ${beyondLook} vs ${fullLook}`);
  await screenshot(page, `places-${name}-horizon`);
  await assertClean(page, `zones and keyboard (${name})`);
  await page.context().close();
}

await run([
  ['desktop: a polygon-only address from the suggestions, the pin dragged out and back, booked with the one who serves the drawn zone', async () => {
    const page = await open();
    await bookPage(page);
    await page.check(`#service-${seed.services.photos.id}`);
    await pickAddress(page, '40 Maple');
    assert(await page.inputValue('#postal_code') === '01089', 'the suggestion fills the postal code');
    assert((await page.inputValue('#address')).startsWith('40, Maple Hill Road'), 'and the address');
    await page.waitForSelector('.leaflet-marker-icon');
    await page.waitForSelector('.leaflet-tile-loaded');
    assert(tiles.hits.length > 0, 'tiles came from the configured tile service');
    assert((await textOf(page, '.leaflet-control-attribution')).includes('Test tiles'), 'the tiles\' attribution is shown');
    await areaClear(page);
    await screenshot(page, 'places-desktop-map-pin');
    // Zoom out, drag the pin east out of the drawn zone: the area check uses the pin.
    for (let i = 0; i < 4; i++) await page.click('.leaflet-control-zoom-out');
    await dragPin(page, 160, 0);
    await areaSays(page, new RegExp(OUTSIDE.slice(0, 20)));
    const areaBox = await page.locator('#area-status').boundingBox();
    const whenBox = await page.locator('#h-when').boundingBox();
    assert(areaBox.y < whenBox.y, 'the outside-area message comes right after the address, before the dates');
    await screenshot(page, 'places-desktop-pin-outside');
    await dragPin(page, -160, 0);
    await areaClear(page);
    const asked = page.waitForRequest((r) => r.url().includes('/api/v1/availability') && /[?&]lat=42\.1/.test(r.url()) && /[?&]lon=-72\.6/.test(r.url()));
    await page.click('#find');
    await asked;
    await page.waitForSelector('.time');
    // The times grid from the keyboard: the focus stays on the chosen time.
    await page.focus('.times .time[tabindex="0"]');
    await page.keyboard.press('ArrowRight');
    const second = await page.evaluate(() => document.activeElement.dataset.start);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.time.chosen');
    assert(await page.evaluate((s) => document.activeElement.dataset.start === s && document.activeElement.classList.contains('chosen'), second),
      'focus stays on the chosen time');
    await fillAgent(page);
    assert((await textOf(page, '#summary')).includes('Total: $250.00'), `summary with the total: ${await textOf(page, '#summary')}`);
    await page.click('#confirm');
    await page.waitForSelector('#done:not([hidden])');
    assert((await textOf(page, '#done-staff')).includes('Cai Rowe'), `only Cai serves the drawn zone: ${await textOf(page, '#done-staff')}`);
    assert((await textOf(page, '#done-price')).includes('$250.00'), 'the confirmation shows the price');
    assert((await textOf(page, '#done-what')).includes('Photos'), 'and what was booked');
    assert(/\/manage\/[A-Za-z0-9_-]{20,}$/.test(await page.getAttribute('#done-manage', 'href')), 'and the manage link');
    const google = await page.getAttribute('#add-google', 'href');
    assert(google.startsWith('https://calendar.google.com/calendar/render?') && /dates=\d{8}T\d{6}Z%2F\d{8}T\d{6}Z/.test(google), `Google link: ${google}`);
    const outlook = await page.getAttribute('#add-outlook', 'href');
    assert(outlook.startsWith('https://outlook.live.com/calendar/0/deeplink/compose?') && outlook.includes('startdt='), `Outlook link: ${outlook}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#add-ics')]);
    const file = readFileSync(await download.path(), 'utf8');
    assert(/BEGIN:VEVENT[\s\S]*DTSTART:\d{8}T\d{6}Z[\s\S]*LOCATION:40\\, Maple Hill Road/.test(file), `the .ics holds the shoot: ${file}`);
    const stored = (await srv.call('GET', '/bookings?from=2030-06-01&to=2030-08-31')).bookings.find((b) => b.agent.name === 'Mia Map');
    assert(stored && Math.abs(stored.property.lat - 42.107) < 0.001 && Math.abs(stored.property.lon - -72.62) < 0.002,
      `the booking keeps the pin's spot: ${JSON.stringify(stored && stored.property)}`);
    assert(stored.price.total === 25000, `and the quoted price: ${JSON.stringify(stored.price)}`);
    await screenshot(page, 'places-desktop-confirmed');
    await assertClean(page, 'booking with a map');
    await page.context().close();
  }],

  ['phone: outside every zone right after the address; a postal code of another country is a field error', async () => {
    const page = await open(390, 844);
    await bookPage(page);
    await pickAddress(page, '1 Ocean');
    await areaSays(page, new RegExp(OUTSIDE.slice(0, 20)));
    assert(await page.locator('.time').count() === 0, 'no times offered');
    await screenshot(page, 'places-phone-outside');
    await page.fill('#postal_code', '1234');
    await page.locator('#postal_code').blur();
    await page.waitForSelector('#postal_code[aria-invalid="true"]');
    assert(/looks? like 12345/.test(await textOf(page, '#postal_code-error')), `field error: ${await textOf(page, '#postal_code-error')}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 390, `no sideways scrolling at 390 px (page is ${wide} px wide)`);
    await screenshot(page, 'places-phone-postal-error');
    await assertClean(page, 'outside area on a phone');
    await page.context().close();
  }],

  ['prices beside the length; a package and a service it contains are counted once', async () => {
    for (const [w, h, name] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
      const page = await open(w, h);
      await bookPage(page);
      assert((await textOf(page, `label[for="service-${seed.services.photos.id}"]`)).includes('$250.00'), 'each service shows its price');
      assert((await textOf(page, `label[for="package-${seed.packages.premium.id}"]`)).includes('$500.00'), 'each package too');
      await page.check(`#service-${seed.services.photos.id}`);
      await page.check(`#service-${seed.services.video.id}`);
      await page.fill('#sqft', '3000');
      await page.waitForFunction(() => /\$625\.00/.test(document.getElementById('price').textContent));
      await page.check(`#package-${seed.packages.premium.id}`);
      await page.waitForFunction(() => /not counted twice/.test(document.getElementById('length').textContent));
      const price = await textOf(page, '#price');
      assert(price.includes('$500.00') && /Photos included in Premium listing/.test(price), `price counts the package once: ${price}`);
      assert((await textOf(page, '#length')).includes('2 h 30 min on site'), `length is the package's: ${await textOf(page, '#length')}`);
      await page.fill('#address', '12 Elm Street');
      await page.fill('#postal_code', '01101');
      await page.click('#find');
      await page.waitForSelector('.time');
      const served = await textOf(page, '#price');
      assert(served.includes('$500.00'), `the server's quote agrees: ${served}`);
      await screenshot(page, `places-${name}-prices`);
      await assertClean(page, `prices (${name})`);
      await page.context().close();
    }
  }],

  ['times in the business zone with a switch to the agent\'s own; the day grid from the keyboard; horizon vs fully booked days', async () => {
    for (const [w, h, name] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) await zonesAndKeys(w, h, name);
  }],

  ['a month without free time offers "Next free day", found in one query', async () => {
    const off = [];
    for (let d = 3; d <= 30; d++) off.push({ date: `2030-06-${String(d).padStart(2, '0')}`, off: true });
    const people = [seed.staff.ana, seed.staff.ben, cai];
    for (const p of people) await srv.call('PATCH', `/staff/${p.id}`, { exceptions: off });
    try {
      for (const [w, h, name] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
        const page = await open(w, h);
        await bookPage(page);
        await page.check(`#service-${seed.services.photos.id}`);
        await page.fill('#address', '12 Elm Street');
        await page.fill('#postal_code', '01101');
        await page.click('#find');
        await page.waitForSelector('#next-free:not([hidden])');
        let nexts = 0;
        page.on('request', (r) => { if (/[?&]next=1/.test(r.url())) nexts++; });
        await page.click('#next-free');
        await page.waitForSelector('.cal-day.chosen[data-date="2030-07-01"]');
        await page.waitForSelector('.time');
        assert(nexts === 1, `one query finds the next free day (${nexts})`);
        assert((await textOf(page, '.times-title')).includes('Monday, July 1'), 'the times of that day are shown');
        await screenshot(page, `places-${name}-next-free`);
        await assertClean(page, `next free (${name})`);
        await page.context().close();
      }
    } finally {
      for (const p of people) await srv.call('PATCH', `/staff/${p.id}`, { exceptions: [] });
    }
  }],

  ['booking turned off: "closed for now" with the business contact, the form disabled, no internal names', async () => {
    await srv.call('PUT', '/settings', { contact_phone: '+1 413 555 0100', contact_email: 'desk@springfield.example' });
    const early = await open();
    await bookPage(early); // opened while booking was still on
    await srv.call('PUT', '/settings', { integrated_booking: false });
    try {
      await early.check(`#service-${seed.services.photos.id}`);
      await early.fill('#address', '12 Elm Street');
      await early.fill('#postal_code', '01101');
      await early.click('#find');
      await early.waitForFunction(() => /closed for now/.test(document.body.innerText));
      const seen = await early.evaluate(() => document.body.innerText);
      assert(!/integrated_booking|booking_disabled/.test(seen) && seen.includes('+1 413 555 0100'),
        'an answer refused meanwhile says "closed" with the contact, no internal names');
      assert(await early.evaluate(() => document.getElementById('form-fields').disabled), 'and disables the form');
      await screenshot(early, 'places-desktop-closed-meanwhile');
      await assertClean(early, 'closed meanwhile');
      await early.context().close();

      const page = await open(390, 844);
      await page.goto(srv.url + '/book');
      await page.waitForFunction(() => /closed for now/.test(document.getElementById('page-status').textContent));
      const says = await textOf(page, '#page-status');
      assert(says.includes('Online booking is closed for now') && says.includes('+1 413 555 0100') && says.includes('desk@springfield.example'),
        `says whom to contact: ${says}`);
      assert(await page.evaluate(() => document.getElementById('form-fields').disabled), 'the form is disabled');
      const text = await page.evaluate(() => document.body.innerText);
      assert(!/integrated_booking|booking_disabled|no_primary_calendar/.test(text), 'no internal names shown');
      await screenshot(page, 'places-phone-closed');
      await assertClean(page, 'booking closed');
      await page.context().close();
    } finally {
      await srv.call('PUT', '/settings', { integrated_booking: true });
    }
  }],

  ['manage page: details with price and Add to calendar; a 30-minute shift the same day, the current time marked', async () => {
    for (const [w, h, name, at, to] of [[1280, 900, 'desktop', '10:00', '10:30'], [390, 844, 'phone', '14:00', '13:30']]) {
      const b = await bookViaApi(srv, seed, `2030-06-12T${at}:00-04:00`, `Shift ${name}`);
      const page = await open(w, h);
      await page.goto(`${srv.url}/manage/${b.manage_token}`);
      await page.waitForSelector('#booking:not([hidden])');
      assert((await textOf(page, '#b-price')).includes('$250.00'), `the quoted price: ${await textOf(page, '#b-price')}`);
      assert((await textOf(page, '#b-staff')).includes(b.staff[0].name), 'the photographer');
      assert((await page.getAttribute('#add-google', 'href')).includes('calendar.google.com'), 'Add to calendar');
      await page.click('#reschedule');
      const current = `2030-06-12T${at}:00-04:00`;
      await page.waitForSelector(`.time.current[data-start="${current}"]`);
      assert(await page.getAttribute(`.time.current[data-start="${current}"]`, 'aria-disabled') === 'true', 'the current time is marked, not a change');
      const target = `2030-06-12T${to}:00-04:00`;
      await page.click(`.time[data-start="${target}"]`);
      await screenshot(page, `places-${name}-manage-shift`);
      await page.click('#move-confirm');
      await page.waitForFunction(() => /now on/.test(document.getElementById('action-status').textContent));
      const moved = await srv.call('GET', `/bookings/${b.id}`);
      assert(new Date(moved.start).getTime() === new Date(target).getTime(), `moved 30 minutes: ${moved.start}`);
      assert(moved.price.total === b.price.total, 'the quote is kept');
      await assertClean(page, `manage shift (${name})`);
      await page.context().close();
    }
  }],

  ['admin: a service\'s price in the catalog editor; the zone editor\'s map adds corners', async () => {
    const page = await open();
    await page.goto(`${srv.url}/admin`);
    await page.fill('#token', srv.token);
    await page.click('#login-submit');
    await page.waitForSelector('#readiness-list');
    await page.goto(`${srv.url}/admin#catalog`);
    await page.click(`#services-table tr[data-id="${seed.services.video.id}"] button[aria-label^="Edit"]`);
    await page.waitForSelector('#service-price');
    assert(await page.inputValue('#service-price') === '300.00', `the price in currency units: ${await page.inputValue('#service-price')}`);
    await page.fill('#service-price', '310.50');
    await page.click('#services-save');
    await page.waitForFunction(() => /saved|updated/i.test(document.getElementById('services-form-status').textContent));
    const video = await srv.call('GET', `/services/${seed.services.video.id}`);
    assert(video.price === 31050, `stored in minor units: ${video.price}`);
    await page.goto(`${srv.url}/admin#zones`);
    await page.click('#zones-add');
    await page.waitForSelector('#zone-map .leaflet-tile-loaded');
    const map = page.locator('#zone-map');
    const box = await map.boundingBox();
    for (const [fx, fy] of [[0.3, 0.3], [0.7, 0.3], [0.6, 0.7]]) {
      await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    }
    assert(/3 corners/.test(await textOf(page, '#zone-points')), `corners from map clicks: ${await textOf(page, '#zone-points')}`);
    assert(await page.locator('#zone-canvas').count() === 1, 'the grid stays as the fallback');
    await screenshot(page, 'places-admin-zone-map');
    await assertClean(page, 'admin prices and zone map');
    await page.context().close();
  }],
], {
  async setup() {
    geocoder = await startGeocoder();
    tiles = await startTileServer();
    srv = await startTripod({
      env: {
        TRIPOD_GEOCODER_URL: geocoder.url, TRIPOD_GEOCODER_INTERVAL_MS: '0',
        TRIPOD_TILE_URL: tiles.template, TRIPOD_TILE_ATTRIBUTION: '© Test tiles',
      },
    });
    seed = await seedBusiness(srv);
    await requireCatalog(srv);
    await srv.call('PATCH', `/services/${seed.services.photos.id}`, {
      price: 25000,
      tiers: [{ max_sqft: 2000, duration_minutes: 60, price: 25000 }, { max_sqft: 4000, duration_minutes: 90, price: 32500 }],
    });
    await srv.call('PATCH', `/services/${seed.services.video.id}`, { price: 30000 });
    await srv.call('PATCH', `/packages/${seed.packages.premium.id}`, { price: 50000 });
    const west = await srv.call('POST', '/zones', { name: 'West Side', polygon: WEST_SIDE, postal_codes: [] });
    cai = await srv.call('POST', '/staff', { name: 'Cai Rowe', email: 'cai@example.com', zones: [west.id], rank: 3 });
    seed.ics.set('/cai.ics', ics([]));
    await srv.call('POST', '/calendars', { owner: cai.id, kind: 'ics', url: seed.ics.url('/cai.ics') });
    browser = await launchBrowser();
  },
  async teardown() {
    if (browser) await browser.close();
    if (seed) await seed.ics.stop();
    if (srv) await srv.stop();
    if (tiles) await tiles.stop();
    if (geocoder) await geocoder.stop();
  },
});
