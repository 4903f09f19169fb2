// The timeline's words: times in the browser's local time, and durations as
// the server reads them (Go's time.ParseDuration).

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const two = (n: number): string => String(n).padStart(2, '0');

/** clock is t's local time of day, "14:03:05". */
export function clock(t: number): string {
  const d = new Date(t);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** dayName is t's local date, "6 Dec". */
export function dayName(t: number): string {
  const d = new Date(t);
  return `${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

/** when is t's local time, with its date when it is not on now's day: "14:03:05" or "5 Dec 14:03:05". */
export function when(t: number, now: number): string {
  return sameDay(t, now) ? clock(t) : `${dayName(t)} ${clock(t)}`;
}

/** tickLabel names a tick: its date at local midnight, else its hour and minute, "14:30". */
export function tickLabel(t: number, day: boolean): string {
  if (day) return dayName(t);
  const d = new Date(t);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** goDuration is ms as the server's duration parameters take it: "30s", "1.5s". */
export function goDuration(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** lengthName is a clip length for people: "5 s", "1 min", "1 h 5 min". */
export function lengthName(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const parts = [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : '', rest > 0 ? `${rest} s` : ''];
  return parts.filter(Boolean).join(' ');
}

function sameDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}
