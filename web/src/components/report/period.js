// The report periods' calendar (issue 20), on the center's YYYY-MM-DD dates:
// the named presets of PeriodPicker and the first day of the bucket a date
// falls in under a grouping, the same buckets the server's report_bucket
// makes (weeks start on Monday, halves in January and July).
import { addDays } from './util.js'

const pad = (n) => String(n).padStart(2, '0')
const ymd = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`
const lastOfMonth = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate()

// Monday of the week of a date (ISO weeks).
function monday(date) {
  const [y, m, d] = date.split('-').map(Number)
  const dow = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7
  return addDays(date, -dow)
}

// The first day of the bucket holding date under group.
export function bucketOf(date, group) {
  const [y, m] = date.split('-').map(Number)
  switch (group) {
    case 'week': return monday(date)
    case 'month': return ymd(y, m, 1)
    case 'quarter': return ymd(y, m - ((m - 1) % 3), 1)
    case 'half': return ymd(y, m <= 6 ? 1 : 7, 1)
    case 'year': return ymd(y, 1, 1)
    case 'all': return ''
    default: return date
  }
}

// [from, to, group] of a named preset, relative to the center's today.
export function periodOf(name, today) {
  const [y, m] = today.split('-').map(Number)
  const q = m - ((m - 1) % 3)
  const h = m <= 6 ? 1 : 7
  const pm = m === 1 ? [y - 1, 12] : [y, m - 1]
  switch (name) {
    case 'today': return [today, today, 'day']
    case 'yesterday': return [addDays(today, -1), addDays(today, -1), 'day']
    case 'this_week': return [monday(today), today, 'day']
    case 'last_week': return [addDays(monday(today), -7), addDays(monday(today), -1), 'day']
    case 'this_month': return [ymd(y, m, 1), today, 'day']
    case 'last_month': return [ymd(pm[0], pm[1], 1), ymd(pm[0], pm[1], lastOfMonth(pm[0], pm[1])), 'day']
    case 'this_quarter': return [ymd(y, q, 1), today, 'week']
    case 'this_half': return [ymd(y, h, 1), today, 'month']
    case 'last_half': return h === 1 ? [ymd(y - 1, 7, 1), ymd(y - 1, 12, 31), 'month'] : [ymd(y, 1, 1), ymd(y, 6, 30), 'month']
    case 'this_year': return [ymd(y, 1, 1), today, 'month']
    case 'last_year': return [ymd(y - 1, 1, 1), ymd(y - 1, 12, 31), 'month']
    default: return [today, today, 'day']
  }
}
