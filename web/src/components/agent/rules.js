// What a work order will get before it is saved: where ROUTE-2 sends it
// and which deadlines (WO-2) it starts with. The server decides for real at
// dispatch; these functions read the same tables (GET /api/wo/routes,
// /api/wo/classes) the same way the engine does (wo_route_pick,
// wo_deadlines_at_dispatch), so the agent can tell the customer the right
// times while still on the call.
import { names } from '../../format.js'
import { t } from '../../i18n/index.js'

// The contact's class letter (ROUTE-1) as an order class: A becomes A1 or
// A2 (the complaint type decides, else the agent's choice), B–F stay.
export function orderClassOf(letter, complaint, sub) {
  if (!letter) return ''
  if (letter === 'A') return (complaint && complaint.class) || sub || ''
  return letter
}

// Complaint classes carry a level (WO-3) and may need a visit.
export function isComplaint(letter) {
  return letter === 'A' || letter === 'D'
}

// The rule the engine picks: one naming this case (visit needed or not)
// wins over one that says "either".
export function pickRoute(routes, cls, onsite) {
  let any = null
  for (const r of routes || []) {
    if (r.class !== cls) continue
    if (r.onsite === !!onsite) return r
    if (r.onsite === null && !any) any = r
  }
  return any
}

// The first department of a kind, as the server looks it up (lowest id).
export function departmentOfKind(kind) {
  const ds = Object.values(names.departments).filter((d) => d.kind === kind)
  ds.sort((a, b) => a.id - b.id)
  return ds[0] || null
}

// Where the order will go: { target, departmentId, ownerId }. A catalogue
// type that names a department kind (WO-10: app crash → 技术部) overrides
// the table unless the rule closes the order or sends it up the subject's
// line.
export function previewRoute({ routes, cls, onsite, complaint, subjectId, me }) {
  const r = pickRoute(routes, cls, onsite)
  const target = r ? r.target : 'center'
  if (complaint && complaint.department_kind && target !== 'close' && target !== 'subject_superior') {
    const d = departmentOfKind(complaint.department_kind)
    if (d) return { target: 'department', departmentId: d.id, ownerId: d.head_id }
  }
  if (target === 'department') {
    const d = r.department_id ? names.departments[r.department_id] : departmentOfKind(r.department_kind)
    if (!d) return { target, departmentId: null, ownerId: null }
    return { target, departmentId: d.id, ownerId: r.owner_id || d.head_id }
  }
  if (target === 'subject_superior') {
    const p = subjectId ? names.people[subjectId] : null
    const boss = p && p.superior_id ? names.people[p.superior_id] : null
    return { target, departmentId: boss ? boss.department_id : null, ownerId: p ? p.superior_id : null }
  }
  if (target === 'center') return { target, departmentId: me ? me.department_id : null, ownerId: me ? me.id : null }
  return { target, departmentId: null, ownerId: null }
}

// The clocks started at dispatch, plus the report (when the owner finishes)
// and a promise quoted to the customer (CALL-13/14).
export function previewDeadlines(rule, onsite, promiseMin) {
  if (!rule) return []
  const out = []
  if (rule.callback_min !== null) out.push({ metric: 'callback', min: rule.callback_min })
  if (onsite && rule.onsite_min !== null) out.push({ metric: 'onsite', min: rule.onsite_min })
  if (rule.resolve_min !== null) out.push({ metric: 'resolve', min: rule.resolve_min })
  if (rule.report_same_day) out.push({ metric: 'report', sameDay: true })
  if (promiseMin) out.push({ metric: 'reply', min: promiseMin })
  return out
}

// "10 分钟", "1 小时", "3 天": the way deadlines are said to a customer.
export function fmtSpan(min) {
  if (min === null || min === undefined) return '—'
  if (min >= 2880 && min % 1440 === 0) return t('agent.span_days', { n: min / 1440 })
  if (min >= 60 && min % 60 === 0) return t('agent.span_hours', { n: min / 60 })
  return t('agent.span_min', { n: min })
}

// Copies a phrase for pasting into a chat window; falls back to a hidden
// textarea where the clipboard API is unavailable.
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    /* Fall back below. */
  }
  const ta = document.createElement('textarea')
  ta.value = text
  ta.setAttribute('readonly', '')
  ta.style.position = 'fixed'
  ta.style.left = '-9999px'
  document.body.appendChild(ta)
  ta.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  document.body.removeChild(ta)
  return ok
}
