// calendar-discover.test.mjs — connecting calendars from a CalDAV account in
// the admin console: server address, user name and app password → "Find
// calendars" → pick several → each becomes a connected calendar, against a
// real Radicale with password logins. A wrong password is named at its field.

import {
  startTripod, startRadicaleWithLogins, launchBrowser, newPage, assertClean, screenshot, assert, run, waitForText,
} from './lib/harness.mjs';

const PW = 'app-Pa55word-for-tripod';
let srv;
let rad;
let browser;
let page;
let dee;

const statusSays = (selector, pattern) => waitForText(page, selector, pattern);

// MKCALENDAR PATH on Radicale as ann, with a display name, color and components.
async function mkcalendar(p, name, comps, color) {
  const res = await fetch(rad.base + p, {
    method: 'MKCALENDAR',
    headers: { Authorization: 'Basic ' + Buffer.from(`ann:${PW}`).toString('base64'), 'Content-Type': 'application/xml' },
    body: '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">'
      + `<D:set><D:prop><D:displayname>${name}</D:displayname>${color ? `<I:calendar-color>${color}</I:calendar-color>` : ''}`
      + `<C:supported-calendar-component-set>${comps.map((c) => `<C:comp name="${c}"/>`).join('')}</C:supported-calendar-component-set>`
      + '</D:prop></D:set></C:mkcalendar>',
  });
  assert(res.status === 201, `MKCALENDAR ${p}: ${res.status}`);
}

async function openNewCalendar() {
  await page.goto(`${srv.url}/admin#calendars`);
  await page.click('#calendars-add');
  await page.waitForSelector('#disc-url');
}

await run([
  ['a wrong app password is named next to the password field', async () => {
    await page.goto(`${srv.url}/admin`);
    await page.fill('#token', srv.token);
    await page.click('#login-submit');
    await page.waitForSelector('#readiness-list');
    await openNewCalendar();
    assert(await page.inputValue('#cal-kind') === 'discover', 'a new calendar starts from the account');
    assert(await page.$('#cal-url') === null, 'no collection URL is asked for');
    await page.fill('#disc-url', rad.base);
    await page.fill('#disc-username', 'ann');
    await page.fill('#disc-password', 'not-the-password');
    await page.click('#disc-find');
    await statusSays('#disc-status', /credentials refused/);
    await page.waitForSelector('#disc-password[aria-invalid="true"]');
    await screenshot(page, 'admin-calendar-discover-refused');
    await assertClean(page, 'refused');
  }],

  ['find the calendars of the account, pick two, connect both', async () => {
    await page.fill('#disc-password', PW);
    await page.click('#disc-find');
    await statusSays('#disc-status', /2 calendars found/);
    const found = await page.$$eval('#disc-list label', (ls) => ls.map((l) => l.textContent));
    assert(found.length === 2 && found.some((t) => t.includes('Shoots')) && found.some((t) => t.includes('Office')),
      `the events calendars, not the tasks list: ${JSON.stringify(found)}`);
    await screenshot(page, 'admin-calendar-discover-found');

    await page.selectOption('#cal-owner', String(dee.id));
    await page.check('#disc-cal-0');
    await page.check('#disc-cal-1');
    await page.check('#cal-primary');
    await page.click('#calendars-save');
    await page.waitForSelector('#cal-primary[aria-invalid="true"]');
    await page.uncheck('#cal-primary');
    await page.click('#calendars-save');
    await statusSays('#calendars-form-status', /Connected .*Shoots|Connected .*Office/);
    await page.waitForSelector('#disc-list .badge.ok');
    await page.waitForFunction(() => /Every active staff member has a calendar/.test(document.getElementById('no-calendar').textContent));
    await screenshot(page, 'admin-calendar-discover-connected');

    const cals = await srv.call('GET', '/calendars');
    const urls = cals.map((c) => c.url).sort();
    assert(JSON.stringify(urls) === JSON.stringify([`${rad.base}/ann/office/`, `${rad.base}/ann/shoots/`]),
      `both connected: ${JSON.stringify(urls)}`);
    assert(cals.every((c) => String(c.owner) === String(dee.id) && c.kind === 'caldav' && c.username === 'ann'
      && c.has_password === true && !('password' in c)), `for Dee, with the password sealed: ${JSON.stringify(cals)}`);
    for (const c of cals) await srv.call('POST', `/calendars/${c.id}/sync`);
    await assertClean(page, 'connected');
  }],

  ['connected calendars are marked when the account is searched again', async () => {
    await openNewCalendar();
    await page.fill('#disc-url', rad.base);
    await page.fill('#disc-username', 'ann');
    await page.fill('#disc-password', PW);
    await page.click('#disc-find');
    await statusSays('#disc-status', /2 calendars found/);
    const disabled = await page.$$eval('#disc-list input', (is) => is.every((i) => i.disabled));
    assert(disabled, 'both already connected, so neither can be picked twice');
    await page.click('#calendars-save');
    await page.waitForSelector('#disc-calendars[aria-invalid="true"]');
    await statusSays('#disc-calendars-error', /Pick at least one calendar/);
    await assertClean(page, 'again');
  }],
], {
  async setup() {
    srv = await startTripod();
    rad = await startRadicaleWithLogins({ ann: PW });
    await mkcalendar('/ann/shoots/', 'Shoots', ['VEVENT'], '#FF8800FF');
    await mkcalendar('/ann/office/', 'Office', ['VEVENT', 'VTODO']);
    await mkcalendar('/ann/chores/', 'Chores', ['VTODO']);
    dee = await srv.call('POST', '/staff', { name: 'Dee Drone', email: 'dee@example.com' });
    browser = await launchBrowser();
    page = await newPage(browser);
  },
  async teardown() {
    if (browser) await browser.close();
    if (rad) await rad.stop();
    if (srv) await srv.stop();
  },
});
