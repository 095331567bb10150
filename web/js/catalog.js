// catalog.js — the public catalog (services, packages, prices, business
// rules) and the "why is the shoot this long and what does it cost"
// explanations shown to agents. A service that a chosen package already
// contains is shown as included and counted once, as the server counts it.

import { api, formatMinutes, formatMoney, setClockFormat } from './api.js';

// Loads GET /catalog (public) and sets the page's clock to the business's.
// Rejects with ApiError.
export async function loadCatalog() {
  const c = await api('GET', '/catalog');
  setClockFormat(c && c.clock_format);
  return c;
}

function sizeTier(service, sqft) {
  const n = Number(sqft);
  if (sqft !== '' && sqft !== null && sqft !== undefined && Number.isFinite(n) && n > 0) {
    const tiers = [...(service.tiers || [])].sort((a, b) => a.max_sqft - b.max_sqft);
    return tiers.find((t) => n <= t.max_sqft) || null;
  }
  return null;
}

// Minutes a service takes for a property of SQFT square feet: the smallest
// size tier that fits, else the service's own duration.
export function serviceMinutes(service, sqft) {
  const fit = sizeTier(service, sqft);
  return fit ? fit.duration_minutes : service.duration_minutes;
}

// The price of a service for SQFT (the tier's when it has one), or null.
export function servicePrice(service, sqft) {
  const fit = sizeTier(service, sqft);
  if (fit && Number.isInteger(fit.price)) return fit.price;
  return Number.isInteger(service.price) ? service.price : null;
}

const same = (a, b) => String(a) === String(b);

// The parts of a shoot: [{name, minutes, price, includedIn}] for the chosen
// ids; INCLUDEDIN names the chosen package that already contains a service
// (it then adds no length and no price).
export function lengthParts(catalog, serviceIds, packageIds, sqft) {
  const parts = [];
  const pkgs = [];
  for (const id of packageIds) {
    const p = (catalog.packages || []).find((x) => same(x.id, id));
    if (!p) continue;
    pkgs.push(p);
    parts.push({ name: p.name, minutes: p.duration_minutes, two: !!p.two_photographers,
      price: Number.isInteger(p.price) ? p.price : null });
  }
  for (const id of serviceIds) {
    const s = (catalog.services || []).find((x) => same(x.id, id));
    if (!s) continue;
    const holder = pkgs.find((p) => (p.services || []).some((sid) => same(sid, s.id)));
    parts.push({ name: s.name, minutes: serviceMinutes(s, sqft), price: servicePrice(s, sqft),
      includedIn: holder ? holder.name : null });
  }
  return parts;
}

// One sentence saying how long the shoot is and why, e.g.
// "2 h — Photos 1 h + Video 1 h". SCHEDULED is the server's answer
// (after any two-photographer reduction) or undefined before it is known.
export function describeLength(parts, scheduled, crew) {
  const counted = parts.filter((p) => !p.includedIn);
  if (!counted.length) return '';
  const sum = counted.reduce((a, p) => a + (Number(p.minutes) || 0), 0);
  const why = counted.map((p) => `${p.name} ${formatMinutes(p.minutes)}`).join(' + ');
  const inc = includedNote(parts);
  if (scheduled !== undefined && scheduled !== null && Number(scheduled) !== sum) {
    const how = crew > 1 || parts.some((p) => p.two)
      ? 'two photographers work together, so it is shorter'
      : 'adjusted by the business for your property';
    return `${formatMinutes(scheduled)} on site — ${why} = ${formatMinutes(sum)}; ${how}.${inc}`;
  }
  return `${formatMinutes(sum)} on site — ${why}.${inc}`;
}

// " Photos is part of Premium, so it is not counted twice." or "".
export function includedNote(parts) {
  const inc = parts.filter((p) => p.includedIn);
  if (!inc.length) return '';
  return ' ' + inc.map((p) => `${p.name} is part of ${p.includedIn}`).join('; ') +
    ', so it is not counted twice.';
}

// The price sentence for QUOTE ({currency, total, lines}) from the server,
// e.g. "$575.00 — Photos $250.00 + Video $325.00", or '' without a quote.
export function describePrice(quote) {
  if (!quote || !Array.isArray(quote.lines)) return '';
  const counted = quote.lines.filter((l) => !l.included_in);
  const why = counted.map((l) => `${l.name} ${formatMoney(l.amount, quote.currency)}`).join(' + ');
  const inc = quote.lines.filter((l) => l.included_in)
    .map((l) => `${l.name} included in ${l.included_in}`);
  return `${formatMoney(quote.total, quote.currency)}` + (why ? ` — ${why}` : '') +
    (inc.length ? ` (${inc.join('; ')})` : '');
}

// Error codes that name the business's set-up: agents see closedMessage().
export const CLOSED_CODES = new Set(['booking_disabled', 'no_primary_calendar']);

// "Online booking is closed for now" with the business's contact.
export function closedMessage(catalog) {
  const contact = [catalog.contact_phone, catalog.contact_email].filter(Boolean);
  return 'Online booking is closed for now.' +
    (contact.length ? ` Please contact us: ${contact.join(' · ')}.` : ' Please contact the business directly.');
}

// What to tell an agent about API error E: never an internal name.
export function agentMessage(catalog, e) {
  return CLOSED_CODES.has(e.code) ? closedMessage(catalog) : e.message;
}
