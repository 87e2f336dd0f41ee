/** Dates as people read them in reports: periods as the user typed them, weeks as Mondays (UTC). */

const DAY = 86_400_000;
const isMidnight = (date: Date) => date.getTime() % DAY === 0;
const dateText = (date: Date) => date.toISOString().slice(0, 10);
const dateTimeText = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * A half-open period `[from, to)` as the dates the user gave: `--from 2026-11-01 --to 2026-11-30`
 * is stored as `2026-11-01T00:00Z` to `2026-12-01T00:00Z` and reads `2026-11-01 to 2026-11-30`
 * (inclusive days). A bound that is not at midnight UTC is printed with its time.
 */
export function periodLabel(from: Date | string, to: Date | string): string {
  const start = new Date(from);
  const end = new Date(to);
  const first = isMidnight(start) ? dateText(start) : dateTimeText(start);
  const last = isMidnight(end) ? dateText(new Date(end.getTime() - DAY)) : dateTimeText(end);
  return `${first} to ${last}`;
}

/** An instant as a person reads it: `2026-11-29 19:30 UTC`; what is not a date is shown as given. */
export function instantLabel(time: Date | string): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : dateTimeText(date);
}

/** The Monday (UTC) of an instant's week, `YYYY-MM-DD`. */
export function weekOf(time: string | Date): string {
  // By arithmetic on the day number (1970-01-01, day 0, was a Thursday): an audit asks this of every call.
  const day = Math.floor((typeof time === 'string' ? Date.parse(time) : time.getTime()) / DAY);
  return new Date((day - ((((day + 3) % 7) + 7) % 7)) * DAY).toISOString().slice(0, 10);
}

/** Every week (its Monday) that a half-open period `[from, to)` touches, empty ones included. */
export function weeksOfPeriod(from: Date | string, to: Date | string): string[] {
  const start = new Date(from).getTime();
  const end = new Date(to).getTime();
  if (!(end > start)) return [];
  const weeks: string[] = [];
  const last = weekOf(new Date(end - 1));
  for (let monday = new Date(`${weekOf(new Date(start))}T00:00:00Z`); ; monday = new Date(monday.getTime() + 7 * DAY)) {
    const week = dateText(monday);
    weeks.push(week);
    if (week >= last) break;
  }
  return weeks;
}
