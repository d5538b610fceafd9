// 我的班表 (issue 14, WFM-3): a swap from request through counter-signature
// to approval, each step by its own login in its own browser context. Agent
// 8101 asks 8102 to exchange his 早班 for her 中班; she signs it in her inbox;
// the supervisor 8002 approves it; only then does the roster change, and
// 8101's calendar shows the new shift. And a leave (WFM-4) asked by 8103 and
// approved by the supervisor takes her shift of that day off the roster. The
// published roster is written straight into the database, as the roster's
// own page would publish it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, pick, screenshot } from './harness.mjs'

let srv, browser
let a, b, early, middle, x, y

const sql = (text) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()

// The center's date (Asia/Shanghai) n days from the server's now.
function centerDay(now, n) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now + n * 86400000))
}

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  const now = await srv.advance(0)
  a = Number(sql("SELECT id FROM person WHERE work_no = '8101'"))
  b = Number(sql("SELECT id FROM person WHERE work_no = '8102'"))
  early = Number(sql("SELECT id FROM wfm_shift_type WHERE code = 'early'"))
  middle = Number(sql("SELECT id FROM wfm_shift_type WHERE code = 'middle'"))
  // Two days in one month, at least three days ahead.
  let k = 3
  while (centerDay(now, k).slice(0, 7) !== centerDay(now, k + 2).slice(0, 7)) k++
  x = centerDay(now, k)
  y = centerDay(now, k + 2)
  for (const m of new Set([centerDay(now, 0).slice(0, 7), x.slice(0, 7)])) sql(`INSERT OR REPLACE INTO wfm_roster(month, state, version, updated_at) VALUES ('${m}', 'published', 1, 0)`)
  sql(`INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, skill, updated_at) VALUES ('${x}', ${a}, ${early}, 'tech_service', 0), ('${y}', ${b}, ${middle}, 'tech_service', 0)`)
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

const cell = (day, person) => sql(`SELECT shift_type_id FROM wfm_roster_entry WHERE day = '${day}' AND person_id = ${person}`)

// Opens 我的班表 and shows the month of x, once its answer has arrived.
async function openMonth(page) {
  await page.goto(srv.url + '/wfm/me')
  const first = await page.locator('[data-test=ms-calendar][data-month]:not([data-month=""])').getAttribute('data-month')
  if (first !== x.slice(0, 7)) await page.click('[data-test=ms-next]')
  await page.waitForSelector(`[data-test=ms-calendar][data-month="${x.slice(0, 7)}"]`)
}

test('WFM-3: a swap asked, counter-signed and approved, each by its own login', async () => {
  // 1. The agent asks.
  const pa = await newPage(browser)
  await login(pa, srv, '8101')
  await openMonth(pa)
  assert.equal(await pa.getAttribute(`[data-test=ms-day-${x}]`, 'data-shift'), 'early')
  assert.equal(await pa.getAttribute(`[data-test=ms-day-${y}]`, 'data-shift'), '')
  await pa.click('[data-test=ms-ask-swap]')
  await pa.waitForSelector('[data-test=ms-swap-dialog] .el-dialog, .el-dialog[data-test=ms-swap-dialog]')
  await pick(pa, 'ms-swap-partner', '陈晨（8102）')
  await pick(pa, 'ms-swap-a-day', x)
  await pa.fill('[data-test=ms-swap-b-day] input', y)
  await pa.keyboard.press('Tab')
  await pa.fill('[data-test=ms-swap-reason]', '家里有事')
  const asked = pa.waitForResponse((r) => r.url().endsWith('/api/wfm/swaps') && r.request().method() === 'POST')
  await pa.click('[data-test=ms-swap-submit]')
  const res = await asked
  assert.equal(res.status(), 201, await res.text())
  const swap = await res.json()
  assert.deepEqual([swap.a.day, swap.b.day, swap.partner.id], [x, y, b])
  await pa.waitForSelector(`[data-test=ms-swap-state-${swap.id}]`)
  assert.equal((await pa.textContent(`[data-test=ms-swap-state-${swap.id}]`)).trim(), '待对方签字')
  await screenshot(pa, 'myshifts-asked')
  // Nothing moved yet.
  assert.equal(cell(x, a), String(early))

  // 2. The other agent counter-signs in her inbox.
  const pb = await newPage(browser)
  await login(pb, srv, '8102')
  await openMonth(pb)
  await pb.click('[data-test=ms-tab-inbox]')
  await pb.waitForSelector(`[data-test=ms-sign-${swap.id}]`)
  const signed = pb.waitForResponse((r) => r.url().endsWith(`/api/wfm/swaps/${swap.id}/sign`))
  await pb.click(`[data-test=ms-sign-${swap.id}]`)
  assert.equal((await signed).status(), 200)
  await pb.locator(`[data-test=ms-sign-${swap.id}]`).waitFor({ state: 'detached' })
  assert.equal(cell(x, a), String(early), 'signed is not approved')
  assert.equal(cell(x, b), '')

  // 3. The supervisor approves it.
  const ps = await newPage(browser)
  await login(ps, srv, '8002')
  await ps.goto(srv.url + '/wfm/me')
  await ps.click('[data-test=ms-tab-approvals]')
  await ps.waitForSelector(`[data-test=ms-swap-approve-${swap.id}]`)
  assert.match(await ps.textContent('[data-test=ms-approve-swaps]'), /刘洋（8101）/)
  await ps.click(`[data-test=ms-swap-approve-${swap.id}]`)
  await ps.fill('[data-test=ms-decide-note]', '同意')
  const approved = ps.waitForResponse((r) => r.url().endsWith(`/api/wfm/swaps/${swap.id}/approve`))
  await ps.click('[data-test=ms-decide-submit]')
  const ar = await approved
  assert.equal(ar.status(), 200, await ar.text())
  await ps.locator(`[data-test=ms-swap-approve-${swap.id}]`).waitFor({ state: 'detached' })
  await screenshot(ps, 'myshifts-approvals')

  // The roster changed: both cells exchanged.
  assert.equal(cell(x, a), '')
  assert.equal(cell(x, b), String(early))
  assert.equal(cell(y, b), '')
  assert.equal(cell(y, a), String(middle))

  // The asker's calendar shows his new shift (the approval's notification reloads the page).
  await pa.locator(`[data-test=ms-day-${y}][data-shift=middle]`).waitFor()
  assert.equal(await pa.getAttribute(`[data-test=ms-day-${x}]`, 'data-shift'), '')
  assert.equal((await pa.textContent(`[data-test=ms-swap-state-${swap.id}]`)).trim(), '已批准')
  await screenshot(pa, 'myshifts-month')
  for (const p of [pa, pb, ps]) {
    assert.deepEqual(p.problems, [])
    await p.context().close()
  }
})

test('WFM-4: leave asked by the agent, approved by the supervisor, the day leaves the roster', async () => {
  const c = Number(sql("SELECT id FROM person WHERE work_no = '8103'"))
  // Ten days on: a working day lies between, whatever today is.
  const now = await srv.advance(0)
  const d = centerDay(now, 10)
  sql(`INSERT OR REPLACE INTO wfm_roster(month, state, version, updated_at) VALUES ('${d.slice(0, 7)}', 'published', 1, 0)`)
  sql(`INSERT INTO wfm_roster_entry(day, person_id, shift_type_id, skill, updated_at) VALUES ('${d}', ${c}, ${early}, NULL, 0)`)
  const pc = await newPage(browser)
  await login(pc, srv, '8103')
  await pc.goto(srv.url + '/wfm/me')
  await pc.waitForSelector('[data-test=ms-calendar][data-month]:not([data-month=""])')
  await pc.click('[data-test=ms-ask-leave]')
  await pick(pc, 'ms-leave-kind', '事假')
  const inputs = pc.locator('.el-dialog:visible .el-range-input')
  await inputs.nth(0).fill(d)
  await inputs.nth(1).fill(d)
  await pc.keyboard.press('Tab')
  await pc.fill('[data-test=ms-leave-reason]', '办理证件')
  const asked = pc.waitForResponse((r) => r.url().endsWith('/api/wfm/leave') && r.request().method() === 'POST')
  await pc.click('[data-test=ms-leave-submit]')
  const res = await asked
  assert.equal(res.status(), 201, await res.text())
  const leave = await res.json()
  assert.deepEqual([leave.kind, leave.first_day, leave.last_day], ['personal', d, d])
  await pc.waitForSelector(`[data-test=ms-leave-state-${leave.id}]`)
  assert.equal((await pc.textContent(`[data-test=ms-leave-state-${leave.id}]`)).trim(), '待审批')
  assert.equal(sql(`SELECT shift_type_id FROM wfm_roster_entry WHERE day = '${d}' AND person_id = ${c}`), String(early))

  const ps = await newPage(browser)
  await login(ps, srv, '8002')
  await ps.goto(srv.url + '/wfm/me')
  await ps.click('[data-test=ms-tab-approvals]')
  await ps.click(`[data-test=ms-leave-approve-${leave.id}]`)
  const approved = ps.waitForResponse((r) => r.url().endsWith(`/api/wfm/leave/${leave.id}/approve`))
  await ps.click('[data-test=ms-decide-submit]')
  assert.equal((await approved).status(), 200)
  await ps.locator(`[data-test=ms-leave-approve-${leave.id}]`).waitFor({ state: 'detached' })
  assert.equal(sql(`SELECT count(*) FROM wfm_roster_entry WHERE day = '${d}' AND person_id = ${c}`), '0')
  // The agent's page hears of it and shows the approved leave.
  await pc.locator(`[data-test=ms-leave-state-${leave.id}]`, { hasText: '已批准' }).waitFor()
  for (const p of [pc, ps]) {
    assert.deepEqual(p.problems, [])
    await p.context().close()
  }
})
