// business.mjs — sets up a small real business through the admin API:
// services (with a size tier), a package, a skill, a postal-code zone, two
// staff members with ICS calendars, and (when READY) the primary business
// calendar on Radicale with integrated booking on.

import { startRadicale, startIcsServer, ics } from './harness.mjs';

export const BUSINESS = 'Springfield Media';
export const OUTSIDE = 'Sorry, we only shoot in Springfield. Call us on 555-0100.';

// Returns {services: {photos, video}, packages: {premium}, staff: {ana, ben},
// zone, calendars, ics, radicale}.
export async function seedBusiness(srv, { ready = true } = {}) {
  const feeds = await startIcsServer({ '/ana.ics': ics([]), '/ben.ics': ics([]) });
  const out = { ics: feeds, calendars: {} };
  await srv.call('PUT', '/settings', {
    timezone: 'America/New_York',
    business_name: BUSINESS,
    integrated_booking: ready,
    min_notice_minutes: 60,
    outside_area_message: OUTSIDE,
  });
  const video = await srv.call('POST', '/skills', { name: 'video' });
  const photos = await srv.call('POST', '/services', {
    name: 'Photos', duration_minutes: 60, tiers: [{ max_sqft: 2000, duration_minutes: 60 }, { max_sqft: 4000, duration_minutes: 90 }],
  });
  const vid = await srv.call('POST', '/services', { name: 'Video', duration_minutes: 60, skills: [video.id] });
  const premium = await srv.call('POST', '/packages', { name: 'Premium listing', duration_minutes: 150, services: [photos.id, vid.id] });
  const zone = await srv.call('POST', '/zones', { name: 'Springfield', postal_codes: ['01101', '01103'], polygon: null });
  const ana = await srv.call('POST', '/staff', {
    name: 'Ana Lima', email: 'ana@example.com', skills: [video.id], zones: [zone.id], senior: true, rank: 1,
  });
  const ben = await srv.call('POST', '/staff', { name: 'Ben Ode', email: 'ben@example.com', zones: [zone.id], rank: 2 });
  out.calendars.ana = await srv.call('POST', '/calendars', { owner: ana.id, kind: 'ics', url: feeds.url('/ana.ics') });
  out.calendars.ben = await srv.call('POST', '/calendars', { owner: ben.id, kind: 'ics', url: feeds.url('/ben.ics') });
  if (ready) {
    out.radicale = await startRadicale();
    out.calendars.business = await srv.call('POST', '/calendars', {
      owner: 'business', kind: 'caldav', url: out.radicale.url, username: out.radicale.username,
      password: out.radicale.password, primary: true,
    });
  }
  out.skills = { video };
  out.services = { photos, video: vid };
  out.packages = { premium };
  out.staff = { ana, ben };
  out.zone = zone;
  return out;
}

function booking(seed, start, name) {
  return {
    agent: { name, email: 'other@example.com', phone: '555-0199' },
    property: { address: '9 Oak Ave', postal_code: '01101' },
    services: [seed.services.photos.id],
    packages: [],
    start,
    notes: '',
  };
}

// Books a Photos shoot at START (RFC 3339) through the public API; returns
// the booking (with its manage_token).
export async function bookViaApi(srv, seed, start, name = 'Other Agent') {
  return srv.call('POST', '/bookings', booking(seed, start, name), null);
}

// Like bookViaApi, as another agent would; true when it got the time, false
// on 409 (nobody left free then). Other answers throw.
export async function takeSlot(srv, seed, start) {
  const r = await srv.raw('POST', '/bookings', booking(seed, start, 'Quicker Agent'), null);
  if (r.status === 201) return true;
  if (r.status === 409) return false;
  throw new Error(`POST /bookings → ${r.status}: ${JSON.stringify(r.body)}`);
}

// The agent pages read the public catalog; fails clearly when it is missing.
export async function requireCatalog(srv) {
  const r = await srv.raw('GET', '/catalog', undefined, null);
  if (r.status !== 200 || !Array.isArray(r.body.services) || !r.body.timezone) {
    throw new Error(`GET /api/v1/catalog (public) answered ${r.status} ${JSON.stringify(r.body).slice(0, 200)}; ` +
      'the booking and manage pages need {timezone, now, min_notice_minutes, horizon_days, services, packages}');
  }
}
