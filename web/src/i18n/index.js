// A small translation table instead of a library: pages add their own
// messages (zh-CN first, English beside it) with addMessages(), and t()
// reads the current locale reactively, so switching language re-renders
// every page at once. Messages are plain text with {name} placeholders;
// nothing here is ever treated as HTML.
import { reactive } from 'vue'

const dicts = { 'zh-CN': {}, en: {} }
const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('kefu.locale') : null

export const i18n = reactive({ locale: saved === 'en' ? 'en' : 'zh-CN' })

export function addMessages(zh, en) {
  Object.assign(dicts['zh-CN'], zh)
  Object.assign(dicts.en, en)
}

export function t(key, params) {
  let s = dicts[i18n.locale][key]
  if (s === undefined) s = dicts['zh-CN'][key]
  if (s === undefined) return key
  if (params) s = s.replace(/\{(\w+)\}/g, (_, k) => (params[k] === undefined ? '' : String(params[k])))
  return s
}

// A label for a code, e.g. tl('state', 'accepted'); falls back to the code.
export function tl(group, code) {
  if (code === null || code === undefined || code === '') return ''
  const key = group + '.' + code
  const s = t(key)
  return s === key ? String(code) : s
}

export function setLocale(l) {
  i18n.locale = l === 'en' ? 'en' : 'zh-CN'
  localStorage.setItem('kefu.locale', i18n.locale)
  document.documentElement.lang = i18n.locale
}
