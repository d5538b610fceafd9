// The report center (报表中心, issue 20) in the browser: the manager opens
// /reports from the 报表 menu, sees the center's forms with their periods
// preset by kind (a month form last month) and downloads one as .xlsx (the
// link answers the spreadsheet with its Chinese file name); then schedules
// a daily report for two people in the dialog (form, cadence, time,
// recipients through the person picker), sees it in the list, turns it off
// with its switch (stored), and an agent's list of forms is shorter.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, pick, menuItem } from './harness.mjs'

let srv, browser

function sql(text) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()
}

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('forms, a download and a scheduled report', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  // 报表 → 报表中心, the first page of the menu.
  await page.click('[data-test=nav-report]')
  const items = page.locator('.el-dropdown-menu:visible .el-dropdown-menu__item')
  await items.first().waitFor()
  assert.equal((await items.first().textContent()).trim(), '报表中心')
  await menuItem(page, '.el-dropdown-menu:visible [data-test=nav-reportCenter]')
  await page.waitForURL(/\/reports$/)
  const rows = page.locator('[data-test=forms] .el-table__body tr')
  await page.locator('[data-test=form-title]', { hasText: '培训计划表' }).waitFor()
  const titles = await page.locator('[data-test=form-title]').allTextContents()
  assert.ok(titles.includes('客服中心排班表') && titles.includes('值班日志'), titles.join())
  // A month form starts at last month; its link downloads that month's file.
  const href = await page.getAttribute('[data-test=form-download-training_plan]', 'href')
  const m = href.match(/from=(\d{4}-\d{2}-01)&to=(\d{4}-\d{2}-\d{2})$/)
  assert.ok(m, href)
  const file = await page.evaluate(async (u) => {
    const r = await fetch(u)
    return { status: r.status, type: r.headers.get('Content-Type'), cd: r.headers.get('Content-Disposition') }
  }, href)
  assert.equal(file.status, 200)
  assert.match(file.type, /spreadsheetml/)
  assert.ok(file.cd.includes(encodeURIComponent(`培训计划表_${m[1]}_${m[2]}.xlsx`)), file.cd)
  assert.equal(await page.getAttribute('[data-test=form-page-training_plan]', 'href'), '/trn/training')
  assert.ok((await rows.count()) >= 9)

  // A daily report for two people.
  await page.click('[data-test=sched-new]')
  const dlg = page.locator('[data-test=sched-dialog]')
  await dlg.waitFor()
  await pick(page, 'sched-form', '培训计划表')
  await pick(page, 'sched-recipients', '8101')
  await pick(page, 'sched-recipients', '8002')
  await page.fill('[data-test=sched-emails]', 'boss@example.cn')
  await page.click('[data-test=sched-save]')
  await dlg.waitFor({ state: 'hidden' })
  const row = page.locator('[data-test=schedules] .el-table__body tr').first()
  await row.locator('text=培训计划表').waitFor()
  assert.match(await row.textContent(), /每日 08:00/)
  assert.equal(sql('SELECT form || "|" || cadence || "|" || at_minute || "|" || emails || "|" || enabled FROM report_schedule'),
    'training_plan|daily|480|boss@example.cn|1')
  assert.equal(sql('SELECT count(*) FROM report_schedule_person'), '2')
  const id = sql('SELECT id FROM report_schedule')
  await page.click(`[data-test=sched-enabled-${id}]`)
  for (let i = 0; i < 50 && sql('SELECT enabled FROM report_schedule') !== '0'; i++) await page.waitForTimeout(100)
  assert.equal(sql('SELECT enabled FROM report_schedule'), '0')

  // An agent reaches the page by URL and sees fewer forms, and no schedules.
  const a = await newPage(browser)
  await login(a, srv, '8101')
  await a.goto(srv.url + '/reports')
  await a.locator('[data-test=form-title]').first().waitFor()
  const mine = await a.locator('[data-test=form-title]').allTextContents()
  assert.ok(mine.length < titles.length, mine.join())
  assert.equal(await a.locator('[data-test=schedules]').count(), 0)
  assert.equal(await a.locator('[data-test^=form-download-]').count(), 0)
})
