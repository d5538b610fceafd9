// Small helpers the shift pages share.
import { centerDate } from '../../format.js'

// Minutes of the local day as HH:MM (1440 is 24:00, the end of the day).
export function hhmm(min) {
  const h = Math.floor(min / 60)
  const m = min % 60
  return String(h).padStart(2, '0') + ':' + String(m).padStart(2, '0')
}

// The half hour `i` of a day (0..47) as "08:00–08:30".
export function intervalLabel(i) {
  return hhmm(i * 30) + '–' + hhmm(i * 30 + 30)
}

// The month after the center's current one, as YYYY-MM: the one the
// supervisor plans.
export function nextMonth(now) {
  const [y, m] = centerDate(now).split('-').map(Number)
  return m === 12 ? y + 1 + '-01' : y + '-' + String(m + 1).padStart(2, '0')
}
