// Small helpers of the report pages: calendar arithmetic on the center's
// YYYY-MM-DD dates, the center's midnight as a moment, percentages, and
// HTML escaping for the one place where ECharts renders HTML (tooltips).
import { session } from '../../session.js'

// A YYYY-MM-DD date moved by n days. The arithmetic runs in UTC, where
// every day has 24 hours, so daylight-saving changes cannot skip a date.
export function addDays(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

// Whole days from a to b (b - a); 0 for the same date.
export function daysBetween(a, b) {
  const ms = (s) => {
    const [y, m, d] = s.split('-').map(Number)
    return Date.UTC(y, m - 1, d)
  }
  return Math.round((ms(b) - ms(a)) / 86400000)
}

// How far the zone's wall clock is ahead of UTC at a moment, in ms.
function zoneOffset(ms, tz) {
  const parts = {}
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  })
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second)
  return wall - Math.floor(ms / 1000) * 1000
}

// The moment the center's day ymd begins (its midnight in the center's time
// zone, never the browser's), as UTC milliseconds. The second pass corrects
// the guess when the offset differs on either side of a change.
export function centerDayStart(ymd) {
  const [y, m, d] = ymd.split('-').map(Number)
  const guess = Date.UTC(y, m - 1, d)
  const first = guess - zoneOffset(guess, session.tz)
  return guess - zoneOffset(first, session.tz)
}

// "12.5%" of a ratio in [0, 1]; a dash when there is nothing to divide.
export function pct(num, den) {
  if (!den) return null
  return Math.round((num / den) * 1000) / 10
}

// Escapes text for the HTML tooltip of ECharts: department names and other
// text people typed must show as text, never run as markup.
export function esc(s) {
  return String(s === null || s === undefined ? '' : s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}
