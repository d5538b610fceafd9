// Shift planning's set-up page through the browser (WFM-1, WFM-2): the
// shift types with a split shift a center adds, the settings (only what
// changed is sent; a value out of range is named beside its field), the
// forecast corrected for one half hour with the staffing that follows, and
// who may open the page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, launchBrowser, newPage, login, pick } from './harness.mjs'

let srv, browser, supTok

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  supTok = await srv.account('8002')
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

const api = (method, path, body) => srv.call(method, path, body, supTok)

test('WFM-1: the supervisor adds a split shift; a paid time longer than the shift is refused beside its field', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8002')
  await page.goto(srv.url + '/wfm/setup')
  const table = page.locator('[data-test=st-table]')
  await table.locator('[data-test=st-name-early]').waitFor()
  assert.equal(await page.textContent('[data-test=st-hours-early]'), '08:00–16:00')
  assert.equal(await page.textContent('[data-test=st-hours-night]'), '00:00–08:00')
  assert.match(await table.textContent(), /行政班/)

  await page.click('[data-test=st-create]')
  const dlg = page.locator('[data-test=st-dialog]')
  await dlg.waitFor()
  await page.fill('[data-test=st-code]', 'split')
  await page.fill('[data-test=st-name]', '天地班<b>x</b>')
  await pick(page, 'st-seg-0-start', '07:00')
  await pick(page, 'st-seg-0-end', '11:00')
  await page.click('[data-test=st-split]')
  await pick(page, 'st-seg-1-start', '17:00')
  await pick(page, 'st-seg-1-end', '20:00')
  await page.fill('[data-test=st-paid] input', '420')
  await page.fill('[data-test=st-break] input', '0')
  const created = page.waitForResponse((r) => r.url().endsWith('/api/wfm/shift-types') && r.request().method() === 'POST')
  await page.click('[data-test=st-save]')
  assert.equal((await created).status(), 201)
  await table.locator('[data-test=st-name-split]').waitFor()
  // The name shows as text, and the hours as the two parts.
  assert.equal(await page.textContent('[data-test=st-name-split]'), '天地班<b>x</b>')
  assert.equal(await page.textContent('[data-test=st-hours-split]'), '07:00–11:00，17:00–20:00')
  const split = (await api('GET', '/api/wfm/shift-types')).body.items.find((t) => t.code === 'split')
  assert.deepEqual(split.segments, [{ start: 420, end: 660 }, { start: 1020, end: 1200 }])
  assert.equal(split.paid_min, 420)

  // Paid for 8 hours of a 7-hour shift: refused, the message beside the field, nothing written.
  await page.click('[data-test=st-edit-split]')
  await dlg.waitFor()
  await page.fill('[data-test=st-paid] input', '480')
  const refused = page.waitForResponse((r) => /\/api\/wfm\/shift-types\/\d+$/.test(r.url()) && r.request().method() === 'PATCH')
  await page.click('[data-test=st-save]')
  assert.equal((await refused).status(), 422)
  await dlg.locator('.el-form-item:has([data-test=st-paid]) .el-form-item__error').waitFor()
  assert.equal((await api('GET', '/api/wfm/shift-types')).body.items.find((t) => t.code === 'split').paid_min, 420)
  await page.keyboard.press('Escape')
  await dlg.waitFor({ state: 'hidden' })
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('WFM-2: the settings send only what changed; a publication day out of range is named beside its field', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8002')
  await page.goto(srv.url + '/wfm/setup?tab=settings')
  const day = page.locator('[data-test=ws-publish_day] input')
  await day.waitFor()
  assert.equal(await day.inputValue(), '28')
  assert.equal(await page.locator('[data-test=ws-max_week_min] input').inputValue(), '2640')
  await day.fill('25')
  await day.press('Tab')
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/wfm/settings') && r.request().method() === 'PATCH')
  await page.click('[data-test=ws-save]')
  const res = await saved
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()), { publish_day: 25 })
  assert.equal((await api('GET', '/api/wfm/settings')).body.publish_day, 25)

  await day.fill('29')
  await day.press('Tab')
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/wfm/settings') && r.request().method() === 'PATCH')
  await page.click('[data-test=ws-save]')
  assert.equal((await refused).status(), 422)
  const msg = page.locator('.el-form-item:has([data-test=ws-publish_day]) .el-form-item__error')
  await msg.waitFor()
  assert.equal(await msg.textContent(), 'publish_day：2 至 28')
  assert.equal((await api('GET', '/api/wfm/settings')).body.publish_day, 25)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('the forecast of a half hour is corrected and its staffing follows', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8002')
  await page.goto(srv.url + '/wfm/setup?tab=forecast')
  await page.locator('[data-test=fc-days]').waitFor()
  const month = await page.locator('[data-test=fc-month] input').inputValue()
  assert.match(month, /^\d{4}-\d{2}$/)
  const date = month + '-02'
  await page.click(`[data-test=fc-day-${date}]`)
  const edit = page.locator('[data-test=fc-edit-18] input')
  await edit.waitFor()
  await edit.fill('30')
  await edit.press('Tab')
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/wfm/forecast/' + month) && r.request().method() === 'PUT')
  await page.click('[data-test=fc-save]')
  const res = await saved
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()), { queue: '', overrides: [{ date, interval: 18, contacts: 30 }] })
  await page.locator('[data-test=fc-override-18]').waitFor()
  // The page shows what kefu computes for 30 contacts in that half hour.
  const fc = (await api('GET', '/api/wfm/forecast?month=' + month)).body
  const iv = fc.days.find((d) => d.date === date).intervals[18]
  assert.deepEqual([iv.contacts, iv.override], [30, true])
  assert.ok(iv.required > 0)
  assert.equal(await page.textContent('[data-test=fc-required-18]'), String(iv.required))
  assert.equal(await page.locator('[data-test=fc-override-17]').count(), 0)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('agents have no set-up page; English labels', async () => {
  const agent = await newPage(browser)
  await login(agent, srv, '8101')
  assert.equal(await agent.locator('[data-test=nav-wfmSetup]').count(), 0)
  await agent.goto(srv.url + '/wfm/setup')
  await agent.waitForSelector('text=您没有权限访问此页面')
  await agent.context().close()

  const page = await newPage(browser, 'en')
  await login(page, srv, '8002')
  await page.click('[data-test=lang]')
  await page.goto(srv.url + '/wfm/setup')
  await page.locator('[data-test=st-table]').waitFor()
  assert.match(await page.textContent('[data-test=wfm-setup-tabs]'), /Shifts.*Forecast.*Settings/)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
