// catalog.js — the public catalog (services, packages, business rules) and
// the "why is the shoot this long" explanation shown to agents.

import { api, formatMinutes, setClockFormat } from './api.js';

// Loads GET /catalog (public) and sets the page's clock to the business's.
// Rejects with ApiError.
export async function loadCatalog() {
  const c = await api('GET', '/catalog');
  setClockFormat(c && c.clock_format);
  return c;
}

// Minutes a service takes for a property of SQFT square feet: the smallest
// size tier that fits, else the service's own duration.
export function serviceMinutes(service, sqft) {
  const n = Number(sqft);
  if (sqft !== '' && sqft !== null && sqft !== undefined && Number.isFinite(n) && n > 0) {
    const tiers = [...(service.tiers || [])].sort((a, b) => a.max_sqft - b.max_sqft);
    const fit = tiers.find((t) => n <= t.max_sqft);
    if (fit) return fit.duration_minutes;
  }
  return service.duration_minutes;
}

// The parts of a shoot: [{name, minutes}] for the chosen ids.
export function lengthParts(catalog, serviceIds, packageIds, sqft) {
  const parts = [];
  for (const id of packageIds) {
    const p = (catalog.packages || []).find((x) => String(x.id) === String(id));
    if (p) parts.push({ name: p.name, minutes: p.duration_minutes, two: !!p.two_photographers });
  }
  for (const id of serviceIds) {
    const s = (catalog.services || []).find((x) => String(x.id) === String(id));
    if (s) parts.push({ name: s.name, minutes: serviceMinutes(s, sqft) });
  }
  return parts;
}

// One sentence saying how long the shoot is and why, e.g.
// "2 h — Photos 1 h + Video 1 h". SCHEDULED is the server's answer
// (after any two-photographer reduction) or undefined before it is known.
export function describeLength(parts, scheduled, crew) {
  if (!parts.length) return '';
  const sum = parts.reduce((a, p) => a + (Number(p.minutes) || 0), 0);
  const why = parts.map((p) => `${p.name} ${formatMinutes(p.minutes)}`).join(' + ');
  if (scheduled !== undefined && scheduled !== null && Number(scheduled) !== sum) {
    const how = crew > 1 || parts.some((p) => p.two)
      ? 'two photographers work together, so it is shorter'
      : 'adjusted by the business for your property';
    return `${formatMinutes(scheduled)} on site — ${why} = ${formatMinutes(sum)}; ${how}.`;
  }
  return `${formatMinutes(sum)} on site — ${why}.`;
}
