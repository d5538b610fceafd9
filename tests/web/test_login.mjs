// Login, the first-login password change, session expiry with re-login in
// place, logout, language switch, and the security headers of the page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, launchBrowser, newPage, login, screenshot, testPassword } from './harness.mjs'

let srv, browser

before(async () => {
  srv = await new Server().start()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('the page is served with a strict CSP and cached assets', async () => {
  const r = await fetch(srv.url + '/')
  assert.equal(r.status, 200)
  const csp = r.headers.get('content-security-policy')
  assert.match(csp, /script-src 'self'(;|$)/)
  assert.doesNotMatch(csp, /unsafe-eval/)
  const html = await r.text()
  assert.doesNotMatch(html, /<script>(?!<)/, 'no inline script')
  const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)[1]
  const a = await fetch(srv.url + asset)
  assert.equal(a.status, 200)
  assert.match(a.headers.get('cache-control'), /max-age=31536000/)
  assert.match(a.headers.get('cache-control'), /immutable/)
  // The gzip copy the build leaves beside a script is sent to a client that accepts it.
  assert.equal(a.headers.get('content-encoding'), 'gzip')
  assert.match(await a.text(), /\S/)
  const plain = await fetch(srv.url + asset, { headers: { 'Accept-Encoding': 'identity' } })
  assert.equal(plain.headers.get('content-encoding'), null)
  const refused = await fetch(srv.url + asset, { headers: { 'Accept-Encoding': 'gzip;q=0' } })
  assert.equal(refused.headers.get('content-encoding'), null)
  const deep = await fetch(srv.url + '/orders/12')
  assert.equal(deep.status, 200, 'client routes fall back to index.html')
})

test('wrong password is refused; first login asks for a new password', async () => {
  const page = await newPage(browser)
  await page.goto(srv.url + '/agent')
  await page.waitForURL(/\/login\?next=/)
  await page.fill('[data-test=login-work-no]', '8102')
  await page.fill('[data-test=login-password]', 'wrong-password')
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=login-error]')
  assert.match(await page.textContent('[data-test=login-error]'), /工号或密码错误/)
  await screenshot(page, 'login')

  await page.fill('[data-test=login-password]', srv.initial['8102'])
  await page.click('[data-test=login-submit]')
  await page.waitForURL(/\/agent$/)
  const dialog = page.locator('.el-dialog:has([data-test=pw-submit])')
  await dialog.waitFor()
  await page.fill('[data-test=pw-old]', srv.initial['8102'])
  await page.fill('[data-test=pw-new]', testPassword('8102'))
  await page.fill('[data-test=pw-repeat]', testPassword('8102'))
  await page.click('[data-test=pw-submit]')
  await dialog.waitFor({ state: 'hidden' })
  srv.passwords['8102'] = testPassword('8102')
  const r = await srv.call('POST', '/api/login', { work_no: '8102', password: testPassword('8102') })
  assert.equal(r.status, 200)
  assert.equal(r.body.person.must_change_password, false)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('an expired session asks for the password in place and keeps the page', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.goto(srv.url + '/me')
  await page.fill('[data-test=pw-old]', 'typed but not saved')
  // 31 minutes without use end the session (session_idle_min = 30).
  await srv.advance(31 * 60 * 1000)
  await page.click('[data-test=pw-submit]')
  await page.waitForSelector('[data-test=relogin-password]')
  await page.fill('[data-test=relogin-password]', srv.passwords['8001'])
  await page.click('[data-test=relogin-submit]')
  await page.waitForSelector('[data-test=relogin-password]', { state: 'hidden' })
  assert.match(page.url(), /\/me$/)
  assert.equal(await page.inputValue('[data-test=pw-old]'), 'typed but not saved')
  await page.context().close()
})

test('language switch changes the whole page and is remembered', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  assert.match(await page.textContent('header'), /坐席监控/)
  await page.click('[data-test=lang]')
  await page.waitForFunction(() => document.querySelector('header').textContent.includes('Wallboard'))
  assert.equal(await page.getAttribute('html', 'lang'), 'en')
  await page.reload()
  await page.waitForSelector('[data-test=user-menu]')
  assert.match(await page.textContent('header'), /Wallboard/)
  await page.click('[data-test=lang]')
  await page.waitForFunction(() => document.querySelector('header').textContent.includes('坐席监控'))
  await page.context().close()
})

test('logout ends the session', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8101')
  await page.click('[data-test=user-menu]')
  await page.click('[data-test=logout]')
  await page.waitForURL(/\/login/)
  await page.goto(srv.url + '/agent')
  await page.waitForURL(/\/login/)
  await page.context().close()
})

test('ORG-3: an agent sets the phone (SIP) password on their own page', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8104')
  await page.goto(srv.url + '/me')
  await page.fill('[data-test=sip-password]', 'short')
  await page.click('[data-test=sip-submit]')
  await page.waitForSelector('[data-test=sip-form] .el-form-item__error')
  await page.fill('[data-test=sip-password]', 'phone-pass-8104')
  await page.click('[data-test=sip-submit]')
  await page.waitForSelector('.el-message--success')
  const mgr = await srv.account('8001')
  const r = await srv.call('GET', '/api/audit?action=sip.password', undefined, mgr)
  assert.equal(r.status, 200)
  assert.equal(r.body.items.filter((e) => e.actor === '8104' && e.outcome === 'ok').length, 1)
  assert.doesNotMatch(JSON.stringify(r.body), /phone-pass-8104/, 'the password is never in the audit log')
  // People who take no calls are not offered a phone password.
  const staff = await newPage(browser)
  await login(staff, srv, '2003')
  await staff.goto(srv.url + '/me')
  await staff.waitForSelector('[data-test=pw-submit]')
  assert.equal(await staff.locator('[data-test=sip-form]').count(), 0)
  await staff.context().close()
  await page.context().close()
})
