// slots.js — the day-and-time picker shared by the booking and manage pages:
// a month calendar of the business zone's days (days with free times are
// marked) and the offered start times of the chosen day, with notes on that
// day (such as its sunset) from the page.

import { el, status, formatTime, dateInZone, addDays, weekday, zoneAbbrev } from './api.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function monthOf(date) {
  return date.slice(0, 7);
}
function lastOfMonth(month) {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}
function shiftMonth(month, n) {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
}

// Creates a picker inside ROOT. OPTIONS:
//   tz, today ("YYYY-MM-DD" in the business zone), horizonDays,
//   load(from, to) → Promise of the availability answer,
//   onSelect(slot | null), onLoaded(answer),
//   dayNotes(day, answer) → [sentence] shown beside the day's times (optional;
//   e.g. the day's sunset for a twilight shoot).
export function createSlotPicker(root, options) {
  const state = {
    month: monthOf(options.today),
    day: null,
    slot: null,
    byDay: new Map(),
    answer: null,
    seq: 0,
  };
  const lastDay = addDays(options.today, options.horizonDays || 60);

  const title = el('h3', { class: 'cal-title', id: 'cal-title', 'aria-live': 'polite' });
  const prev = el('button', { type: 'button', class: 'ghost', 'aria-label': 'Previous month', text: '‹' });
  const next = el('button', { type: 'button', class: 'ghost', 'aria-label': 'Next month', text: '›' });
  const grid = el('div', { class: 'cal-grid', role: 'grid', 'aria-labelledby': 'cal-title' });
  const note = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const tzLabel = el('p', { class: 'tz-label' });
  const times = el('div', { class: 'times', role: 'radiogroup', 'aria-label': 'Start times' });
  const timesHead = el('h3', { class: 'times-title' });
  const notes = el('ul', { class: 'day-notes', id: 'day-notes', 'aria-live': 'polite' });

  root.replaceChildren(
    el('div', { class: 'picker' },
      el('div', { class: 'calendar' },
        el('div', { class: 'cal-head' }, prev, title, next),
        grid),
      el('div', { class: 'day-times' }, timesHead, tzLabel, notes, times)),
    note);

  prev.addEventListener('click', () => go(shiftMonth(state.month, -1)));
  next.addEventListener('click', () => go(shiftMonth(state.month, 1)));
  grid.addEventListener('keydown', onGridKey);

  function go(month) {
    state.month = month;
    state.day = null;
    select(null);
    refresh();
  }

  function range() {
    const first = state.month + '-01';
    const from = first < options.today ? options.today : first;
    const last = lastOfMonth(state.month);
    const to = last > lastDay ? lastDay : last;
    return { from, to };
  }

  // Reloads the visible month; keeps the chosen day, drops a chosen time
  // that is no longer offered. Resolves to the availability answer.
  async function refresh() {
    const seq = ++state.seq;
    const { from, to } = range();
    prev.disabled = state.month <= monthOf(options.today);
    next.disabled = shiftMonth(state.month, 1) > monthOf(lastDay);
    title.textContent = `${MONTHS[Number(state.month.slice(5)) - 1]} ${state.month.slice(0, 4)}`;
    state.byDay = new Map();
    renderGrid(true);
    renderTimes();
    if (from > to) {
      status(note, 'Bookings are not open for this month.', 'info');
      return null;
    }
    status(note, 'Looking for free times…', 'busy');
    let answer;
    try {
      answer = await options.load(from, to);
    } catch (e) {
      if (seq !== state.seq) return null;
      status(note, e.message, 'error');
      renderGrid(false);
      throw e;
    }
    if (seq !== state.seq) return null;
    state.answer = answer;
    for (const s of answer.slots || []) {
      const d = s.start.slice(0, 10);
      if (!state.byDay.has(d)) state.byDay.set(d, []);
      state.byDay.get(d).push(s);
    }
    const zone = answer.timezone || options.tz;
    const at = answer.slots && answer.slots.length ? new Date(answer.slots[0].start) : new Date(from + 'T12:00:00Z');
    tzLabel.textContent = `Times are in the business's time zone: ${zone} (${zoneAbbrev(zone, at)}).`;
    if (!state.byDay.size) {
      const why = answer.message || 'No free times this month. Try the next month.';
      status(note, why, 'warn');
    } else {
      status(note, '', 'info');
      if (!state.day || !state.byDay.has(state.day)) state.day = [...state.byDay.keys()][0];
    }
    if (state.slot && !(state.byDay.get(state.slot.start.slice(0, 10)) || []).some((s) => s.start === state.slot.start)) {
      select(null);
    }
    renderGrid(false);
    renderTimes();
    if (options.onLoaded) options.onLoaded(answer);
    return answer;
  }

  function renderGrid(loading) {
    grid.replaceChildren();
    grid.setAttribute('aria-busy', loading ? 'true' : 'false');
    const head = el('div', { role: 'row', class: 'cal-row cal-weekdays' },
      DAYS.map((d, i) => el('span', { role: 'columnheader', 'aria-label': LONG_DAYS[i], text: d })));
    grid.append(head);
    const first = state.month + '-01';
    const last = lastOfMonth(state.month);
    let row = el('div', { role: 'row', class: 'cal-row' });
    for (let i = 0; i < weekday(first); i++) row.append(el('span', { role: 'gridcell', class: 'cal-pad' }));
    let focusable = null;
    for (let d = first; d <= last; d = addDays(d, 1)) {
      const n = (state.byDay.get(d) || []).length;
      const open = n > 0;
      const label = `${LONG_DAYS[weekday(d)]}, ${MONTHS[Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8))}` +
        (loading ? '' : open ? `, ${n} time${n === 1 ? '' : 's'} free` : ', no free times');
      const b = el('button', {
        type: 'button',
        class: 'cal-day' + (open ? ' open' : '') + (d === state.day ? ' chosen' : '') +
          (d === options.today ? ' today' : ''),
        'data-date': d,
        'aria-label': label,
        'aria-pressed': d === state.day ? 'true' : 'false',
        disabled: !open,
        tabindex: '-1',
        text: String(Number(d.slice(8))),
        onclick: () => {
          state.day = d;
          renderGrid(false);
          renderTimes();
          grid.querySelector(`[data-date="${d}"]`).focus();
        },
      });
      if (open && (!focusable || d === state.day)) focusable = b;
      row.append(el('span', { role: 'gridcell' }, b));
      if (weekday(d) === 6) {
        grid.append(row);
        row = el('div', { role: 'row', class: 'cal-row' });
      }
    }
    if (row.childNodes.length) grid.append(row);
    if (focusable) focusable.tabIndex = 0;
  }

  function onGridKey(ev) {
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    if (!(ev.key in moves)) return;
    const cur = document.activeElement && document.activeElement.dataset.date;
    if (!cur) return;
    ev.preventDefault();
    const open = [...grid.querySelectorAll('.cal-day.open')];
    const step = moves[ev.key];
    let target = null;
    for (let d = addDays(cur, step); monthOf(d) === state.month; d = addDays(d, step > 0 ? 1 : -1)) {
      target = open.find((b) => b.dataset.date === d);
      if (target) break;
      if (Math.abs(step) === 7) break;
    }
    if (target) {
      grid.querySelectorAll('.cal-day').forEach((b) => { b.tabIndex = -1; });
      target.tabIndex = 0;
      target.focus();
    }
  }

  function renderTimes() {
    times.replaceChildren();
    const zone = (state.answer && state.answer.timezone) || options.tz;
    notes.replaceChildren();
    if (!state.day) {
      timesHead.textContent = 'Pick a day';
      return;
    }
    if (options.dayNotes && state.answer) {
      notes.replaceChildren(...options.dayNotes(state.day, state.answer).map((t) => el('li', { text: t })));
    }
    timesHead.textContent = `Free times on ${LONG_DAYS[weekday(state.day)]}, ` +
      `${MONTHS[Number(state.day.slice(5, 7)) - 1]} ${Number(state.day.slice(8))}`;
    for (const s of state.byDay.get(state.day) || []) {
      const chosen = state.slot && state.slot.start === s.start;
      const label = formatTime(s.start, zone);
      times.append(el('button', {
        type: 'button',
        class: 'time' + (chosen ? ' chosen' : ''),
        role: 'radio',
        'aria-checked': chosen ? 'true' : 'false',
        'data-start': s.start,
        title: s.crew_size > 1 ? 'Two photographers' : null,
        onclick: () => { select(s); renderTimes(); },
      }, label, s.crew_size > 1 ? el('span', { class: 'crew', text: ' ×2' }) : null));
    }
  }

  function select(slot) {
    state.slot = slot;
    if (options.onSelect) options.onSelect(slot);
  }

  return {
    refresh,
    get slot() { return state.slot; },
    get answer() { return state.answer; },
    showDayOf(iso) {
      const d = dateInZone(iso, (state.answer && state.answer.timezone) || options.tz);
      if (monthOf(d) !== state.month) {
        state.month = monthOf(d);
        state.day = d;
        return refresh();
      }
      state.day = d;
      renderGrid(false);
      renderTimes();
      return Promise.resolve(state.answer);
    },
  };
}
