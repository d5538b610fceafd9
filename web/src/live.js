// The wallboard's live figures of the queues: one EventSource on
// /api/acd/live/stream (event "acd.live", every 2 s and soon after a
// change) while a page watches, and GET /api/acd/live every 5 s whenever
// that stream is not open (a proxy that buffers streams, a blip, a refusal)
// so the figures never freeze unnoticed. Pages call watchLive() on mount
// and the function it returns on unmount.
import { reactive } from 'vue'
import { get } from './api.js'

export const live = reactive({ data: null, streaming: false, error: '', received: 0 })

const POLL_MS = 5000
const REOPEN_MS = 10000
let watchers = 0
let source = null
let poll = null
let reopen = null

function take(d) {
  live.data = d
  live.error = ''
  live.received++
}

async function pollOnce() {
  if (live.streaming) return
  try {
    take(await get('/api/acd/live'))
  } catch (e) {
    live.error = e.message
  }
}

function open() {
  source = new EventSource('/api/acd/live/stream')
  source.onopen = () => (live.streaming = true)
  source.addEventListener('acd.live', (ev) => {
    try {
      take(JSON.parse(ev.data))
      live.streaming = true
    } catch {
      /* A torn event: the next one comes in 2 s. */
    }
  })
  source.onerror = () => {
    live.streaming = false
    // The browser retries a dropped stream by itself; a refused one (401,
    // 403) stays closed: the poll carries on and the stream is tried again.
    if (source && source.readyState === EventSource.CLOSED) {
      source.close()
      source = null
      reopen = setTimeout(() => watchers > 0 && !source && open(), REOPEN_MS)
    }
  }
}

export function watchLive() {
  if (watchers++ === 0) {
    open()
    pollOnce()
    poll = setInterval(pollOnce, POLL_MS)
  }
  let done = false
  return () => {
    if (done) return
    done = true
    if (--watchers > 0) return
    clearInterval(poll)
    clearTimeout(reopen)
    if (source) source.close()
    source = null
    live.streaming = false
  }
}

// A fraction (0.3333) as a percentage for people ("33.3%"), or "—".
export function pct(x) {
  return x === null || x === undefined ? '—' : (x * 100).toFixed(1) + '%'
}
