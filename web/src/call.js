// The call on the agent's own phone: the screen-pop (CUST-5) and the
// contact the call becomes (CALL-10). When the call engine offers a call to
// the agent's phone, a "call.offer" notification arrives on the event
// stream; GET /api/me/call then says who is calling, through which queue,
// and the customer the number belongs to. While a call is there it is
// asked again every 1.5 s, so the desk sees it answered (connected_at and
// the contact the engine wrote) and ended. An answered call stays after it
// ends, in state "ended", until the agent has saved its contact (or closes
// it): that is the after-call work. On any page but the agent desk, a new
// call also shows a notice with a button to the desk.
import { h, reactive } from 'vue'
import { ElButton, ElNotification } from 'element-plus'
import { get } from './api.js'
import { onNotification } from './events.js'
import { session } from './session.js'
import { holdsSeat } from './acd.js'
import { router } from './router.js'
import { t } from './i18n/index.js'
import { findLive, onAnswered } from './outcall.js'

export const DESK = '/agent'
const POLL_MS = 1500

// state: '' (no call), 'ringing', 'connected', 'ended' (after-call work).
export const phoneCall = reactive({ call: null, customer: null, state: '' })

let timer = null
let unsubscribe = null
let removeHook = null
let notice = null
let seq = 0

function closeNotice() {
  if (notice) notice.close()
  notice = null
}

function clear() {
  phoneCall.call = null
  phoneCall.customer = null
  phoneCall.state = ''
  closeNotice()
}

function goDesk() {
  closeNotice()
  router.push(DESK)
}

// A new call while the agent is elsewhere: a notice that stays until they
// go to the desk or the call is gone. Text only, never HTML.
function announce(c, customer) {
  // A call out (issue 17) is the agent's own: the bar above every page shows it.
  if (c.direction === 'out') return findLive()
  if (router.currentRoute.value.path === DESK) return
  closeNotice()
  const who = customer ? ' · ' + customer.name : ''
  notice = ElNotification({
    title: t('pop.notice_title', { caller: c.caller }),
    type: 'info',
    duration: 0,
    position: 'bottom-right',
    customClass: 'call-notice',
    onClose: () => (notice = null),
    message: h('div', { 'data-test': 'call-notice' }, [
      h('div', { style: { marginBottom: '6px' } }, (c.queue_name || c.queue || '') + who),
      h(ElButton, { type: 'primary', size: 'small', 'data-test': 'call-notice-go', onClick: goDesk }, () => t('pop.go_desk')),
    ]),
  })
}

function apply(r) {
  const c = r && r.call
  if (c) {
    const isNew = !phoneCall.call || phoneCall.call.id !== c.id
    phoneCall.call = c
    phoneCall.customer = r.customer || null
    // The person's own part: a transferred call was answered before it
    // rings here.
    phoneCall.state = c.mine === 'talking' ? 'connected' : 'ringing'
    if (isNew) announce(c, phoneCall.customer)
    return
  }
  if (!phoneCall.call || phoneCall.state === 'ended') return
  // Gone: an answered call stays for its contact; an offer that ended
  // unanswered (another agent took it, the caller hung up) just goes.
  if (phoneCall.call.contact_id) {
    phoneCall.state = 'ended'
    closeNotice()
  } else {
    clear()
  }
}

function schedule() {
  clearTimeout(timer)
  timer = null
  if (phoneCall.state === 'ringing' || phoneCall.state === 'connected') timer = setTimeout(refresh, POLL_MS)
}

// A call out answered (outcall.js): its call and contact, now.
onAnswered.add(() => refresh())

// Asks the server now; answers that arrive out of order are dropped.
export async function refresh() {
  if (!session.me) return
  if (session.expired) return schedule() // asked again after the password
  const mine = ++seq
  try {
    const r = await get('/api/me/call')
    if (mine === seq) apply(r)
  } catch {
    /* A blip: the next poll or notification asks again. */
  }
  if (mine === seq) schedule()
}

// The desk is done with the call: its contact was saved after it ended,
// or the agent closed it.
export function finishCall() {
  if (phoneCall.state === 'ended') {
    clear()
    schedule()
  }
}

export function startCallWatch() {
  stopCallWatch()
  if (!holdsSeat(session.me)) return
  unsubscribe = onNotification((n) => {
    if (n.kind === 'call.offer') refresh()
  })
  removeHook = router.afterEach((to) => {
    if (to.path === DESK) closeNotice()
  })
  // After the first navigation, so a call found on loading the desk itself
  // shows no notice.
  router.isReady().then(refresh)
}

export function stopCallWatch() {
  if (unsubscribe) unsubscribe()
  if (removeHook) removeHook()
  unsubscribe = removeHook = null
  clearTimeout(timer)
  timer = null
  seq++
  clear()
}
