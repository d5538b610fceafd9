// The inbox's event stream (/api/conversations/stream, issue 18), shared by
// the inbox and the agent desk: every change a conversation the caller may
// see gets (a message in or out, a note, a system line) calls changed(ev)
// once per burst (200 ms), with the event's data when it came with one;
// while the stream is not open the page is read again every 15 s. Call it
// from a component's setup: it opens on mount and closes on unmount.
import { onMounted, onUnmounted, ref } from 'vue'
import { get, post } from '../../api.js'
import { session } from '../../session.js'

export function useConvStream(changed) {
  const live = ref(false)
  let es = null
  let poll = null
  let pending = null
  let seen = []

  function fire(e) {
    if (e && e.data) {
      try {
        seen.push(JSON.parse(e.data))
      } catch {
        /* a keep-alive or a line without JSON */
      }
    }
    if (pending) return
    pending = setTimeout(() => {
      pending = null
      const evs = seen
      seen = []
      changed(evs)
    }, 200)
  }

  onMounted(() => {
    es = new EventSource('/api/conversations/stream')
    es.onopen = () => (live.value = true)
    es.onerror = () => (live.value = false)
    es.onmessage = fire
    for (const k of ['conv', 'conversation', 'chan', 'chan.conv', 'message']) es.addEventListener(k, fire)
    poll = setInterval(() => {
      if (!live.value) fire()
    }, 15000)
  })
  onUnmounted(() => {
    if (es) es.close()
    clearInterval(poll)
    clearTimeout(pending)
  })
  return { live }
}

// One conversation with its messages; what it holds unread is marked read when
// it is the caller's own (it is on screen now).
export async function loadConv(id) {
  const c = await get('/api/conversations/' + id)
  if (c.unread && c.agent_id && session.me && c.agent_id === session.me.id) post('/api/conversations/' + id + '/read').catch(() => {})
  return c
}

// The conversation a page shows (a ref), read again after a change; a failure
// leaves it as it is for the next change to try again.
export async function refreshConv(cur) {
  if (!cur.value) return
  try {
    const c = await loadConv(cur.value.id)
    if (cur.value && cur.value.id === c.id) cur.value = c
  } catch {
    /* the next change tries again */
  }
}
