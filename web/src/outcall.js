// Calls out (issue 17): the agent's one live attempt at a time. 拨打 (a
// CallButton anywhere) asks kefu to place the call (POST /api/out/calls):
// kefu looks the real number up itself (the page only ever has the masked
// one, CUST-2), rings the agent's own phone, then the customer, and bridges
// them. The attempt is read every second (GET /api/out/calls/{id}) while it
// lasts; the bar in the shell (OutCallBar.vue) shows it on every page with
// its script (CALL-9, or the order's callback script, CB-2) and, once it
// has ended, asks for its outcome (POST …/outcome), which becomes the
// order's callback attempt, its progress (WO-5), the task's retry or done.
// After a reload the live attempt comes back from GET /api/me/out.
import { reactive } from 'vue'
import { get, post } from './api.js'
import { session, hasRole } from './session.js'

const POLL_MS = 1000

// The attempt on show: `call` is the server's row; `outcomeOpen` asks for
// its outcome once it has ended; `starting` while the POST is on its way.
export const outCall = reactive({ call: null, starting: false, outcomeOpen: false, recorded: false })

// States of an attempt (the engine's contract): requested → agent (the
// agent's phone rings) → dialing (the customer's phone rings) → talking → ended.
export const LIVE_STATES = ['requested', 'agent', 'dialing', 'talking']
export const isLive = (c) => !!c && LIVE_STATES.includes(c.state)

// Results that say the customer was never called: the agent's own phone
// (offline, busy, not answered), the trunk, or the agent's cancel.
export const AGENT_SIDE = ['agent_offline', 'agent_busy', 'agent_no_answer', 'cancelled', 'no_trunk', 'trunk_busy', 'failed']

// Who may dial (out.call: manager, supervisor, agent).
export const canCall = () => hasRole('agent', 'supervisor', 'manager')

// The outcomes an agent records, by purpose and by what the engine saw
// (CALL-10: the record stays true to it, kefu refuses the others): when the
// customer's phone was answered, a callback ends in its CB-2 outcome
// (accepted; not accepted → another agent at another time; a new need → a
// linked order), anything else in "reached"; a wrong number, someone else
// (another number or a time) and "do not call again" need an answer too.
// Without one only no answer, busy and rejected can be said.
export const NOT_ANSWERED = ['no_answer', 'busy', 'rejected']
export function outcomesFor(purpose, result) {
  if (result !== 'answered') return NOT_ANSWERED
  const reached = purpose === 'callback' ? ['accepted', 'not_accepted', 'new_need'] : ['reached']
  return [...reached, 'other_person', 'wrong_number', 'dnc']
}

// The outcome a result suggests (the agent can change it).
export function suggestedOutcome(c) {
  if (!c) return ''
  const r = c.result
  if (NOT_ANSWERED.includes(r)) return r
  if (r === 'answered') return c.purpose === 'callback' ? 'accepted' : 'reached'
  return ''
}

// Pages that show what a call changes (the callback queue, an order, the
// task list) reload when an outcome is recorded.
const listeners = new Set()
export function onOutDone(fn) {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

let timer = null
let seq = 0

function schedule() {
  clearTimeout(timer)
  timer = null
  if (isLive(outCall.call)) timer = setTimeout(refresh, POLL_MS)
}

// Called when an attempt is answered: the screen-pop (call.js) reads the
// call then, so the desk's contact form completes the contact the call
// became (CALL-10), as for an inbound call.
export const onAnswered = new Set()

function show(c) {
  const was = outCall.call
  outCall.call = c
  if (c.state === 'talking' && (!was || was.id !== c.id || was.state !== 'talking')) for (const fn of onAnswered) fn(c)
  if (was && was.id === c.id && isLive(was) && !isLive(c) && !outCall.recorded) outCall.outcomeOpen = true
  if (!was || was.id !== c.id) outCall.recorded = !!c.outcome
}

export async function refresh() {
  if (!outCall.call || session.expired) return schedule()
  const mine = ++seq
  try {
    const c = await get(`/api/out/calls/${outCall.call.id}`)
    if (mine === seq && outCall.call && outCall.call.id === c.id) show(c)
  } catch {
    /* A blip: asked again at the next tick. */
  }
  if (mine === seq) schedule()
}

// 拨打: body is { purpose, ref_id } or { purpose, customer_id } or
// { purpose, task_id }. Throws the server's refusal (DNC, hours, cap,
// another live attempt: 409/429 with its message) for the button to show.
export async function dial(body) {
  if (outCall.starting) return null
  outCall.starting = true
  try {
    const c = await post('/api/out/calls', body)
    seq++
    outCall.call = c
    outCall.recorded = false
    outCall.outcomeOpen = false
    if (!isLive(c)) outCall.outcomeOpen = true
    schedule()
    return c
  } finally {
    outCall.starting = false
  }
}

// 挂断 before the customer answers (the engine ends it "cancelled").
export async function cancelCall() {
  if (!outCall.call) return
  const c = await post(`/api/out/calls/${outCall.call.id}/cancel`)
  if (c && c.id) show(c)
  refresh()
}

export async function recordOutcome(body) {
  const c = outCall.call
  const r = await post(`/api/out/calls/${c.id}/outcome`, body)
  outCall.recorded = true
  outCall.outcomeOpen = false
  for (const fn of listeners) {
    try {
      fn({ call: c, outcome: body.outcome, result: r })
    } catch {
      /* One page's listener does not stop the others. */
    }
  }
  return r
}

// The bar goes: the attempt has ended and its outcome is recorded or skipped.
export function closeCall() {
  if (isLive(outCall.call)) return
  seq++
  clearTimeout(timer)
  outCall.call = null
  outCall.outcomeOpen = false
  outCall.recorded = false
}

// An ended attempt of one's own whose outcome was left for later (the log
// offers it): the bar shows it again with the outcome dialog open.
export async function recordLater(id) {
  if (isLive(outCall.call)) return
  const c = await get(`/api/out/calls/${id}`)
  seq++
  clearTimeout(timer)
  outCall.call = c
  outCall.recorded = !!c.outcome
  outCall.outcomeOpen = !c.outcome && !isLive(c)
  schedule()
}

// After login or a reload: the live attempt, if any, else one waiting for its outcome.
export async function startOutWatch() {
  stopOutWatch()
  await findLive(true)
}

// An attempt kefu placed itself (a progressive campaign's next member rings
// the agent's phone) shows up the same way: the top bar's status, read every
// 10 s, or the screen-pop seeing a call out, asks here when the agent is on
// a call the bar does not know.
export async function findLive(pending = false) {
  if (!canCall() || isLive(outCall.call) || outCall.starting) return
  try {
    const r = await get('/api/me/out')
    const c = r && (r.call || r.live)
    // A new attempt replaces one that has ended (its outcome can wait: the log keeps it).
    if (c && !isLive(outCall.call) && !(outCall.call && outCall.call.id === c.id)) {
      seq++
      outCall.call = c
      outCall.recorded = !!c.outcome
      outCall.outcomeOpen = false
      schedule()
    } else if (pending && !c && r && r.pending && !outCall.call) {
      // An attempt of today that ended without its outcome (a reload, a new
      // login): the bar shows it again with 记录结果, so no contact is left
      // unrecorded (CALL-10).
      seq++
      outCall.call = r.pending
      outCall.recorded = false
      outCall.outcomeOpen = false
      schedule()
    }
  } catch {
    /* Not there (an older server) or a blip: nothing live to show. */
  }
}

export function stopOutWatch() {
  seq++
  clearTimeout(timer)
  timer = null
  outCall.call = null
  outCall.outcomeOpen = false
  outCall.recorded = false
  outCall.starting = false
}
