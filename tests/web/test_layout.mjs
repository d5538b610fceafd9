// The workbench from 1024 px up: every page the manager may open is
// reachable from the top bar or its 排班 and 系统设置 menus (entries that do
// not fit move into "更多", none is cut off or scrolled out of sight), and the agent desk's buttons
// are whole. Logging out with an unsaved contact on the desk asks first,
// and logging out sets the seat logged out (ORG-3).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Server, launchBrowser, newPage, login, screenshot, menuItem } from './harness.mjs'

let srv, browser

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

// Inside the viewport and not covered by the bar's edge.
async function wholeOnScreen(page, sel, width) {
  const box = await page.locator(sel).boundingBox()
  assert.ok(box, `${sel} is laid out`)
  assert.ok(box.x >= 0 && box.x + box.width <= width, `${sel} within ${width} px: ${JSON.stringify(box)}`)
  const clipped = await page.$eval(sel, (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p)
      if (s.overflowX !== 'visible') {
        const a = el.getBoundingClientRect()
        const b = p.getBoundingClientRect()
        if (a.left < b.left - 0.5 || a.right > b.right + 0.5) return p.className
      }
    }
    return ''
  })
  assert.equal(clipped, '', `${sel} is not cut off by .${clipped}`)
}

for (const locale of ['zh-CN', 'en']) {
  test(`at 1024×768 (${locale}) every page of the manager is reachable from the top bar`, async () => {
    const page = await newPage(browser, locale)
    await page.setViewportSize({ width: 1024, height: 768 })
    await login(page, srv, '8001')
    if (locale === 'en' && (await page.textContent('[data-test=lang]')) !== '中文') await page.click('[data-test=lang]')
    const main = ['agent', 'queue', 'orders', 'customers', 'calls', 'wallboard']
    const paths = { callbackRequests: '/callback-requests' }
    let moved = 0
    for (const name of main) {
      const entry = page.locator(`[data-test=nav-${name}]`)
      // DOM clicks on the entries themselves: the bar measures itself again
      // when a page opens, and a click aimed at a point could land beside an
      // entry that moved (wholeOnScreen has checked where it is).
      if (await entry.evaluate((el) => !el.classList.contains('nav-off'))) {
        await wholeOnScreen(page, `[data-test=nav-${name}]`, 1024)
        await entry.dispatchEvent('click')
      } else {
        moved++
        await wholeOnScreen(page, '[data-test=nav-more]', 1024)
        await page.click('[data-test=nav-more]')
        await menuItem(page, `[data-test=nav-more-${name}]`)
      }
      await page.waitForURL((u) => u.pathname === (paths[name] || '/' + name))
    }
    assert.ok(moved > 0, 'at 1024 px some entries sit in the "more" menu')
    assert.equal(await page.getAttribute('[data-test=nav-more]', 'title') !== '', true)
    // The menus of the bar: the shift pages, the settings and the audit log.
    // The manager's desk pages (the inbox, callbacks) under 接待.
    const menus = { dashboard: ['report', '/dashboard'], inbox: ['desk', '/inbox'], callbacks: ['desk', '/callbacks'], callbackRequests: ['desk', '/callback-requests'], wfmSetup: ['wfm', '/wfm/setup'], attendance: ['wfm', '/wfm/attendance'], audit: ['admin', '/audit'], people: ['admin', '/admin/people'], departments: ['admin', '/admin/departments'], rules: ['admin', '/admin/rules'] }
    for (const [name, [menu, path]] of Object.entries(menus)) {
      await wholeOnScreen(page, `[data-test=nav-${menu}]`, 1024)
      // The menu closes after each choice: wait until it has, so the next
      // click opens it again rather than landing on it as it fades. The
      // 更多 menu of the last entry may stay open while the bar measures
      // itself again for the new page: Escape closes it then.
      const open = page.locator('.el-dropdown-menu:visible')
      await open.waitFor({ state: 'detached', timeout: 5000 }).catch(async () => {
        await page.keyboard.press('Escape')
        await open.waitFor({ state: 'detached' })
      })
      await page.click(`[data-test=nav-${menu}]`)
      await menuItem(page, `.el-dropdown-menu:visible [data-test=nav-${name}]`)
      await page.waitForURL((u) => u.pathname === path)
    }
    await screenshot(page, `layout-1024-manager-${locale}`)
    assert.deepEqual(page.problems, [])
    await page.context().close()
  })
}

test('at 1366×768 the manager\'s bar needs no "more" menu', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  // Every page in the bar or in its 知识库, 质检, 排班 and 系统设置 menus, none moved to 更多.
  await page.waitForFunction(() => document.querySelector('[data-test=nav-wallboard]') && !document.querySelector('[data-test=nav-wallboard]').classList.contains('nav-off'))
  assert.equal(await page.locator('.nav-main.nav-off').count(), 0)
  assert.equal(await page.locator('[data-test=nav-report]').isVisible(), true)
  assert.equal(await page.locator('[data-test=nav-more]').isVisible(), false)
  assert.equal(await page.locator('[data-test=nav-wfm]').isVisible(), true)
  await page.click('[data-test=nav-admin]')
  await menuItem(page, '.el-dropdown-menu:visible [data-test=nav-audit]')
  await page.waitForURL((u) => u.pathname === '/audit')
  // The inbox from the 接待 menu (issue 18).
  await page.locator('.el-dropdown-menu:visible').waitFor({ state: 'detached' })
  await page.click('[data-test=nav-desk]')
  await menuItem(page, '.el-dropdown-menu:visible [data-test=nav-inbox]')
  await page.waitForURL((u) => u.pathname === '/inbox')
  await page.context().close()
})

// The supervisor's bar holds the desk pages and seven menus (报表 among them,
// with the dashboard inside it): at 1366 px nothing moves to 更多.
test('at 1366×768 the supervisor\'s bar needs no "more" menu', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8002')
  await page.waitForFunction(() => document.querySelector('[data-test=nav-wallboard]') && !document.querySelector('[data-test=nav-wallboard]').classList.contains('nav-off'))
  assert.equal(await page.locator('.nav-main.nav-off').count(), 0)
  assert.equal(await page.locator('[data-test=nav-more]').isVisible(), false)
  await page.click('[data-test=nav-report]')
  await menuItem(page, '.el-dropdown-menu:visible [data-test=nav-dashboard]')
  await page.waitForURL((u) => u.pathname === '/dashboard')
  await page.context().close()
})

test('at 1024×768 the agent desk shows both save buttons whole', async () => {
  const page = await newPage(browser)
  await page.setViewportSize({ width: 1024, height: 768 })
  await login(page, srv, '8101')
  await page.waitForSelector('[data-test=save-contact]')
  for (const sel of ['[data-test=save-contact]', '[data-test=save-order]', '[data-test=new-call]', '[data-test=lookup-submit]']) await wholeOnScreen(page, sel, 1024)
  assert.match(await page.textContent('[data-test=save-contact]'), /仅保存通话/)
  // The label is not cut inside its button either.
  const cut = await page.$eval('[data-test=save-contact]', (el) => el.scrollWidth > el.clientWidth + 1)
  assert.equal(cut, false)
  // The desk's labels name no rule (CALL-3 and the like live in tooltips).
  await page.click('[data-test=tab-phrases]')
  await page.waitForSelector('.g-title')
  assert.doesNotMatch(await page.innerText('[data-test=agent-page]'), /\b(CALL|CB|CUST|ORG|WO|ROUTE|QA)-\d/)
  await screenshot(page, 'layout-1024-agent')
  await page.context().close()
})

test('logging out with an unsaved contact asks first; logging out sets the seat logged out', async () => {
  const manager = await srv.account('8001')
  // srv.account() leaves the API sessions it logged in with: they are ended
  // here, so the desk and "another device" below are the agent's only two.
  await srv.account('8102')
  execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, "DELETE FROM session WHERE person_id = (SELECT id FROM person WHERE work_no = '8102')"])
  const page = await newPage(browser)
  await login(page, srv, '8102')
  // The seat goes ready from another device, which then logs out: the desk still holds the seat.
  const other = await srv.account('8102')
  let r = await srv.call('POST', '/api/acd/me/status', { status: 'ready' }, other)
  assert.equal(r.status, 200)
  assert.equal((await srv.call('POST', '/api/logout', undefined, other)).status, 200)
  const seat = async () => (await srv.call('GET', '/api/acd/agents', undefined, manager)).body.items.find((a) => a.work_no === '8102').status
  assert.equal(await seat(), 'ready')

  await page.waitForSelector('[data-test=summary]')
  await page.fill('[data-test=summary]', '客户反映路灯不亮')
  await page.click('[data-test=user-menu]')
  await page.click('[data-test=logout]')
  const box = page.locator('.logout-confirm')
  await box.waitFor()
  assert.match(await box.textContent(), /还没有保存/)
  await box.locator('.el-button', { hasText: '返回保存' }).click()
  await box.waitFor({ state: 'hidden' })
  assert.equal(new URL(page.url()).pathname, '/agent')
  assert.equal(await page.inputValue('[data-test=summary]'), '客户反映路灯不亮')
  assert.equal(await seat(), 'ready')

  await page.click('[data-test=user-menu]')
  await page.click('[data-test=logout]')
  await box.waitFor()
  await box.locator('.el-button', { hasText: '仍然退出' }).click()
  await page.waitForURL((u) => u.pathname === '/login')
  assert.equal(await seat(), 'logged_out')
  await page.context().close()
})

test('logging out with nothing typed asks nothing', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8103')
  await page.waitForSelector('[data-test=summary]')
  await page.click('[data-test=user-menu]')
  await page.click('[data-test=logout]')
  await page.waitForURL((u) => u.pathname === '/login')
  assert.equal(await page.locator('.logout-confirm').count(), 0)
  await page.context().close()
})
