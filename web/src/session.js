// Who is logged in, the CSRF token for writes, the center's time zone and
// the offset between this browser's clock and the server's (deadlines are
// counted down against the server's time, which tests may move forward).
import { reactive } from 'vue'

export const session = reactive({
  me: null,
  csrf: '',
  expired: false,
  tz: 'Asia/Shanghai',
  center: '',
  offset: 0,
  loaded: false,
  expire() {
    if (this.me) this.expired = true
  },
})

export function hasRole(...roles) {
  const mine = (session.me && session.me.roles) || []
  return roles.some((r) => mine.includes(r))
}

// The page a person lands on after login: the first of their roles' homes.
export function homeOf(me) {
  const roles = (me && me.roles) || []
  if (roles.includes('agent')) return '/agent'
  if (roles.includes('supervisor')) return '/orders'
  if (roles.includes('manager') || roles.includes('office')) return '/dashboard'
  if (roles.includes('staff')) return '/queue'
  if (roles.includes('admin') || roles.includes('hr')) return '/admin/people'
  if (roles.includes('qa')) return '/qa/checks'
  return '/me'
}

// Pages with work not yet saved register a check here (the agent desk's
// contact form); logging out asks first while any of them says so.
const unsavedChecks = new Set()

export function watchUnsaved(check) {
  unsavedChecks.add(check)
  return () => unsavedChecks.delete(check)
}

export function hasUnsaved() {
  for (const check of unsavedChecks) if (check()) return true
  return false
}
