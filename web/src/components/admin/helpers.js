// Small helpers the admin pages share.
import { reactive } from 'vue'
import { i18n } from '../../i18n/index.js'

// What a form shows when kefu refuses a change: each field's message beside
// its field (`error.errors`, used as el-form-item's error), and above the
// form what names no field, or a field this form does not show.

export function useFormError(fields) {
  const s = reactive({ byField: {}, message: '' })
  return {
    clear() {
      s.byField = {}
      s.message = ''
    },
    set(e) {
      const all = (e && e.byField) || (e && e.field ? { [e.field]: e.message } : {})
      const mine = {}
      const rest = []
      for (const [f, m] of Object.entries(all)) {
        if (fields.includes(f)) mine[f] = m
        else rest.push(m)
      }
      s.byField = mine
      s.message = Object.keys(all).length ? rest.join('；') : (e && e.message) || String(e)
    },
    // The message for one field, or '' (el-form-item shows nothing then).
    at(field) {
      return s.byField[field] || ''
    },
    // The message that belongs to no field of the form.
    get general() {
      return s.message
    },
  }
}

// The departments' kinds (docs/api.md "Departments"), in the order the
// center thinks of them; labels are admin.kind.<code>.
export const DEPARTMENT_KINDS = ['center', 'city_service', 'group_market', 'market_ops', 'media', 'tech', 'hr', 'office', 'other']

// Same set in any order: roles and skills are sets on the server.
export function sameSet(a, b) {
  const x = [...(a || [])].sort()
  const y = [...(b || [])].sort()
  return x.length === y.length && x.every((v, i) => v === y[i])
}

// A deadline in minutes as people say it: "1天", "1小时30分钟", "15分钟"
// ("1d", "1h 30m", "15m" in English). Minutes are what the rules store;
// this is only the reading aid beside the number.
export function humanMinutes(min) {
  const en = i18n.locale === 'en'
  const d = Math.floor(min / 1440)
  const h = Math.floor((min % 1440) / 60)
  const m = min % 60
  const parts = []
  if (d) parts.push(en ? `${d}d` : `${d}天`)
  if (h) parts.push(en ? `${h}h` : `${h}小时`)
  if (m || !parts.length) parts.push(en ? `${m}m` : `${m}分钟`)
  return parts.join(en ? ' ' : '')
}
