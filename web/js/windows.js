// windows.js — shoot windows on the pages: a window in words ("around sunset",
// "between 9:00 AM and 5:00 PM", on the business's clock) and what an
// availability answer's `windows` say about one day ("Twilight photos:
// around sunset (6:41 PM on that day)").

import { formatClock, formatTime } from './api.js';

// The window W of a service or package in words; '' for none.
export function windowText(w) {
  if (!w) return '';
  if (w.kind === 'local') return `between ${formatClock(w.from)} and ${formatClock(w.to)}`;
  return `around ${w.kind}`;
}

// One sentence per window of ANSWER (GET /availability) for business date
// DAY ("YYYY-MM-DD"), times in zone TZ in the pages' clock format.
export function dayWindowNotes(answer, day, tz) {
  const notes = [];
  for (const w of (answer && answer.windows) || []) {
    const name = w.item ? w.item.name : 'This shoot';
    if (w.kind === 'local') {
      notes.push(`${name}: ${windowText(w)}`);
      continue;
    }
    const d = (w.days || []).find((x) => x.date === day);
    if (!d) notes.push(`${name}: ${windowText(w)}`);
    else if (d.event) notes.push(`${name}: around ${w.kind} (${formatTime(d.event, tz)} on that day)`);
    else notes.push(`${name}: there is no ${w.kind} at this place on that day`);
  }
  return notes;
}
