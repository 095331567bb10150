// harness.mjs — what every browser test needs: a real `tripod serve` on a
// free port with a temp data dir and a fixed clock, a real Radicale for the
// business calendar (open, or with password logins), an ICS feed server for
// staff calendars, Debian's headless Chromium through playwright-core, and a
// tiny test runner that ends with "N passed, M failed".

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..', '..');
export const OUT = process.env.TRIPOD_TEST_OUT || path.join(REPO, 'tests', 'browser', 'out');
// Monday 2030-06-03 08:00 in New York, as in the e2e tests.
export const NOW = '2030-06-03T08:00:00-04:00';
export const TZ = 'America/New_York';

const children = new Set();
const tempDirs = new Set();

function bin() {
  const p = process.env.TRIPOD_BIN || path.join(REPO, 'build', 'tripod');
  if (!existsSync(p)) throw new Error(`tripod binary not found at ${p} (set TRIPOD_BIN)`);
  return p;
}

// A port drawn at random below the kernel's ephemeral range (as
// tests/servers/ports.py does): a port from listen(0) can go to another
// process's outgoing connection before the server binds it.
function ephemeralLow() {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

function tryPort(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.on('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function freePort() {
  const high = ephemeralLow() - 1;
  const low = high > 21000 ? 20000 : 1024;
  for (let i = 0; i < 500; i++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await tryPort(port)) return port;
  }
  throw new Error(`no free port in ${low}-${high} on 127.0.0.1`);
}

function tempDir(prefix) {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, child, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${what} exited with ${child.exitCode}:\n${child.log ? child.log().slice(-4000) : ''}`);
    }
    try {
      if (await fn()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`${what} did not start in ${ms} ms`);
    await sleep(50);
  }
}

// Spawns CMD with its output kept in memory for child.log().
function startChild(cmd, args, env) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const chunks = [];
  const keep = (b) => chunks.push(b);
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.log = () => Buffer.concat(chunks).toString('utf8');
  return child;
}

async function stopChild(child) {
  if (!child || child.exitCode !== null) return child ? child.exitCode : 0;
  const done = new Promise((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15000);
  const code = await done;
  clearTimeout(t);
  return code;
}

// Starts `tripod serve` with a temp data dir. Returns
// {url, token, call(method, path, body, token?), stop(), log()}. The pages are
// the ones compiled into the binary, as shipped; a TRIPOD_WEB in the caller's
// environment (the repository's web/) tries edited pages without a rebuild.
export async function startTripod({ now = NOW, env = {}, port: wanted } = {}) {
  const data = path.join(tempDir('tripod-web-'), 'data');
  const port = wanted || await freePort();
  const e = { TRIPOD_NOW: now, TRIPOD_RATE_LIMIT: '0', ...env };
  const child = startChild(bin(), ['serve', '--port', String(port), '--data', data], e);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('tripod serve', async () => (await fetch(url + '/api/v1/health')).ok, child);
  const token = execFileSync(bin(), ['token', 'create', '--name', 't', '--data', data],
    { env: { ...process.env, ...e }, encoding: 'utf8' }).trim();
  // The API answer as {status, body}; BEARER defaults to the admin token.
  async function raw(method, p, body, bearer = token) {
    const res = await fetch(url + '/api/v1' + p, {
      method,
      headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: 'Bearer ' + bearer } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = text;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  }
  // The parsed answer; throws when the status is not 2xx.
  async function call(method, p, body, bearer = token) {
    const r = await raw(method, p, body, bearer);
    if (r.status < 200 || r.status > 299) {
      throw new Error(`${method} ${p} → ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
    }
    return r.body;
  }
  return {
    url,
    token,
    call,
    raw,
    log: () => child.log(),
    async stop() {
      const code = await stopChild(child);
      if (code !== 0) throw new Error(`tripod serve exited ${code} on SIGTERM:\n${child.log().slice(-4000)}`);
    },
  };
}

// Starts a provider stand-in (tests/servers/NAME_standin.py: "google" or
// "microsoft"). Returns {base, env (the TRIPOD_* variables pointing at it),
// control(name, body), stop()}.
export async function startStandin(name) {
  const port = await freePort();
  const script = path.join(REPO, 'tests', 'servers', `${name}_standin.py`);
  const child = startChild('/usr/bin/python3', [script, '--port', String(port)], { PYTHONDONTWRITEBYTECODE: '1' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${name} stand-in`, async () => child.log().includes('ready'), child);
  const control = async (what, body = {}) => {
    const res = await fetch(`${base}/_control/${what}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${name} stand-in control ${what}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const env = name === 'google'
    ? { TRIPOD_GOOGLE_CLIENT_ID: 'tripod-test-client', TRIPOD_GOOGLE_CLIENT_SECRET: 'tripod-test-secret',
      TRIPOD_GOOGLE_AUTH_URL: `${base}/o/oauth2/v2/auth`, TRIPOD_GOOGLE_TOKEN_URL: `${base}/token`,
      TRIPOD_GOOGLE_API_URL: `${base}/calendar/v3` }
    : { TRIPOD_MS_CLIENT_ID: 'tripod-test-client', TRIPOD_MS_CLIENT_SECRET: 'tripod-test-secret',
      TRIPOD_MS_LOGIN_URL: base, TRIPOD_MS_GRAPH_URL: `${base}/v1.0` };
  return { base, env, control, stop: () => stopChild(child) };
}

// Starts Radicale (no auth) and creates calendar collection /tripod/business/.
// Returns {url (of the collection), stop()}.
export async function startRadicale() {
  const dir = tempDir('tripod-radicale-');
  const port = await freePort();
  const child = startChild('/usr/bin/python3', ['-m', 'radicale', '--server-hosts', `127.0.0.1:${port}`,
    '--storage-filesystem-folder', path.join(dir, 'collections'), '--auth-type', 'none', '--rights-type', 'owner_only'],
  {});
  const base = `http://127.0.0.1:${port}`;
  const auth = 'Basic ' + Buffer.from('tripod:secret').toString('base64');
  await waitFor('radicale', async () => (await fetch(base + '/', { headers: { Authorization: auth } })).status < 500, child);
  const res = await fetch(base + '/tripod/business/', {
    method: 'MKCALENDAR',
    headers: { Authorization: auth, 'Content-Type': 'application/xml' },
    body: '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Business</D:displayname></D:prop></D:set></C:mkcalendar>',
  });
  if (res.status !== 201) throw new Error(`radicale MKCALENDAR answered ${res.status}`);
  return { url: base + '/tripod/business/', username: 'tripod', password: 'secret', stop: () => stopChild(child) };
}

// Starts Radicale with password logins through tests/servers/radicale_server.py:
// USERS {name: password} (handed over in files, never on the command line),
// CALENDARS ["ann/work", …] created empty. Returns {base, stop()}.
export async function startRadicaleWithLogins(users, calendars = []) {
  const dir = tempDir('tripod-radicale-');
  const args = [path.join(REPO, 'tests', 'servers', 'radicale_server.py'), '--dir', path.join(dir, 'srv')];
  for (const [name, pw] of Object.entries(users)) {
    const file = path.join(dir, `${name}.pw`);
    writeFileSync(file, pw, { mode: 0o600 });
    args.push('--user', `${name}:@${file}`);
  }
  for (const c of calendars) args.push('--calendar', c);
  const child = startChild('/usr/bin/python3', args, {});
  let base = null;
  await waitFor('radicale', async () => {
    const m = /ready (http:\/\/\S+)/.exec(child.log());
    base = m && m[1];
    return !!base;
  }, child);
  return { base, stop: () => stopChild(child) };
}

// Serves ICS feeds: FEEDS maps a path ("/ana.ics") to iCalendar text.
// Returns {url(path), set(path, text), stop()}.
export async function startIcsServer(feeds = {}) {
  const port = await freePort();
  const srv = createServer((req, res) => {
    const body = feeds[req.url.split('?')[0]];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8' }).end(body);
  });
  await new Promise((r) => srv.listen(port, '127.0.0.1', r));
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    set: (p, text) => { feeds[p] = text; },
    stop: () => new Promise((r) => srv.close(r)),
  };
}

// An iCalendar feed with EVENTS [{uid, start, end, summary}] (UTC strings
// like 20300604T140000Z).
export function ics(events = []) {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Tripod tests//EN'];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, 'DTSTAMP:20300101T000000Z', `DTSTART:${e.start}`, `DTEND:${e.end}`,
      `SUMMARY:${e.summary || 'Busy'}`, 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page that fails the test on any uncaught script error, console error
// (other than expected HTTP error statuses) or CSP violation. TIMEZONEID:
// the browser's own zone (default: the machine's).
export async function newPage(browser, { width = 1280, height = 900, timezoneId } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, ...(timezoneId ? { timezoneId } : {}) });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const t = m.text();
    if (/Failed to load resource: the server responded with a status of (4\d\d)/.test(t)) return;
    page.problems.push(`console error: ${t}`);
  });
  page.setDefaultTimeout(15000);
  return page;
}

// Fails when the page saw script errors, CSP violations, "undefined" or a
// raw stack in its visible text.
export async function assertClean(page, what) {
  const text = await page.evaluate(() => document.body.innerText);
  if (/\bundefined\b|\bNaN\b|\[object Object\]|at .+\.js:\d+/.test(text)) {
    throw new Error(`${what}: the page shows raw values: ${text.match(/.{0,60}(undefined|NaN|\[object Object\]|at .+\.js:\d+).{0,60}/s)[0]}`);
  }
  if (page.problems.length) throw new Error(`${what}: ${page.problems.join('; ')}`);
}

// Saves a full-page screenshot as OUT/NAME.png.
export async function screenshot(page, name) {
  mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Waits until the text of SELECTOR on PAGE matches PATTERN; the failure
// names what it says instead.
export async function waitForText(page, selector, pattern, timeout = 15000) {
  try {
    await page.waitForFunction(([s, p]) => {
      const n = document.querySelector(s);
      return n && new RegExp(p).test(n.textContent);
    }, [selector, pattern.source], { timeout });
  } catch {
    const text = await page.evaluate((s) => document.querySelector(s)?.textContent ?? '(missing)', selector);
    throw new Error(`${selector} should match ${pattern} but says: ${text}`);
  }
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// Runs SETUP, then the named async TESTS in order, then TEARDOWN; prints one
// line per test and then "N passed, M failed", and sets the exit code. A
// failed setup fails every test; a failed teardown (e.g. the server did not
// exit cleanly) counts as one more failure.
export async function run(tests, { setup, teardown } = {}) {
  let passed = 0;
  let failed = 0;
  let ready = true;
  if (setup) {
    try {
      await setup();
    } catch (e) {
      ready = false;
      failed = tests.length;
      console.log(`FAIL setup: ${e && e.stack ? e.stack : e}`);
    }
  }
  for (const [name, fn] of ready ? tests : []) {
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  if (teardown) {
    try {
      await teardown();
    } catch (e) {
      failed++;
      console.log(`FAIL teardown: ${e && e.stack ? e.stack : e}`);
    }
  }
  for (const c of [...children]) await stopChild(c);
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
