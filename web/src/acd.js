// Agent status in the workbench: who holds a seat (ORG-2, the same rule as
// the server's acd_is_seat), the statuses people may choose, their
// colours, and a busy reason in words (a code of the short list, or the
// agent's own text).
import { t } from './i18n/index.js'

export const CHOICES = ['ready', 'busy', 'break', 'logged_out']
export const STATUSES = ['ready', 'busy', 'break', 'ringing', 'talking', 'wrap_up', 'logged_out']
export const REASONS = ['training', 'meeting', 'paperwork']

const COLORS = {
  ready: '#67c23a',
  busy: '#e6a23c',
  break: '#909399',
  ringing: '#409eff',
  talking: '#1f6feb',
  wrap_up: '#8e6ac8',
  logged_out: '#c0c4cc',
}

export function statusColor(s) {
  return COLORS[s] || COLORS.logged_out
}

// Agents, and managers or supervisors who hold a seat type.
export function holdsSeat(me) {
  if (!me) return false
  const roles = me.roles || []
  if (roles.includes('agent')) return true
  return (roles.includes('manager') || roles.includes('supervisor')) && (me.skills || []).length > 0
}

export function reasonText(reason) {
  if (!reason) return ''
  const key = 'acd.reason.' + reason
  const s = t(key)
  return s === key ? reason : s
}

// The system holds the agent during a call: people cannot move them (409).
export function heldByCall(s) {
  return s === 'ringing' || s === 'talking'
}

// CALL-15 at the moment `now`: busy for busy_max_min minutes or longer.
export function busyOver(a, now, busyMaxMin) {
  // CALL-15: busy and break are one spell away from the seat (since is its start).
  return (a.status === 'busy' || a.status === 'break') && !!a.since && now - a.since >= busyMaxMin * 60000
}
