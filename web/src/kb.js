// The knowledge base's shared pieces for the desk panel and the /kb pages
// (issue 16): the codes the API takes, who may do what (the policy of
// auth.c, only to offer what the server would allow), copying a text into
// a reply (which counts a use), and the placeholders of scripts.
//
// HTML: the server renders Markdown with libcmark in its safe mode
// (body_html) and escapes search highlights (title_hl, snippet_hl, only
// <mark> added). Those fields, and only those, are shown with v-html;
// everything else is text.
import { post } from './api.js'
import { hasRole, session } from './session.js'
import { copyText } from './components/agent/rules.js'

export const KINDS = ['article', 'script']
export const SLOTS = ['opening', 'closing', 'complaint', 'outbound', 'callback', 'addressing', 'forbidden', 'other']
export const STATES = ['draft', 'review', 'published', 'retired']
export const CLASSES = ['A1', 'A2', 'B', 'C', 'D', 'E', 'F']
export const CHANNELS = ['phone', 'wechat', 'weibo', 'web_chat', 'email', 'sms', 'visit']
export const ROLES = ['admin', 'manager', 'supervisor', 'agent', 'staff', 'hr', 'office', 'qa']

// kb.edit, kb.review, kb.setup, kb.report (src/auth/auth.c).
export const canEdit = () => hasRole('manager', 'supervisor', 'qa')
export const canReview = () => hasRole('manager', 'supervisor')
export const canSetup = () => hasRole('manager', 'supervisor')
export const canReport = () => hasRole('manager', 'supervisor', 'qa')

// The plain text of server-rendered HTML (for the clipboard). DOMParser's
// document is inert: nothing in it runs or loads.
export function htmlText(html) {
  if (!html) return ''
  const doc = new DOMParser().parseFromString(html, 'text/html')
  for (const el of doc.querySelectorAll('p, li, h1, h2, h3, h4, h5, h6, pre, blockquote, tr')) el.append('\n')
  return doc.body.textContent.replace(/\n{3,}/g, '\n\n').trim()
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])

// The desk's answers (suggest) come with the placeholders filled; an
// article read whole keeps them, so the reader's own are put in here.
// `html` says the text is the server's HTML (values are escaped).
export function fillPlaceholders(text, html = false) {
  if (!text) return ''
  const me = session.me || {}
  const v = { center: session.center || '', agent_no: me.work_no || '', agent_name: me.name || '' }
  return text.replace(/\{(center|agent_no|agent_name)\}/g, (m, k) => (v[k] ? (html ? esc(v[k]) : v[k]) : m))
}

// Copies the text into the clipboard and tells the server it was used
// in a reply (POST /api/kb/articles/{id}/use). Returns whether the copy worked.
export async function copyAndUse(id, text) {
  post(`/api/kb/articles/${id}/use`).catch(() => {})
  return copyText(text)
}

// A category tree ({id, parent_id, name, position}) as el-tree-select /
// el-tree nodes: { value, label, children, raw }.
export function categoryTree(list) {
  const byParent = new Map()
  for (const c of list) {
    const k = c.parent_id || 0
    if (!byParent.has(k)) byParent.set(k, [])
    byParent.get(k).push(c)
  }
  const build = (pid, depth) =>
    depth > 20
      ? []
      : (byParent.get(pid) || [])
          .sort((a, b) => (a.position || 0) - (b.position || 0) || a.id - b.id)
          .map((c) => ({ value: c.id, label: c.name, raw: c, children: build(c.id, depth + 1) }))
  return build(0, 0)
}
