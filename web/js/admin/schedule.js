// schedule.js (admin) — the day/week schedule by staff member with bookings
// and busy time; a booking opens a dialog to reassign, move (re-checked, or
// forced) or cancel it. The "why is nobody free" explain form is below.
// Busy time covers the days it overlaps (its end is exclusive); all-day
// time covers exactly the dates GET /busy names, in the staff member's own
// zone. The staff names stay in view while a day or week scrolls sideways.

import {
  el, status, query, addDays, weekday, dateInZone, timeInZone, zonedToIso, formatTime, formatDateTime, formatDate,
  formatClock,
} from '../api.js';
import { openBooking } from './booking-dialog.js';
import { explainForm } from './explain.js';

const DAY_START = 6;
const DAY_END = 21;

function minutesOf(iso, tz) {
  const [h, m] = timeInZone(iso, tz).split(':').map(Number);
  return h * 60 + m;
}

// Monday of DATE's week.
function monday(date) {
  return addDays(date, -((weekday(date) + 6) % 7));
}

function staffIds(b) {
  return (b.staff || []).map((s) => String(s && typeof s === 'object' ? s.id : s));
}

// Whether busy time X lies on business date D: an all-day entry on the
// dates it names; any other when [start, end) overlaps that day.
function onDay(x, d, tz) {
  if (x.all_day) return x.from_date <= d && d <= x.to_date;
  const dayStart = new Date(zonedToIso(d, '00:00', tz));
  const dayEnd = new Date(zonedToIso(addDays(d, 1), '00:00', tz));
  return new Date(x.start) < dayEnd && new Date(x.end) > dayStart;
}

// Every booking GET /bookings selects with PARAMS, following its pages.
async function allBookings(ctx, params) {
  const out = [];
  let cursor = null;
  do {
    const page = await ctx.call('GET', '/bookings' + query({ ...params, limit: 200, cursor }));
    out.push(...ctx.list(page, 'bookings'));
    cursor = page && page.next_cursor;
  } while (cursor);
  return out;
}

// The server's clock (it may be fixed for demos and tests), else this one's.
async function serverNow(ctx) {
  try {
    const c = await ctx.get('/catalog');
    return c && c.now ? new Date(c.now) : new Date();
  } catch {
    return new Date();
  }
}

export async function renderSchedule(root, ctx) {
  const tz = await ctx.tz();
  const staff = (await ctx.items('staff', true)).filter((s) => s.active !== false);
  const today = dateInZone(await serverNow(ctx), tz);
  const params = new URLSearchParams(location.hash.split('/')[1] || '');
  const state = {
    mode: params.get('mode') === 'week' ? 'week' : 'day',
    date: params.get('date') || today,
  };

  const modeSel = el('select', { id: 'sched-mode', 'aria-label': 'View' },
    el('option', { value: 'day', text: 'Day' }), el('option', { value: 'week', text: 'Week' }));
  modeSel.value = state.mode;
  const dateIn = el('input', { type: 'date', id: 'sched-date', 'aria-label': 'Date', value: state.date });
  const listStatus = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const board = el('div', { class: 'sched', id: 'schedule-board' });
  const heading = el('h2', { id: 'sched-heading', 'aria-live': 'polite' });

  const step = (n) => {
    state.date = addDays(state.date, state.mode === 'week' ? 7 * n : n);
    dateIn.value = state.date;
    load();
  };
  modeSel.addEventListener('change', () => { state.mode = modeSel.value; load(); });
  dateIn.addEventListener('change', () => { if (dateIn.value) { state.date = dateIn.value; load(); } });

  async function load() {
    const from = state.mode === 'week' ? monday(state.date) : state.date;
    const to = state.mode === 'week' ? addDays(from, 6) : from;
    heading.textContent = state.mode === 'week'
      ? `Week of ${formatDate(from + 'T12:00:00Z', 'UTC')} (${tz})`
      : `${formatDate(from + 'T12:00:00Z', 'UTC')} (${tz})`;
    history.replaceState(null, '', `#schedule/mode=${state.mode}&date=${state.date}`);
    status(listStatus, 'Loading the schedule…', 'busy');
    let bookings;
    let busyList = [];
    let busyNote = '';
    try {
      bookings = await allBookings(ctx, { from, to, status: 'confirmed' });
    } catch (e) {
      status(listStatus, `Could not load bookings: ${e.message}`, 'error');
      board.replaceChildren();
      return;
    }
    try {
      busyList = ctx.list(await ctx.call('GET', '/busy' + query({ from, to })), 'busy');
    } catch (e) {
      busyNote = ` Busy time could not be shown: ${e.message}`;
    }
    bookings = bookings.filter((b) => b.status !== 'cancelled');
    status(listStatus, `${bookings.length} booking${bookings.length === 1 ? '' : 's'} shown.${busyNote}`, busyNote ? 'warn' : 'info');
    if (!staff.length) {
      board.replaceChildren(el('p', { class: 'muted', text: 'No active staff members yet.' }));
      return;
    }
    const open = (b) => openBooking(ctx, b, { tz, staff, onChange: load });
    board.replaceChildren(state.mode === 'week'
      ? weekView(from, bookings, busyList, open)
      : dayView(from, bookings, busyList, open));
    fitRows();
  }

  // Day view: each row as tall as its tallest block's words, so a short
  // shoot still shows its times and address in full.
  function fitRows() {
    for (const track of board.querySelectorAll('.sched-day .sched-track')) {
      const need = Math.max(0, ...[...track.querySelectorAll('.blk')].map((b) => b.scrollHeight + b.offsetHeight - b.clientHeight));
      track.style.minHeight = `${need + 8}px`;
    }
  }

  function dayView(date, bookings, busyList, open) {
    const hours = DAY_END - DAY_START;
    const span = hours * 60;
    const pos = (startIso, endIso) => {
      const s = dateInZone(startIso, tz) < date ? 0 : minutesOf(startIso, tz) - DAY_START * 60;
      const e = dateInZone(endIso, tz) > date ? span : minutesOf(endIso, tz) - DAY_START * 60;
      const a = Math.max(0, Math.min(span, s));
      const b = Math.max(0, Math.min(span, e));
      return b > a ? `left:${(a / span) * 100}%;width:${((b - a) / span) * 100}%` : null;
    };
    const wrap = el('div', { class: 'sched-day' });
    const scale = el('div', { class: 'sched-hours sched-track-width' });
    scale.style.setProperty('--hours', String(hours));
    for (let h = DAY_START; h <= DAY_END; h += 1) {
      const lab = el('span', { text: formatClock(`${h}:00`) });
      lab.style.left = `${((h - DAY_START) / hours) * 100}%`;
      scale.append(lab);
    }
    wrap.append(el('div', { class: 'sched-row sched-scale' }, el('div', { class: 'sched-name', text: '' }), scale));
    for (const s of staff) {
      const track = el('div', { class: 'sched-track sched-track-width', 'data-staff': String(s.id) });
      track.style.setProperty('--hours', String(hours));
      const mine = busyList.filter((x) => String(x.staff) === String(s.id) && onDay(x, date, tz));
      for (const bz of mine.filter((x) => x.all_day)) {
        track.append(el('div', { class: 'blk busy all-day', title: `All day: ${bz.summary || 'busy'}`,
          text: `All day: ${bz.summary || 'busy'}` }));
      }
      for (const bz of mine.filter((x) => !x.all_day)) {
        const style = pos(bz.start, bz.end);
        if (!style) continue;
        const when = `${formatTime(bz.start, tz)}–${formatTime(bz.end, tz)}`;
        const n = el('div', { class: 'blk busy', title: `Busy: ${bz.summary || 'calendar event'} ${when}` },
          el('span', { class: 'blk-time', text: when }), el('span', { text: bz.summary || 'busy' }));
        n.style.cssText = style;
        track.append(n);
      }
      for (const b of bookings.filter((x) => staffIds(x).includes(String(s.id)))) {
        const style = pos(b.start, b.end);
        if (!style) continue;
        const where = (b.property && b.property.address) || '';
        const when = `${formatTime(b.start, tz)}–${formatTime(b.end, tz)}`;
        const n = el('button', { type: 'button', class: 'blk booking', 'data-booking': String(b.id),
          'aria-label': `Booking ${formatDateTime(b.start, tz)} at ${where}, ${s.name}`,
          title: `${when} ${where}`, onclick: () => open(b) },
        el('span', { class: 'blk-time', text: when }), el('span', { class: 'blk-where', text: where }));
        n.style.cssText = style;
        track.append(n);
      }
      wrap.append(el('div', { class: 'sched-row' }, el('div', { class: 'sched-name', text: s.name }), track));
    }
    return wrap;
  }

  function weekView(from, bookings, busyList, open) {
    const days = [...Array(7)].map((_, i) => addDays(from, i));
    const grid = el('div', { class: 'week', role: 'table', 'aria-label': 'Week schedule' });
    grid.append(el('div', { class: 'wk-head wk-name', role: 'columnheader', text: 'Staff' }),
      ...days.map((d) => el('div', { class: 'wk-head', role: 'columnheader', text: formatDate(d + 'T12:00:00Z', 'UTC').replace(/, \d{4}$/, '') })));
    for (const s of staff) {
      grid.append(el('div', { class: 'wk-head wk-name', role: 'rowheader', text: s.name }));
      for (const d of days) {
        const cell = el('div', { role: 'cell', 'data-staff': String(s.id), 'data-date': d });
        const items = [
          ...busyList.filter((x) => String(x.staff) === String(s.id) && onDay(x, d, tz))
            .map((x) => ({ t: x.all_day ? '' : x.start, n: el('span', { class: 'chip busy' + (x.all_day ? ' all-day' : ''),
              text: x.all_day ? `All day: ${x.summary || 'busy'}` : `${formatTime(x.start, tz)}–${formatTime(x.end, tz)} ${x.summary || 'busy'}` }) })),
          ...bookings.filter((b) => staffIds(b).includes(String(s.id)) && dateInZone(b.start, tz) === d)
            .map((b) => ({ t: b.start, n: el('button', { type: 'button', class: 'chip booking', 'data-booking': String(b.id), onclick: () => open(b),
              text: `${formatTime(b.start, tz)} ${(b.property && b.property.address) || ''}` }) })),
        ].sort((a, b) => (a.t ? new Date(a.t) : 0) - (b.t ? new Date(b.t) : 0));
        cell.append(...items.map((x) => x.n));
        grid.append(cell);
      }
    }
    return grid;
  }

  const explain = await explainForm(ctx, tz, staff, state.date);
  root.replaceChildren(
    el('h1', { text: 'Schedule' }),
    el('section', { class: 'card' },
      el('div', { class: 'inline sched-controls' },
        modeSel,
        el('button', { type: 'button', class: 'small', 'aria-label': 'Previous', onclick: () => step(-1), text: '‹ Previous' }),
        dateIn,
        el('button', { type: 'button', class: 'small', onclick: () => { state.date = today; dateIn.value = state.date; load(); }, text: 'Today' }),
        el('button', { type: 'button', class: 'small', 'aria-label': 'Next', onclick: () => step(1), text: 'Next ›' })),
      heading, listStatus, board),
    explain);
  await load();
}
