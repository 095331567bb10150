// slots.js — the day-and-time picker shared by the booking and manage pages:
// a month calendar of the business zone's days and the offered start times
// of the chosen day, with notes on that day (such as its sunset) from the
// page. Both follow the ARIA grid pattern (one Tab stop; arrow keys,
// Home/End and Page Up/Down move; Enter or Space chooses). Days with free
// times, fully booked days and days beyond the booking horizon look
// different and say why; "Next free day" finds the first free day in one
// query; times are in the business zone, labelled, optionally also in the
// agent's own zone; the booking being moved (manage page) is marked.

import {
  el, status, formatTime, formatDate, dateInZone, addDays, weekday, zoneAbbrev,
} from './api.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
// Availability reasons (answer.reason.code) that no other date changes.
const NO_OTHER_DATE = new Set(['outside_area', 'no_place', 'window_conflict', 'window_too_short']);
const TIME_COLS = 3; // start times per grid row

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
function dayName(d) {
  return `${LONG_DAYS[weekday(d)]}, ${MONTHS[Number(d.slice(5, 7)) - 1]} ${Number(d.slice(8))}`;
}

// Creates a picker inside ROOT. OPTIONS:
//   tz, today ("YYYY-MM-DD" in the business zone), horizonDays,
//   load(from, to) → Promise of the availability answer,
//   loadNext(from) → Promise of the answer with next_free (GET /availability&next=1),
//   onSelect(slot | null), onLoaded(answer),
//   current: the start (RFC 3339) of the booking being moved, marked and not offered as a change,
//   explain(error) → the sentence shown for a failed load (default: its message),
//   agentTz: the agent's own zone (a switch shows times in it too when it differs),
//   dayNotes(day, answer) → [sentence] shown beside the day's times (optional;
//   e.g. the day's sunset for a twilight shoot).
export function createSlotPicker(root, options) {
  const state = {
    month: monthOf(options.today),
    day: null,
    focusDay: null,
    slot: null,
    byDay: new Map(),
    answer: null,
    seq: 0,
    loaded: false,
    showOwn: false,
  };
  const horizon = options.horizonDays || 60;
  const lastDay = addDays(options.today, horizon);
  const currentMs = options.current ? new Date(options.current).getTime() : null;
  const agentTz = options.agentTz && options.agentTz !== options.tz ? options.agentTz : null;

  const title = el('h3', { class: 'cal-title', id: 'cal-title', 'aria-live': 'polite' });
  const prev = el('button', { type: 'button', class: 'ghost', 'aria-label': 'Previous month', text: '‹' });
  const next = el('button', { type: 'button', class: 'ghost', 'aria-label': 'Next month', text: '›' });
  const grid = el('div', { class: 'cal-grid', role: 'grid', 'aria-labelledby': 'cal-title' });
  const legend = el('ul', { class: 'cal-legend', 'aria-label': 'What the days mean' },
    el('li', {}, el('span', { class: 'swatch open', 'aria-hidden': 'true' }), 'Free times'),
    el('li', {}, el('span', { class: 'swatch full', 'aria-hidden': 'true' }), 'Fully booked'),
    el('li', {}, el('span', { class: 'swatch beyond', 'aria-hidden': 'true' }),
      `Not open yet: bookings open ${horizon} days ahead (until ${formatDate(lastDay + 'T12:00:00Z', 'UTC')})`));
  const note = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });
  const nextFree = el('button', { type: 'button', class: 'secondary', id: 'next-free', hidden: true, text: 'Next free day' });
  const tzLabel = el('p', { class: 'tz-label', id: 'tz-label' });
  const ownBox = el('input', { type: 'checkbox', id: 'own-zone' });
  const ownSwitch = agentTz
    ? el('label', { class: 'switch', for: 'own-zone' }, ownBox, ` Also show the times in my time zone (${agentTz})`)
    : null;
  const timesHead = el('h3', { class: 'times-title', id: 'times-title' });
  const notes = el('ul', { class: 'day-notes', id: 'day-notes', 'aria-live': 'polite' });
  const times = el('div', { class: 'times', role: 'grid', 'aria-labelledby': 'times-title' });

  root.replaceChildren(
    el('div', { class: 'picker' },
      el('div', { class: 'calendar' },
        el('div', { class: 'cal-head' }, prev, title, next),
        grid,
        legend),
      el('div', { class: 'day-times' }, timesHead, tzLabel, ownSwitch, notes, times)),
    note,
    nextFree);

  prev.addEventListener('click', () => go(shiftMonth(state.month, -1)));
  next.addEventListener('click', () => go(shiftMonth(state.month, 1)));
  grid.addEventListener('keydown', onGridKey);
  times.addEventListener('keydown', onTimesKey);
  nextFree.addEventListener('click', findNextFree);
  ownBox.addEventListener('change', () => {
    state.showOwn = ownBox.checked;
    renderTimes(false);
  });

  function go(month, day = null) {
    state.month = month;
    state.day = day;
    state.focusDay = day;
    select(null);
    return refresh();
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
    state.loaded = false;
    nextFree.hidden = true;
    renderGrid();
    renderTimes(false);
    if (from > to) {
      status(note, `Bookings open ${horizon} days ahead: this month is not open yet.`, 'info');
      state.loaded = true;
      renderGrid();
      return null;
    }
    status(note, 'Looking for free times…', 'busy');
    let answer;
    try {
      answer = await options.load(from, to);
    } catch (e) {
      if (seq !== state.seq) return null;
      status(note, options.explain ? options.explain(e) : e.message, 'error');
      throw e;
    }
    if (seq !== state.seq) return null;
    state.answer = answer;
    state.loaded = true;
    for (const s of answer.slots || []) {
      const d = s.start.slice(0, 10);
      if (!state.byDay.has(d)) state.byDay.set(d, []);
      state.byDay.get(d).push(s);
    }
    const zone = answer.timezone || options.tz;
    const at = answer.slots && answer.slots.length ? new Date(answer.slots[0].start) : new Date(from + 'T12:00:00Z');
    tzLabel.textContent = `Times are in the business's time zone: ${zone} (${zoneAbbrev(zone, at)}).`;
    if (!state.byDay.size) {
      const why = answer.message || 'No free times this month.';
      status(note, why, 'warn');
      // Other dates cannot help outside the area or when the items' shoot
      // windows can never hold (no place for a sunset, windows that never meet).
      const code = answer.reason && answer.reason.code;
      nextFree.hidden = !!answer.outside_area || NO_OTHER_DATE.has(code);
    } else {
      status(note, '', 'info');
      if (!state.day || !state.byDay.has(state.day)) state.day = [...state.byDay.keys()][0];
    }
    if (state.slot && !(state.byDay.get(state.slot.start.slice(0, 10)) || []).some((s) => s.start === state.slot.start)) {
      select(null);
    }
    renderGrid();
    renderTimes(false);
    if (options.onLoaded) options.onLoaded(answer);
    return answer;
  }

  // The first day with free time from the visible month on, in one query.
  async function findNextFree() {
    const first = state.month + '-01';
    const from = first < options.today ? options.today : first;
    status(note, 'Looking for the next free day…', 'busy');
    let answer;
    try {
      answer = await options.loadNext(from);
    } catch (e) {
      status(note, options.explain ? options.explain(e) : e.message, 'error');
      return;
    }
    if (!answer.next_free) {
      status(note, `No free time before ${formatDate(lastDay + 'T12:00:00Z', 'UTC')}, the last day bookings are open. ` +
        'Please contact us for a later date.', 'warn');
      return;
    }
    await go(monthOf(answer.next_free), answer.next_free);
    const b = grid.querySelector(`[data-date="${answer.next_free}"]`);
    if (b) b.focus();
  }

  function dayState(d) {
    if (d < options.today) return 'past';
    if (d > lastDay) return 'beyond';
    if (!state.loaded) return 'loading';
    return state.byDay.has(d) ? 'open' : 'full';
  }

  function dayLabel(d, kind) {
    const n = (state.byDay.get(d) || []).length;
    const why = {
      past: ', in the past',
      beyond: `, not open yet: bookings open ${horizon} days ahead`,
      loading: '',
      open: `, ${n} time${n === 1 ? '' : 's'} free`,
      full: ', fully booked',
    }[kind];
    return dayName(d) + why;
  }

  function renderGrid() {
    grid.replaceChildren();
    grid.setAttribute('aria-busy', state.loaded ? 'false' : 'true');
    const head = el('div', { role: 'row', class: 'cal-row cal-weekdays' },
      DAYS.map((d, i) => el('span', { role: 'columnheader', 'aria-label': LONG_DAYS[i], text: d })));
    grid.append(head);
    const first = state.month + '-01';
    const last = lastOfMonth(state.month);
    let row = el('div', { role: 'row', class: 'cal-row' });
    for (let i = 0; i < weekday(first); i++) row.append(el('span', { role: 'gridcell', class: 'cal-pad' }));
    let stop = null;
    let firstOpen = null;
    for (let d = first; d <= last; d = addDays(d, 1)) {
      const kind = dayState(d);
      const b = el('button', {
        type: 'button',
        class: `cal-day ${kind}` + (d === state.day ? ' chosen' : '') + (d === options.today ? ' today' : ''),
        'data-date': d,
        'aria-label': dayLabel(d, kind),
        'aria-pressed': d === state.day ? 'true' : 'false',
        'aria-disabled': kind === 'open' ? null : 'true',
        title: kind === 'beyond' ? `Bookings open ${horizon} days ahead` : kind === 'full' ? 'Fully booked' : null,
        tabindex: '-1',
        text: String(Number(d.slice(8))),
        onclick: () => chooseDay(d),
      });
      if (kind === 'open' && !firstOpen) firstOpen = b;
      if (d === (state.focusDay || state.day)) stop = b;
      row.append(el('span', { role: 'gridcell' }, b));
      if (weekday(d) === 6) {
        grid.append(row);
        row = el('div', { role: 'row', class: 'cal-row' });
      }
    }
    if (row.childNodes.length) grid.append(row);
    stop = stop || firstOpen || grid.querySelector('.cal-day');
    if (stop) stop.tabIndex = 0;
  }

  function chooseDay(d) {
    const kind = dayState(d);
    state.focusDay = d;
    if (kind !== 'open') {
      const say = {
        past: `${dayName(d)} is in the past.`,
        beyond: `${dayName(d)} is not open yet: bookings open ${horizon} days ahead.`,
        full: `${dayName(d)} is fully booked. Pick a day marked as free.`,
        loading: 'Still looking for free times…',
      }[kind];
      status(note, say, 'info');
      renderGrid();
      focusDay(d);
      return;
    }
    state.day = d;
    renderGrid();
    renderTimes(false);
    focusDay(d);
  }

  function focusDay(d) {
    const b = grid.querySelector(`[data-date="${d}"]`);
    if (b) {
      grid.querySelectorAll('.cal-day').forEach((x) => { x.tabIndex = -1; });
      b.tabIndex = 0;
      b.focus();
    }
  }

  async function onGridKey(ev) {
    const cur = document.activeElement && document.activeElement.dataset.date;
    if (!cur) return;
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    let target = null;
    if (ev.key in moves) target = addDays(cur, moves[ev.key]);
    else if (ev.key === 'Home') target = addDays(cur, -weekday(cur));
    else if (ev.key === 'End') target = addDays(cur, 6 - weekday(cur));
    else if (ev.key === 'PageUp' || ev.key === 'PageDown') {
      const m = shiftMonth(monthOf(cur), ev.key === 'PageUp' ? -1 : 1);
      const day = Math.min(Number(cur.slice(8)), Number(lastOfMonth(m).slice(8)));
      target = `${m}-${String(day).padStart(2, '0')}`;
    } else return;
    ev.preventDefault();
    if (monthOf(target) !== state.month) {
      const m = monthOf(target);
      if (m < monthOf(options.today) || m > monthOf(lastDay)) return;
      state.focusDay = target;
      state.month = m;
      state.day = null;
      select(null);
      const p = refresh();
      focusDay(target);
      await p.catch(() => {});
      focusDay(target);
      return;
    }
    state.focusDay = target;
    focusDay(target);
  }

  function timeButton(s, zone) {
    const chosen = state.slot && state.slot.start === s.start;
    const current = currentMs !== null && new Date(s.start).getTime() === currentMs;
    const own = state.showOwn && agentTz
      ? el('span', { class: 'own-time', text: `${formatTime(s.start, agentTz)} your time` }) : null;
    const label = `${formatTime(s.start, zone)} ${zoneAbbrev(zone, new Date(s.start))}` +
      (own ? `, ${formatTime(s.start, agentTz)} in ${agentTz}` : '') +
      (s.crew_size > 1 ? ', two photographers' : '') +
      (current ? ', your current time' : '');
    return el('button', {
      type: 'button',
      class: 'time' + (chosen ? ' chosen' : '') + (current ? ' current' : ''),
      'aria-selected': chosen ? 'true' : 'false',
      'aria-disabled': current ? 'true' : null,
      'aria-label': label,
      'data-start': s.start,
      tabindex: '-1',
      title: s.crew_size > 1 ? 'Two photographers' : current ? 'Your current time' : null,
      onclick: () => {
        if (current) {
          status(note, 'This is your current time. Pick another time to move the shoot.', 'info');
          return;
        }
        select(s);
        renderTimes(true);
      },
    },
    el('span', { class: 'biz-time', text: formatTime(s.start, zone) }),
    s.crew_size > 1 ? el('span', { class: 'crew', text: ' ×2' }) : null,
    current ? el('span', { class: 'current-mark', text: 'current' }) : null,
    own);
  }

  // Renders the chosen day's times; KEEP_FOCUS puts the focus back on the
  // chosen time (after a choice made from the keyboard or a click).
  function renderTimes(keepFocus) {
    const hadFocus = keepFocus || times.contains(document.activeElement);
    const focused = hadFocus && document.activeElement && document.activeElement.dataset.start;
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
    timesHead.textContent = `Free times on ${dayName(state.day)}`;
    const list = state.byDay.get(state.day) || [];
    let row = null;
    list.forEach((s, i) => {
      if (i % TIME_COLS === 0) {
        row = el('div', { role: 'row', class: 'time-row' });
        times.append(row);
      }
      row.append(el('span', { role: 'gridcell' }, timeButton(s, zone)));
    });
    const buttons = [...times.querySelectorAll('.time')];
    const stop = buttons.find((b) => state.slot && b.dataset.start === state.slot.start) ||
      buttons.find((b) => b.dataset.start === focused) || buttons[0];
    if (stop) {
      stop.tabIndex = 0;
      if (hadFocus) stop.focus();
    }
  }

  function onTimesKey(ev) {
    const buttons = [...times.querySelectorAll('.time')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -TIME_COLS, ArrowDown: TIME_COLS };
    let j;
    if (ev.key in moves) j = i + moves[ev.key];
    else if (ev.key === 'Home') j = ev.ctrlKey ? 0 : i - (i % TIME_COLS);
    else if (ev.key === 'End') j = ev.ctrlKey ? buttons.length - 1 : Math.min(buttons.length - 1, i - (i % TIME_COLS) + TIME_COLS - 1);
    else return;
    ev.preventDefault();
    if (j < 0 || j >= buttons.length) return;
    buttons.forEach((b) => { b.tabIndex = -1; });
    buttons[j].tabIndex = 0;
    buttons[j].focus();
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
      if (monthOf(d) !== state.month || !state.loaded) { // one load, of D's month
        state.month = monthOf(d);
        state.day = d;
        return refresh();
      }
      state.day = d;
      renderGrid();
      renderTimes(false);
      return Promise.resolve(state.answer);
    },
  };
}
