// providers.test.mjs — connecting calendars the way people do: the admin
// clicks "Connect Google" in the console, consents at the (stand-in)
// provider, comes back to pick the calendar; a revoked account shows
// "Reconnect" and reconnects; a staff member opens their one-time connect
// link without any admin token and signs in with Microsoft 365.

import {
  startTripod, startStandin, freePort, launchBrowser, newPage, assertClean, screenshot, assert, run, waitForText,
} from './lib/harness.mjs';

let srv;
let google;
let microsoft;
let browser;
let page;
let ann;

const says = (selector, pattern) => waitForText(page, selector, pattern);

// Waits for the round trip console → provider consent → Tripod's callback →
// the console's calendar picker; a failure says where the browser stopped.
async function backFromProvider() {
  try {
    await page.waitForURL(/#calendars\/pick\/\d+$/);
  } catch {
    const said = await page.evaluate(() => document.querySelector('#accounts-status, #oauth-error')?.textContent);
    throw new Error(`the browser stopped at ${page.url()}: ${said} ${page.problems.join('; ')}`);
  }
}

await run([
  ['connect Google for the business from the console and pick the primary calendar', async () => {
    await page.goto(`${srv.url}/admin`);
    await page.fill('#token', srv.token);
    await page.click('#login-submit');
    await page.waitForSelector('#readiness-list');
    await page.goto(`${srv.url}/admin#calendars`);
    await page.waitForSelector('#connect-google');
    await page.selectOption('#connect-owner', 'business');
    await page.click('#connect-google');
    await backFromProvider();
    await page.waitForSelector('#pick-form');
    await says('#accounts-status', /Google account office@biz\.test connected/);
    await page.selectOption('#pick-calendar', 'office@biz.test');
    await page.check('#pick-primary');
    await page.click('#pick-add');
    await says('#accounts-status', /Calendar added for Business/);
    await page.waitForSelector('#calendars-table tr[data-id]');
    const kinds = await page.$$eval('#calendars-table tbody tr', (rows) => rows.map((r) => r.textContent));
    assert(kinds.some((t) => /Google/.test(t) && /primary/.test(t)), `a primary Google calendar listed: ${kinds}`);
    const cals = await srv.call('GET', '/calendars');
    assert(cals.length === 1 && cals[0].kind === 'google' && cals[0].primary, JSON.stringify(cals));
    await screenshot(page, 'providers-console-connected');
    await assertClean(page, 'calendars after connecting');
  }],

  ['a revoked account shows Reconnect, and reconnecting makes it OK', async () => {
    await google.control('revoke', { user: 'office@biz.test' });
    await google.control('expire_tokens', { user: 'office@biz.test' });
    const [cal] = await srv.call('GET', '/calendars');
    const r = await srv.raw('POST', `/calendars/${cal.id}/sync`);
    assert(r.status === 502, `the sync fails: ${JSON.stringify(r)}`);
    await page.goto(`${srv.url}/admin#readiness`);
    await says('#calendar-sync', /office@biz\.test.*Reconnect/);
    await page.goto(`${srv.url}/admin#calendars`);
    await page.waitForSelector('#accounts-table tr[data-state="failing"]');
    await screenshot(page, 'providers-console-failing');
    await google.control('restore', { user: 'office@biz.test' });
    await page.click('#accounts-table tr[data-state="failing"] [data-reconnect]');
    await backFromProvider();
    await page.waitForSelector('#accounts-table tr[data-state="ok"]');
    const accounts = await srv.call('GET', '/accounts');
    assert(accounts.length === 1 && accounts[0].state === 'ok', JSON.stringify(accounts));
    await assertClean(page, 'calendars after reconnecting');
  }],

  ['a staff member connects Microsoft 365 through their one-time link, no admin token', async () => {
    await page.goto(`${srv.url}/admin#calendars`);
    await page.waitForSelector('#link-create');
    await page.selectOption('#link-staff', String(ann.id));
    await page.click('#link-create');
    await page.waitForSelector('#link-url');
    const url = await page.inputValue('#link-url');
    assert(url.startsWith(`${srv.url}/connect/`), url);
    const staffPage = await newPage(browser); // a fresh context: no admin token anywhere
    page = staffPage;
    await page.goto(url);
    await says('#connect-for', /For Ann/);
    await screenshot(page, 'providers-staff-link');
    await Promise.all([page.waitForURL(/\/connect\/done/), page.click('button[data-provider="microsoft"]')]);
    await says('#connect-status', /Microsoft 365 account is connected/);
    await screenshot(page, 'providers-staff-done');
    await assertClean(page, 'staff done page');
    const cals = await srv.call('GET', '/calendars');
    const mine = cals.filter((c) => String(c.owner) === String(ann.id));
    assert(mine.length === 1 && mine[0].kind === 'microsoft', JSON.stringify(cals));
    await page.goto(url);
    await says('#connect-status', /is connected/);
    assert(await page.$('button[data-provider]') === null, 'the link works once');
  }],
], {
  async setup() {
    google = await startStandin('google');
    microsoft = await startStandin('microsoft');
    await google.control('user', { user: 'office@biz.test' });
    await google.control('login', { user: 'office@biz.test' });
    await microsoft.control('user', { user: 'ann@team.test' });
    await microsoft.control('login', { user: 'ann@team.test' });
    const port = await freePort();
    srv = await startTripod({ port, env: { ...google.env, ...microsoft.env, TRIPOD_PUBLIC_URL: `http://127.0.0.1:${port}`, TRIPOD_SYNC_INTERVAL: '3600' } });
    ann = await srv.call('POST', '/staff', { name: 'Ann', email: 'ann@team.test' });
    browser = await launchBrowser();
    page = await newPage(browser);
  },
  async teardown() {
    if (browser) await browser.close();
    if (srv) await srv.stop();
    if (google) await google.stop();
    if (microsoft) await microsoft.stop();
  },
});
