// The admin pages through the browser: people (ORG-1..4), departments,
// and the work-order rules editor (WO-2 classes and deadlines, WO-3
// levels, WO-10 complaint catalogue, ROUTE-2 routing, settings); who sees
// which of them; and stored XSS in every name they show.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, launchBrowser, newPage, login, screenshot, XSS, pick, confirmBox, menuItem } from './harness.mjs'

// Names are at most 64 characters (people, departments, complaint types)
// and the harness's probe is longer, so names get its <img onerror> half,
// which is the part that would run if a name were ever parsed as HTML;
// scripts (up to 2000 characters) get the whole probe.
const NAME_XSS = XSS.slice(0, XSS.indexOf('<script>'))

let srv, browser, adminTok, managerTok

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
  adminTok = await srv.account('admin')
  managerTok = await srv.account('8001')
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

// Opens an el-select (wrapped in [data-test=testId]) and clicks the option
// whose text contains `text`, in that select's own dropdown (its input
// names the listbox by aria-controls), so a closing dropdown elsewhere
// can never be picked by mistake.
// Opens a settings page from the navigation's settings menu.
async function nav(page, name) {
  await page.click('[data-test=nav-admin]')
  await menuItem(page, `.el-dropdown-menu:visible [data-test=nav-${name}]`)
}

// The settings pages the navigation offers: opens the menu, reads it, closes it.
async function adminNav(page) {
  if (!(await page.locator('[data-test=nav-admin]').count())) return []
  await page.click('[data-test=nav-admin]')
  const menu = page.locator('.el-dropdown-menu:visible')
  await menu.waitFor()
  const names = await menu.locator('[data-test^=nav-]').evaluateAll((els) => els.map((e) => e.dataset.test.slice(4)))
  await page.click('[data-test=nav-admin]')
  await menu.waitFor({ state: 'hidden' })
  return names
}

// A screenshot once the "saved" toasts are gone, so they hide nothing.
async function shot(page, name) {
  await page.locator('.el-message').first().waitFor({ state: 'detached' })
  await screenshot(page, name)
}

async function personByWorkNo(workNo) {
  const r = await srv.call('GET', '/api/people?q=' + encodeURIComponent(workNo), undefined, adminTok)
  assert.equal(r.status, 200)
  return r.body.items.find((p) => p.work_no === workNo)
}

async function isDisabled(page, sel) {
  return page.locator(sel).evaluate((el) => {
    const box = el.closest('.el-checkbox, .el-switch') || el
    return box.classList.contains('is-disabled') || !!box.querySelector('input:disabled') || el.disabled === true
  })
}

const created = { workNo: '9101', name: '测试员甲', password: '' }

test('ORG-1..3: admin creates a staff member with a superior and sees the initial password once', async () => {
  const page = await newPage(browser)
  await login(page, srv, 'admin')
  await nav(page, 'people')
  await page.waitForSelector('[data-test=people-table]')

  await page.click('[data-test=person-create]')
  await page.waitForSelector('[data-test=person-work-no]')
  // The work number field has the focus: typing starts at once.
  await page.waitForFunction(() => document.activeElement && document.activeElement.dataset.test === 'person-work-no')
  await page.keyboard.type(created.workNo)
  await page.fill('[data-test=person-name]', created.name)
  await page.fill('[data-test=person-phone]', '13800009101')
  await pick(page, 'person-department', '城市客服部')
  await pick(page, 'person-superior', '孙强（2001）')
  await page.click('[data-test=role-staff]')
  // ORG-4: only the manager certifies; admin is not offered the switch.
  assert.equal(await isDisabled(page, '[data-test=person-certified]'), true)
  assert.equal(await isDisabled(page, '[data-test=role-admin]'), false, 'admin may grant admin')
  await page.click('[data-test=person-save]')

  const once = page.locator('[data-test=once-password]')
  await once.waitFor()
  created.password = await once.inputValue()
  assert.match(created.password, /^\S{16}$/)
  assert.match(await page.textContent('[data-test=once-warning]'), /只显示这一次/)
  await page.click('[data-test=once-close]')
  await once.waitFor({ state: 'hidden' })
  assert.ok(!(await page.content()).includes(created.password), 'the password is gone from the page once closed')
  await page.locator('[data-test=person-name-cell]', { hasText: created.name }).waitFor()

  const p = await personByWorkNo(created.workNo)
  const sun = await personByWorkNo('2001')
  assert.equal(p.department_id, 3)
  assert.equal(p.superior_id, sun.id)
  assert.deepEqual(p.roles, ['staff'])
  assert.equal(p.certified, false)
  const r = await srv.call('POST', '/api/login', { work_no: created.workNo, password: created.password })
  assert.equal(r.status, 200, 'the new person logs in with the initial password')
  assert.equal(r.body.person.must_change_password, true)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('ORG-1: admin edits a name (only that field is sent), disables the person and resets a password', async () => {
  const page = await newPage(browser)
  await login(page, srv, 'admin')
  await page.goto(srv.url + '/admin/people')
  await page.fill('[data-test=people-q]', created.workNo)
  await page.press('[data-test=people-q]', 'Enter')
  await page.locator(`[data-test=person-edit-${created.workNo}]`).click()
  assert.equal(await page.locator('[data-test=person-work-no]').isDisabled(), true, 'the work number never changes')
  await page.fill('[data-test=person-name]', '测试员乙')
  await page.press('[data-test=person-name]', 'Enter')
  await page.locator('[data-test=person-name-cell]', { hasText: '测试员乙' }).waitFor()
  let p = await personByWorkNo(created.workNo)
  assert.equal(p.name, '测试员乙')
  const audit = await srv.call('GET', `/api/audit?action=person.update&entity_id=${p.id}`, undefined, adminTok)
  assert.equal(audit.status, 200)
  assert.deepEqual(Object.keys(audit.body.items[0].detail.fields), ['name'], 'a PATCH sends only what changed')

  await page.click(`[data-test=person-toggle-${created.workNo}]`)
  await confirmBox(page)
  await page.waitForFunction((w) => document.querySelector(`[data-test=person-status-${w}]`).textContent.includes('已停用'), created.workNo)
  p = await personByWorkNo(created.workNo)
  assert.equal(p.active, false)
  const r = await srv.call('POST', '/api/login', { work_no: created.workNo, password: created.password })
  assert.equal(r.status, 401, 'a disabled person cannot log in')

  // Nobody disables themselves: the admin's own row offers no such button.
  await page.fill('[data-test=people-q]', 'admin')
  await page.click('[data-test=people-search]')
  assert.equal(await page.locator('[data-test=person-toggle-admin]').isDisabled(), true)

  // Admin resets 2003's password and sees the new one once.
  await page.fill('[data-test=people-q]', '2003')
  await page.click('[data-test=people-search]')
  await page.click('[data-test=person-reset-2003]')
  await confirmBox(page)
  const once = page.locator('[data-test=once-password]')
  await once.waitFor()
  const fresh = await once.inputValue()
  await page.click('[data-test=once-close]')
  await once.waitFor({ state: 'hidden' })
  const r2 = await srv.call('POST', '/api/login', { work_no: '2003', password: fresh })
  assert.equal(r2.status, 200)
  assert.equal(r2.body.person.must_change_password, true)

  // Filters: disabled people only, then a role.
  // Each step waits for the answer to the search it caused, then for the
  // table to show it: the table of the search before may already have the
  // number of rows the next one expects.
  const peopleAnswer = (part) => page.waitForResponse((r) => r.url().includes('/api/people?') && r.url().includes(part))
  await page.fill('[data-test=people-q]', '')
  let answered = peopleAnswer('active=false')
  await page.click('[data-test=people-active] label:has-text("已停用")')
  let body = await (await answered).json()
  assert.deepEqual(body.items.map((x) => x.name), ['测试员乙'])
  await page.waitForFunction(() => [...document.querySelectorAll('[data-test=person-name-cell]')].map((e) => e.textContent).join() === '测试员乙')
  await page.click('[data-test=people-active] label:has-text("全部")')
  answered = peopleAnswer('role=agent')
  await pick(page, 'people-role', '客服专员')
  body = await (await answered).json()
  assert.equal(body.items.length, 7)
  assert.ok(body.items.every((x) => x.roles.includes('agent')))
  await page.waitForFunction((names) => [...document.querySelectorAll('[data-test=person-name-cell]')].map((e) => e.textContent).join() === names, body.items.map((x) => x.name).join())
  await shot(page, 'admin-people')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('people list pages with a cursor: "load more" appends the next page', async () => {
  // 24 demo people plus those made above; 50 a page: make enough for two.
  for (let i = 0; i < 30; i++) {
    const r = await srv.call('POST', '/api/people', { work_no: 'bulk' + i, name: '批量' + i, roles: ['agent'], department_id: 2 }, adminTok)
    assert.equal(r.status, 201)
  }
  const page = await newPage(browser)
  await login(page, srv, 'admin')
  await page.goto(srv.url + '/admin/people')
  await page.waitForSelector('[data-test=people-more]')
  assert.equal(await page.locator('[data-test=person-name-cell]').count(), 50)
  await page.click('[data-test=people-more]')
  await page.locator('[data-test=person-name-cell]', { hasText: '批量29' }).waitFor()
  await page.waitForSelector('[data-test=people-more]', { state: 'detached' })
  const all = await srv.call('GET', '/api/people?limit=500', undefined, adminTok)
  assert.equal(await page.locator('[data-test=person-name-cell]').count(), all.body.items.length)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('WO-2: the manager changes A1\'s callback deadline from 10 to 15 minutes in the rules editor', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await nav(page, 'rules')
  await page.waitForSelector('[data-test=classes-table]')
  assert.match(await page.textContent('[data-test=classes-note]'), /之后创建的工单/)
  assert.equal(await page.inputValue('[data-test=class-A1-callback_min]'), '10')
  await page.fill('[data-test=class-A1-callback_min]', '15')
  await page.click('[data-test=class-save-A1]')
  await page.waitForSelector('[data-test=class-saved-A1]')
  await shot(page, 'admin-rules')

  const classes = await srv.call('GET', '/api/wo/classes', undefined, managerTok)
  const a1 = classes.body.items.find((c) => c.code === 'A1')
  assert.equal(a1.callback_min, 15)
  assert.equal(a1.onsite_min, 60, 'only the changed field was sent')
  const audit = await srv.call('GET', '/api/audit?action=wo.class.update', undefined, managerTok)
  const entry = audit.body.items.find((e) => e.detail && e.detail.code === 'A1')
  assert.ok(entry, 'audited as wo.class.update')
  assert.deepEqual(entry.detail.fields, { callback_min: [10, 15] })

  // An empty deadline is "no such deadline" (null); Enter saves the row.
  await page.fill('[data-test=class-B-resolve_min]', '')
  await page.press('[data-test=class-B-resolve_min]', 'Enter')
  await page.waitForSelector('[data-test=class-saved-B]')
  const b = (await srv.call('GET', '/api/wo/classes', undefined, managerTok)).body.items.find((c) => c.code === 'B')
  assert.equal(b.resolve_min, null)

  // kefu's 422 shows in the cell of the field it names.
  await page.fill('[data-test=class-A2-warn_pct]', '120')
  await page.click('[data-test=class-save-A2]')
  const cell = page.locator('td:has([data-test=class-A2-warn_pct]) .cell-error')
  await cell.waitFor()
  assert.match(await cell.textContent(), /warn_pct/)
  await page.click('[data-test=class-undo-A2]')
  assert.equal(await page.inputValue('[data-test=class-A2-warn_pct]'), '80')

  // Levels (WO-3) are shown read only.
  await page.click('#tab-levels')
  await page.waitForSelector('[data-test=levels-table]')
  assert.match(await page.textContent('[data-test=levels-table]'), /情绪稳定，涉及业务纠纷，需要现场处理/)
  assert.equal(await page.locator('[data-test=levels-table] input').count(), 0)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('WO-10: the manager adds a complaint type (XSS probe as name and script) and deactivates it', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.goto(srv.url + '/admin/rules?tab=complaints')
  await page.waitForSelector('[data-test=complaints-table]')
  await page.click('[data-test=complaint-create]')
  await page.waitForSelector('[data-test=complaint-code]')
  await page.fill('[data-test=complaint-code]', 'test_probe')
  await page.fill('[data-test=complaint-name]', NAME_XSS)
  await pick(page, 'complaint-class', 'A2')
  await pick(page, 'complaint-level', 'Ⅲ')
  await pick(page, 'complaint-kind', '集团市场部')
  await page.fill('[data-test=complaint-script]', XSS)
  await page.click('[data-test=complaint-save]')
  await page.waitForSelector('[data-test=complaint-status-test_probe]')

  const row = page.locator('tr:has([data-test=complaint-status-test_probe])')
  assert.equal(await row.locator('[data-test=complaint-name-cell]').textContent(), NAME_XSS)
  assert.equal(await row.locator('[data-test=complaint-script-cell]').textContent(), XSS)
  assert.equal(await page.evaluate(() => window.__xss), undefined)

  let r = await srv.call('GET', '/api/wo/complaints', undefined, managerTok)
  let t = r.body.items.find((x) => x.code === 'test_probe')
  assert.deepEqual([t.name, t.class, t.level, t.department_kind, t.script, t.active], [NAME_XSS, 'A2', 'Ⅲ', 'group_market', XSS, true])

  // The code is fixed after creation.
  await page.click('[data-test=complaint-edit-test_probe]')
  assert.equal(await page.locator('[data-test=complaint-code]').isDisabled(), true)
  await page.click('[data-test=complaint-dialog] button:has-text("取消")')

  await page.click('[data-test=complaint-toggle-test_probe]')
  await page.waitForFunction(() => document.querySelector('[data-test=complaint-status-test_probe]').textContent.includes('停用'))
  r = await srv.call('GET', '/api/wo/complaints?active=false', undefined, managerTok)
  t = r.body.items.find((x) => x.code === 'test_probe')
  assert.equal(t.active, false, 'deactivated, not deleted')

  // The "active" filter hides it.
  await page.click('[data-test=complaints-active] label:has-text("启用")')
  await page.waitForSelector('[data-test=complaint-status-test_probe]', { state: 'detached' })
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a new complaint type needs only its Chinese name: the code is generated', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.goto(srv.url + '/admin/rules?tab=complaints')
  await page.waitForSelector('[data-test=complaints-table]')
  await page.click('[data-test=complaint-create]')
  await page.waitForSelector('[data-test=complaint-name]')
  // The name has the focus; the code is left empty.
  await page.waitForFunction(() => document.activeElement?.dataset.test === 'complaint-name')
  await page.fill('[data-test=complaint-name]', '商品与描述不符')
  await pick(page, 'complaint-class', 'A1')
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/wo/complaints') && r.request().method() === 'POST')
  await page.click('[data-test=complaint-save]')
  const body = await (await saved).json()
  assert.match(body.code, /^type_\d+$/)
  assert.equal(body.name, '商品与描述不符')
  const row = page.locator(`tr:has([data-test=complaint-status-${body.code}])`)
  await row.waitFor()
  assert.equal(await row.locator('[data-test=complaint-name-cell]').textContent(), '商品与描述不符')
  await page.context().close()
})

test('ROUTE-2: the manager adds a routing rule; deleting the only rule of a class shows the 422', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.goto(srv.url + '/admin/rules?tab=routing')
  await page.waitForSelector('[data-test=routes-table]')
  const before = (await srv.call('GET', '/api/wo/routes', undefined, managerTok)).body.items

  await page.click('[data-test=route-create]')
  await page.waitForSelector('[data-test=route-dialog]')
  await pick(page, 'route-class', 'B ')
  await page.click('[data-test=route-onsite-true]')
  await page.click('[data-test=route-target-department]')
  await pick(page, 'route-kind', '城市客服部')
  await pick(page, 'route-owner', '吴刚（2002）')
  await page.click('[data-test=route-save]')
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=routes-table] tbody tr').length === n, before.length + 1)

  const after = (await srv.call('GET', '/api/wo/routes', undefined, managerTok)).body.items
  const added = after.find((x) => !before.some((y) => y.id === x.id))
  const wu = await personByWorkNo('2002')
  assert.deepEqual([added.class, added.onsite, added.target, added.department_kind, added.department_id, added.owner_id], ['B', true, 'department', 'city_service', null, wu.id])

  // C has one rule for either case: deleting it would leave C unroutable.
  const c = after.find((x) => x.class === 'C')
  await page.click(`[data-test=route-delete-${c.id}]`)
  await confirmBox(page)
  const err = page.locator('[data-test=route-error]')
  await err.waitFor()
  assert.match(await err.textContent(), /每个类别都必须保留/)
  assert.match(await err.textContent(), /C 类在无需上门时将没有路由/)
  const still = (await srv.call('GET', '/api/wo/routes', undefined, managerTok)).body.items
  assert.ok(still.some((x) => x.id === c.id), 'the rule is still there')
  await shot(page, 'admin-routing')

  // The added rule can go again: B keeps its rule for either case.
  await page.click(`[data-test=route-delete-${added.id}]`)
  await confirmBox(page)
  await page.waitForSelector(`[data-test=route-delete-${added.id}]`, { state: 'detached' })
  assert.equal((await srv.call('GET', '/api/wo/routes', undefined, managerTok)).body.items.length, before.length)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('the manager changes a setting; a value out of range is shown beside its field', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.goto(srv.url + '/admin/rules?tab=settings')
  await page.waitForSelector('[data-test=setting-callback_due_min]')
  assert.equal(await page.inputValue('[data-test=setting-callback_due_min]'), '120')
  await page.fill('[data-test=setting-callback_due_min]', '90')
  await page.click('[data-test=settings-save]')
  // Saved: nothing left to save. A loading button is disabled as well, so
  // the wait is for one that is disabled and no longer loading.
  await page.waitForFunction(() => {
    const b = document.querySelector('[data-test=settings-save]')
    return b.disabled && !b.classList.contains('is-loading')
  })
  let s = await srv.call('GET', '/api/wo/settings', undefined, managerTok)
  assert.equal(s.body.callback_due_min, 90)
  const audit = await srv.call('GET', '/api/audit?action=wo.setting.update', undefined, managerTok)
  assert.deepEqual(audit.body.items[0].detail.fields, { callback_due_min: [120, 90] })

  await page.fill('[data-test=setting-retention_years]', '99')
  await page.click('[data-test=settings-save]')
  const item = page.locator('.el-form-item:has([data-test=setting-retention_years]) .el-form-item__error')
  await item.waitFor()
  assert.equal(await item.textContent(), '归档保留年限：1 至 30')
  s = await srv.call('GET', '/api/wo/settings', undefined, managerTok)
  assert.equal(s.body.retention_years, 3)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a person form that breaks several rules shows each field\'s error at once, in Chinese', async () => {
  const page = await newPage(browser)
  await login(page, srv, 'admin')
  await nav(page, 'people')
  await page.waitForSelector('[data-test=people-table]')
  await page.click('[data-test=person-create]')
  await page.waitForSelector('[data-test=person-work-no]')
  await page.fill('[data-test=person-work-no]', 'bad no!')
  await page.click('[data-test=person-save]')
  const errorOf = (testId) => page.locator(`.el-form-item:has([data-test=${testId}]) .el-form-item__error`)
  await errorOf('person-work-no').waitFor()
  assert.equal((await errorOf('person-work-no').textContent()).trim(), "工号：1 至 32 个字母、数字、'_'、'-' 或 '.'")
  assert.equal((await errorOf('person-name').textContent()).trim(), '姓名：1 至 64 个字符')
  assert.equal((await errorOf('person-roles').textContent()).trim(), '人员至少需要一个角色')
  assert.equal(await page.locator('[data-test=person-error]').count(), 0, 'nothing is left for the alert')
  const r = await srv.call('GET', '/api/people?q=' + encodeURIComponent('bad no!'), undefined, adminTok)
  assert.deepEqual(r.body.items, [])
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('departments: XSS probe as a name and a head, shown as text everywhere; 409 "still in use" shown clearly', async () => {
  // A person named with the probe, through the API.
  let r = await srv.call('POST', '/api/people', { work_no: 'probe1', name: NAME_XSS, roles: ['staff'], department_id: 7 }, adminTok)
  assert.equal(r.status, 201)
  const probe = r.body

  const page = await newPage(browser)
  await login(page, srv, 'admin')
  await nav(page, 'departments')
  await page.waitForSelector('[data-test=dept-table]')
  await page.click('[data-test=dept-create]')
  await page.waitForSelector('[data-test=dept-name]')
  await page.fill('[data-test=dept-name]', NAME_XSS)
  await pick(page, 'dept-kind', '其他')
  await pick(page, 'dept-parent', '客服中心')
  await pick(page, 'dept-head', 'probe1')
  await page.click('[data-test=dept-save]')
  await page.waitForSelector('[data-test=dept-dialog]', { state: 'hidden' })
  const cell = page.locator('[data-test=dept-name-cell]', { hasText: '<img' })
  await cell.waitFor()
  assert.equal(await cell.textContent(), NAME_XSS)
  const row = page.locator('tr:has([data-test=dept-name-cell]:has-text("<img"))')
  assert.match(await row.textContent(), /其他/)
  assert.ok((await row.textContent()).includes(`${NAME_XSS}（probe1）`), 'the head is shown as text')
  r = await srv.call('GET', '/api/departments', undefined, adminTok)
  const dept = r.body.items.find((d) => d.name === NAME_XSS)
  assert.deepEqual([dept.kind, dept.parent_id, dept.head_id], ['other', 2, probe.id])

  // People still belong to 城市客服部: kefu answers 409, the page says why.
  await page.click('[data-test=dept-delete-3]')
  await confirmBox(page)
  const err = page.locator('[data-test=dept-error]')
  await err.waitFor()
  assert.match(await err.textContent(), /不能删除“城市客服部”：仍有人员或下级部门属于该部门/)
  await shot(page, 'admin-departments')
  assert.equal(await page.evaluate(() => window.__xss), undefined)

  // Move the probe person into the probe department and give them a
  // subordinate: the names show as text in the people table, its filters
  // and the superior picker.
  r = await srv.call('PATCH', `/api/people/${probe.id}`, { department_id: dept.id }, adminTok)
  assert.equal(r.status, 200)
  const zhao = await personByWorkNo('8104')
  r = await srv.call('PATCH', `/api/people/${zhao.id}`, { superior_id: probe.id }, adminTok)
  assert.equal(r.status, 200)
  await nav(page, 'people')
  await page.fill('[data-test=people-q]', 'probe1')
  await page.press('[data-test=people-q]', 'Enter')
  const prow = page.locator('tr:has([data-test=person-edit-probe1])')
  await prow.waitFor()
  assert.equal(await prow.locator('[data-test=person-name-cell]').textContent(), NAME_XSS)
  assert.equal((await prow.textContent()).split(NAME_XSS).length - 1, 2, 'name and department as text')
  await page.fill('[data-test=people-q]', '8104')
  await page.press('[data-test=people-q]', 'Enter')
  const zrow = page.locator('tr:has([data-test=person-edit-8104])')
  await zrow.waitFor()
  assert.ok((await zrow.textContent()).includes(`${NAME_XSS}（probe1）`), 'the superior as text')
  await page.click('[data-test=person-edit-8104]')
  await page.waitForSelector('[data-test=person-superior]')
  assert.ok((await page.textContent('[data-test=person-superior]')).includes(`${NAME_XSS}（probe1）`), 'the chosen superior as text')
  await page.click('[data-test=person-superior] .el-select__wrapper')
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: 'probe1' })
  await option.waitFor()
  // Close the list by choosing the same superior again: Escape could reach
  // the dialog instead and close it.
  await option.click()
  await option.waitFor({ state: 'hidden' })
  await pick(page, 'person-department', '<img')
  assert.ok((await page.textContent('[data-test=person-department]')).includes(NAME_XSS), 'the department as text')
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  await page.keyboard.press('Escape')

  // A routing rule naming the probe department and owner shows both as text.
  r = await srv.call('POST', '/api/wo/routes', { class: 'B', onsite: false, target: 'department', department_id: dept.id, owner_id: probe.id }, adminTok)
  assert.equal(r.status, 201)
  await page.goto(srv.url + '/admin/rules?tab=routing')
  const rrow = page.locator(`tr:has([data-test=route-edit-${r.body.id}])`)
  await rrow.waitFor()
  const rtext = await rrow.textContent()
  assert.ok(rtext.includes(`${NAME_XSS}${NAME_XSS}（probe1）`), 'department and owner as text')
  assert.ok(rtext.includes(`${NAME_XSS} → ${NAME_XSS}（probe1）`), 'where orders go, as text')
  assert.equal(await page.evaluate(() => window.__xss), undefined)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('permissions in the UI: hr sees People without roles; staff and agents see no admin pages', async () => {
  // hr 7001: People yes (roles and skills disabled, no create, no reset), no Rules or Departments.
  let page = await newPage(browser)
  await login(page, srv, '7001')
  await page.waitForSelector('[data-test=nav-admin]')
  assert.deepEqual(await adminNav(page), ['people'])
  await nav(page, 'people')
  await page.waitForSelector('[data-test=person-edit-2002]')
  assert.equal(await page.locator('[data-test=person-create]').count(), 0)
  assert.equal(await page.locator('[data-test=person-reset-2002]').count(), 0)
  await page.click('[data-test=person-edit-2002]')
  await page.waitForSelector('[data-test=roles-locked]')
  assert.equal(await isDisabled(page, '[data-test=role-staff]'), true, 'hr cannot set roles')
  assert.equal(await isDisabled(page, '[data-test=skill-tech_service]'), true, 'hr cannot set skills')
  assert.equal(await isDisabled(page, '[data-test=person-certified]'), true, 'hr cannot certify')
  // Basic fields are hr's to change.
  await page.fill('[data-test=person-phone]', '13900002002')
  await page.click('[data-test=person-save]')
  await page.waitForSelector('[data-test=person-dialog]', { state: 'hidden' })
  assert.equal((await personByWorkNo('2002')).phone, '13900002002')
  await page.goto(srv.url + '/admin/rules')
  await page.waitForSelector('[data-test=notfound]')
  assert.match(await page.textContent('[data-test=notfound]'), /没有权限/)
  assert.deepEqual(page.problems, [])
  await page.context().close()

  // The manager may set roles but not grant admin; only the manager certifies.
  page = await newPage(browser)
  await login(page, srv, '8001')
  await page.goto(srv.url + '/admin/people')
  await page.click('[data-test=person-edit-8103]')
  await page.waitForSelector('[data-test=role-agent]')
  assert.equal(await isDisabled(page, '[data-test=role-agent]'), false)
  assert.equal(await isDisabled(page, '[data-test=role-admin]'), true, 'only admin grants admin')
  assert.equal(await isDisabled(page, '[data-test=person-certified]'), false, 'the manager certifies (ORG-4)')
  assert.deepEqual(page.problems, [])
  await page.context().close()

  // staff 2001: no admin entries; the page itself is refused.
  page = await newPage(browser)
  await login(page, srv, '2001')
  assert.deepEqual(await adminNav(page), [])
  await page.goto(srv.url + '/admin/people')
  await page.waitForSelector('[data-test=notfound]')
  assert.match(await page.textContent('[data-test=notfound]'), /没有权限/)
  await page.context().close()

  // agent 8101: no Rules.
  page = await newPage(browser)
  await login(page, srv, '8101')
  assert.deepEqual(await adminNav(page), [])
  await page.goto(srv.url + '/admin/rules')
  await page.waitForSelector('[data-test=notfound]')
  await page.context().close()
})
