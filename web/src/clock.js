// One ticking "now" for every countdown on the page, in the server's time:
// a single interval instead of one per row keeps a 500-row queue cheap.
import { reactive } from 'vue'
import { session } from './session.js'

export const clock = reactive({ now: Date.now() })

let timer = null
let lastSync = 0

export async function syncClock() {
  try {
    const t0 = Date.now()
    const res = await fetch('/healthz', { headers: { Accept: 'application/json' } })
    const h = await res.json()
    const t1 = Date.now()
    session.offset = h.time - Math.round((t0 + t1) / 2)
    if (h.timezone) session.tz = h.timezone
    if (h.center) session.center = h.center
    lastSync = t1
  } catch {
    /* Offline for a moment: keep the last offset. */
  }
  clock.now = Date.now() + session.offset
}

export function startClock() {
  if (timer) return
  timer = setInterval(() => {
    clock.now = Date.now() + session.offset
    if (Date.now() - lastSync > 60000) syncClock()
  }, 1000)
}
