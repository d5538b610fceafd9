// Times in the center's time zone (never the browser's), durations for
// countdowns, and a person/department name cache shared by every page.
import { reactive } from 'vue'
import { session } from './session.js'
import { i18n } from './i18n/index.js'
import { get, getAll } from './api.js'

const fmts = {}

function fmt(kind) {
  const key = kind + session.tz + i18n.locale
  if (!fmts[key]) {
    const opt = { timeZone: session.tz, hour12: false }
    if (kind !== 'time') Object.assign(opt, { year: 'numeric', month: '2-digit', day: '2-digit' })
    if (kind !== 'date') Object.assign(opt, { hour: '2-digit', minute: '2-digit' })
    fmts[key] = new Intl.DateTimeFormat(i18n.locale === 'en' ? 'en-GB' : 'zh-CN', opt)
  }
  return fmts[key]
}

export function fmtTime(ms) {
  return ms ? fmt('datetime').format(new Date(ms)) : ''
}

export function fmtDate(ms) {
  return ms ? fmt('date').format(new Date(ms)) : ''
}

// The center's calendar date of a moment, as YYYY-MM-DD.
export function centerDate(ms) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: session.tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms))
  return parts
}

// The center's wall-clock time of a moment, as "YYYY-MM-DD HH:mm" (what
// centerWallToMs reads back).
export function centerWall(ms) {
  const p = {}
  const f = new Intl.DateTimeFormat('en-US', { timeZone: session.tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

// How far the center's wall clock is ahead of UTC at a moment, in ms.
function centerOffset(ms) {
  const p = {}
  const f = new Intl.DateTimeFormat('en-US', { timeZone: session.tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value
  return Date.UTC(+p.year, p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000
}

// The moment a wall-clock time ("2026-11-22 09:30") names in the center's
// time zone, whatever the browser's zone; null when it is not one.
export function centerWallToMs(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/.exec(s || '')
  if (!m) return null
  const wall = Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5])
  // Twice, so a zone whose offset changes near that time lands right.
  const first = wall - centerOffset(wall)
  return wall - centerOffset(first)
}

// "2天3小时", "1h 05m", "4分12秒": the two largest units.
export function fmtDuration(ms) {
  const zh = i18n.locale !== 'en'
  let s = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(s / 86400)
  s -= d * 86400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  if (zh) {
    if (d) return `${d}天${h}小时`
    if (h) return `${h}小时${m}分`
    return `${m}分${String(s).padStart(2, '0')}秒`
  }
  if (d) return `${d}d ${h}h`
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`
  return `${m}m ${String(s).padStart(2, '0')}s`
}

export function fmtMinutes(min) {
  if (min === null || min === undefined) return '—'
  return fmtDuration(min * 60000)
}

// Names of people and departments, loaded once per session and on demand.
export const names = reactive({ people: {}, departments: {}, loaded: false })

export async function loadNames(force = false) {
  if (names.loaded && !force) return
  const [deps, people] = await Promise.all([
    getAll('/api/departments').catch(() => []),
    getAll('/api/people').catch(() => []),
  ])
  for (const d of deps) names.departments[d.id] = d
  for (const p of people) names.people[p.id] = p
  names.loaded = true
}

export function personName(id) {
  if (!id) return ''
  const p = names.people[id]
  return p ? `${p.name}（${p.work_no}）` : '#' + id
}

export function deptName(id) {
  if (!id) return ''
  const d = names.departments[id]
  return d ? d.name : '#' + id
}

// People an answer names ({id, name, work_no}), which this role may see
// even where it may not read the directory (orders carry them).
export function notePeople(list) {
  for (const p of list || []) if (!names.people[p.id]) names.people[p.id] = p
}

export async function ensurePerson(id) {
  if (!id || names.people[id]) return
  try {
    names.people[id] = await get('/api/people/' + id)
  } catch {
    /* Not visible to this role: the id is shown instead. */
  }
}

// The complaint catalogue's names (WO-10), to show a type's name, not its code.
export const complaints = reactive({})
let complaintsLoading = null

export function loadComplaints() {
  if (!complaintsLoading)
    complaintsLoading = get('/api/wo/complaints')
      .then((page) => {
        for (const c of page.items) complaints[c.code] = c
      })
      .catch(() => {
        complaintsLoading = null
      })
  return complaintsLoading
}

export function complaintName(code) {
  if (!code) return ''
  return complaints[code] ? complaints[code].name : code
}
