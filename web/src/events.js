// The live side of the workbench: one EventSource on /api/events per tab,
// the notification inbox for the bell, and a tiny bus so pages can refresh
// when something about their orders happens (a new order appears for its
// owner without a reload). The browser reconnects by itself and sends
// Last-Event-ID, so nothing is missed across a blip.
import { reactive } from 'vue'
import { get, post } from './api.js'
import { session } from './session.js'

export const inbox = reactive({ items: [], unread: 0, live: false, lastId: 0 })

const listeners = new Set()
let source = null

// fn(notification) is called for every live notification; returns an
// unsubscribe function for onUnmounted.
export function onNotification(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export async function loadInbox() {
  const page = await get('/api/notifications', { limit: 20 })
  inbox.items = page.items
  inbox.unread = page.unread_count
  inbox.lastId = page.items.length ? page.items[0].id : 0
}

const KINDS = ['order.new', 'order.changed', 'sla.warning', 'sla.breach', 'order.escalated', 'order.help', 'callback.due', 'agent.busy_long', 'acd.callback', 'call.offer', 'wfm.swap', 'wfm.leave', 'meeting.notice', 'meeting.cancelled', 'meeting.action', 'worklog.comment']

function deliver(ev) {
  let n
  try {
    n = JSON.parse(ev.data)
  } catch {
    return
  }
  if (inbox.items.some((x) => x.id === n.id)) return
  inbox.items.unshift(n)
  if (inbox.items.length > 50) inbox.items.pop()
  if (!n.read_at) inbox.unread++
  inbox.lastId = Math.max(inbox.lastId, n.id)
  for (const fn of listeners) fn(n)
}

export function startEvents() {
  stopEvents()
  source = new EventSource('/api/events' + (inbox.lastId ? '?after=' + inbox.lastId : ''))
  source.onopen = () => (inbox.live = true)
  source.onerror = () => {
    inbox.live = false
    // The browser retries a dropped stream by itself; a refused one (401
    // after the session ended) stays closed. Asking /api/me then marks the
    // session expired, and the shell restarts the stream after re-login.
    if (source && source.readyState === EventSource.CLOSED) {
      stopEvents()
      if (session.me)
        get('/api/me')
          .then(() => setTimeout(() => session.me && !source && startEvents(), 5000))
          .catch(() => {})
    }
  }
  for (const k of KINDS) source.addEventListener(k, deliver)
  source.onmessage = deliver
}

export function stopEvents() {
  if (source) source.close()
  source = null
  inbox.live = false
}

export async function markRead(n) {
  if (n.read_at) return
  const r = await post(`/api/notifications/${n.id}/read`)
  n.read_at = r.read_at || Date.now()
  inbox.unread = r.unread_count
}

export async function markAllRead() {
  const r = await post('/api/notifications/read-all', { up_to: inbox.lastId || undefined })
  for (const n of inbox.items) if (!n.read_at) n.read_at = Date.now()
  inbox.unread = r.unread_count
}
