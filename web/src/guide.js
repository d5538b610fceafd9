// Live guidance during the call (CALL-2, CALL-4, CALL-6, CALL-7): what the
// server's guide state (GET /api/me/call's call.guide, the wallboard's live
// figures' guide) says, as the desk's banner and the wallboard show it.
// Times count on from the state's `now` by the page's clock, at most one
// poll's worth, so a stale answer never runs far ahead.
import { post } from './api.js'
import { t } from './i18n/index.js'
import { fmtDuration } from './format.js'

const MAX_AHEAD_MS = 2500

// ms since the state was computed, by the page's clock (0..MAX_AHEAD_MS).
export function ahead(g, now) {
  return Math.min(MAX_AHEAD_MS, Math.max(0, now - g.now))
}

// The Element Plus type of a level: the banner's alerts, the wallboard's tag.
export function levelType(level) {
  return { over: 'error', warn: 'warning', remind: 'info' }[level] || 'success'
}

// The wallboard's one line: the most pressing thing, or '' when nothing to watch.
export function guideSummary(g, now) {
  if (!g) return ''
  const d = ahead(g, now)
  if (g.hold_over) return t('guide.wb.hold_over', { t: fmtDuration(g.hold_total_ms + (g.on_hold ? d : 0)) })
  if (g.f_over) return t('guide.wb.f_over')
  if (g.on_hold) return t('guide.wb.hold', { t: fmtDuration(g.hold_ms + d) })
  if (g.f_near || g.class_f) return t('guide.wb.f', { t: fmtDuration(Math.max(0, g.f_limit_at - g.now - d)) })
  if (g.silent_step) return t('guide.wb.silent')
  if (g.late && !g.apologized) return t('guide.wb.late', { n: g.rings })
  return ''
}

// The rule each of the agent's steps answers (POST /api/me/call/guide).
const STEP_RULE = {
  apologized: 'CALL-2',
  spoke: 'CALL-4',
  callback_accepted: 'CALL-4',
  callback_declined: 'CALL-4',
  start: 'CALL-6',
  greeted_again: 'CALL-6',
  goodbye_said: 'CALL-6',
  caller_spoke: 'CALL-6',
}

// The agent's step on their call; resolves to the new guide state.
export async function guideStep(step) {
  const r = await post('/api/me/call/guide', { rule: STEP_RULE[step], step })
  return r.guide
}
