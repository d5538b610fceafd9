// 交接班 (WFM-6, WFM-7) through the UI at 1366×768: the outgoing person
// opens the current log kefu drafted, adds an item by hand, writes the
// shift's notes and signs, which locks the log; the incoming person, on
// their own page, signs with a remark; both signatures show, and the log
// is found in the history by a two-character word of its notes. Nobody is
// rostered in the demo center, so any agent is a duty person of either
// side; the server refuses the same person on both sides.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, launchBrowser, newPage, login, screenshot, XSS, menuItem } from './harness.mjs'

let srv, browser, outTok

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  // An hour after the next change of shift (00:00, 08:00, 16:00 in the center's
  // zone): the current log stays the same one for hours, whatever the hour the
  // test runs at.
  const h = await srv.call('GET', '/healthz')
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: h.body.timezone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(h.body.time)))
  const intoHour = h.body.time % 3600000
  await srv.advance((8 - (hour % 8)) * 3600000 - intoHour + 3600000)
  outTok = await srv.account('8101')
  await srv.account('8102')
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('WFM-6, WFM-7: the outgoing person signs the drafted log, then the incoming one', async () => {
  const out = await newPage(browser)
  await login(out, srv, '8101')
  // The 排班 menu of the top bar leads to it.
  await out.click('[data-test=nav-wfm]')
  await menuItem(out, '.el-dropdown-menu:visible [data-test=nav-handover]')
  await out.waitForURL((u) => u.pathname === '/wfm/handover')
  const log = out.locator('[data-test=ho-log]')
  await log.waitFor()
  assert.equal(await log.getAttribute('data-state'), 'draft')
  const id = await log.getAttribute('data-id')

  // An item by hand: the answer to the request lists it.
  const item = `打印机缺纸 ${XSS}`
  await out.fill('[data-test=ho-add-title]', item)
  const added = out.waitForResponse((r) => r.url().endsWith(`/api/handover/${id}/items`) && r.request().method() === 'POST')
  await out.click('[data-test=ho-add-submit]')
  assert.equal((await added).status(), 201)
  await out.locator('[data-test=ho-items]').getByText(item, { exact: true }).waitFor()

  // The notes go with the signature.
  await out.fill('[data-test=ho-notes]', '今晚系统升级，注意安抚来电客户')
  await out.click('[data-test=ho-sign-out]')
  await out.locator('[data-test=ho-log][data-state=out_signed]').waitFor()
  assert.match(await out.textContent('[data-test=ho-out-signer]'), /刘洋/)
  // Locked: no more editing, and the outgoing person cannot sign the incoming side.
  assert.equal(await out.locator('[data-test=ho-add]').count(), 0)
  assert.equal(await out.locator('[data-test=ho-sign-in]').count(), 0)
  const again = await srv.call('POST', `/api/handover/${id}/sign-in`, {}, outTok)
  assert.equal(again.status, 409)
  await screenshot(out, 'handover-out-signed')

  const inc = await newPage(browser)
  await login(inc, srv, '8102')
  await inc.goto(srv.url + `/wfm/handover`)
  await inc.locator(`[data-test=ho-log][data-id="${id}"][data-state=out_signed]`).waitFor()
  assert.match(await inc.textContent('[data-test=ho-notes-text]'), /今晚系统升级/)
  await inc.click('[data-test=ho-sign-in]')
  await inc.fill('[data-test=ho-remark]', '已核对')
  await inc.click('[data-test=ho-sign-in-submit]')
  await inc.locator('[data-test=ho-log][data-state=signed]').waitFor()
  assert.match(await inc.textContent('[data-test=ho-in-signer]'), /陈晨/)
  assert.match(await inc.textContent('[data-test=ho-remark-text]'), /已核对/)
  assert.equal(await inc.locator('[data-test=ho-sign-in]').count(), 0)

  // The history finds it by a two-character word of the notes.
  await inc.fill('[data-test=ho-q]', '升级')
  const searched = inc.waitForResponse((r) => r.url().includes('/api/handover?') && r.url().includes('q='))
  await inc.click('[data-test=ho-search]')
  await searched
  await inc.locator(`[data-test=ho-open-${id}]`).waitFor()
  await inc.fill('[data-test=ho-q]', '无关')
  const none = inc.waitForResponse((r) => r.url().includes('/api/handover?') && r.url().includes('q='))
  await inc.click('[data-test=ho-search]')
  await none
  await inc.locator(`[data-test=ho-open-${id}]`).waitFor({ state: 'detached' })
  await screenshot(inc, 'handover-signed')

  assert.equal(await out.evaluate(() => window.__xss), undefined, 'the XSS probe never runs')
  assert.deepEqual(out.problems, [])
  assert.deepEqual(inc.problems, [])
})
