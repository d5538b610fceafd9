// Browser tests' harness: a real kefu on loopback (a temporary database
// with the demo center, the test clock, the built workbench as web_root)
// and Debian's Chromium driven by playwright-core. Each test file starts
// its own server and browser, so files never share state.
//
// Environment: KEFU_BIN (default build/kefu), KEFU_WEB_ROOT (default
// web/dist), KEFU_SCREENSHOTS (where shots go; default build/screenshots),
// KEFU_CHROMIUM (default /usr/bin/chromium).
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, openSync, closeSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const here = path.dirname(fileURLToPath(import.meta.url))
export const root = path.resolve(here, '..', '..')
const require = createRequire(path.join(root, 'web', 'package.json'))
const { chromium } = require('playwright-core')

export const kefuBin = process.env.KEFU_BIN || path.join(root, 'build', 'kefu')
const webRoot = process.env.KEFU_WEB_ROOT || path.join(root, 'web', 'dist')
export const shotDir = process.env.KEFU_SCREENSHOTS || path.join(root, 'build', 'screenshots')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// The password every demo account gets once a test has taken it over.
export const testPassword = (workNo) => `Kefu-test-${workNo}-pw`

export class Server {
  // env: more settings for this server, e.g. { KEFU_SIP_LISTEN: '127.0.0.1:0' }.
  async start(env = {}) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'kefu-web-'))
    this.db = path.join(this.dir, 'kefu.db')
    // Recordings and attachments go to the server's own directory, removed with it.
    this.env = { ...process.env, KEFU_PWHASH: 'min', KEFU_LOG_LEVEL: 'info', KEFU_WEB_ROOT: webRoot, KEFU_RECORDINGS_DIR: path.join(this.dir, 'recordings'), KEFU_ATTACHMENTS_DIR: path.join(this.dir, 'attachments'), ...env }
    const out = execFileSync(kefuBin, ['init', '--demo', '--db', this.db], { env: this.env, encoding: 'utf8' })
    this.initial = {}
    for (const line of out.split('\n')) {
      const m = line.match(/^ {2}(\S+)\s+(\S+)\s+(\S{16})\s+(.+)$/)
      if (m) this.initial[m[1]] = m[3]
    }
    this.passwords = {}
    this.logPath = path.join(this.dir, 'server.log')
    const fd = openSync(this.logPath, 'w')
    this.proc = spawn(kefuBin, ['serve', '--db', this.db, '--listen', '127.0.0.1:0', '--test-clock'], {
      env: this.env,
      stdio: ['ignore', fd, fd],
    })
    closeSync(fd)
    for (let i = 0; i < 600 && !this.port; i++) {
      const m = readFileSync(this.logPath, 'utf8').match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//)
      if (m) this.port = Number(m[1])
      else if (this.proc.exitCode !== null) break
      else await sleep(50)
    }
    if (!this.port) throw new Error('kefu did not start:\n' + this.log())
    this.url = `http://127.0.0.1:${this.port}`
    return this
  }

  log() {
    return readFileSync(this.logPath, 'utf8')
  }

  // The first match of re in the log, waiting up to 15 s for it.
  async waitLog(re) {
    for (let i = 0; i < 300; i++) {
      const m = this.log().match(re)
      if (m) return m
      await sleep(50)
    }
    throw new Error(`not in the log: ${re}\n` + this.log().slice(-3000))
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r))
      this.proc.kill('SIGTERM')
      let timer
      const limit = new Promise((r) => (timer = setTimeout(r, 30000)))
      await Promise.race([done, limit])
      clearTimeout(timer)
    }
    const log = this.log()
    // tests/run.py names a file to keep the server's log in, and shows its
    // end when the test file fails: what kefu said is half of a diagnosis.
    if (process.env.KEFU_WEB_SERVER_LOG) appendFileSync(process.env.KEFU_WEB_SERVER_LOG, log)
    rmSync(this.dir, { recursive: true, force: true })
    if (/AddressSanitizer|runtime error:|LeakSanitizer/.test(log)) throw new Error('sanitizer report:\n' + log.slice(-6000))
  }

  // JSON over HTTP with a bearer token; returns { status, body }.
  async call(method, p, body, token) {
    const headers = { Accept: 'application/json' }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (token) headers.Authorization = 'Bearer ' + token
    const res = await fetch(this.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    let parsed = null
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    return { status: res.status, body: parsed, headers: res.headers }
  }

  // A demo account with its initial password replaced by testPassword(),
  // so the browser can log in without the first-login dialog. Returns a
  // bearer token for API calls made by the test itself.
  async account(workNo) {
    if (!this.passwords[workNo]) {
      let r = await this.call('POST', '/api/login', { work_no: workNo, password: this.initial[workNo] })
      if (r.status !== 200) throw new Error(`login ${workNo}: ${r.status} ${JSON.stringify(r.body)}`)
      r = await this.call('POST', '/api/me/password', { old_password: this.initial[workNo], new_password: testPassword(workNo) }, r.body.token)
      if (r.status !== 200) throw new Error(`password ${workNo}: ${r.status} ${JSON.stringify(r.body)}`)
      this.passwords[workNo] = testPassword(workNo)
    }
    const r = await this.call('POST', '/api/login', { work_no: workNo, password: this.passwords[workNo] })
    if (r.status !== 200) throw new Error(`login ${workNo}: ${r.status}`)
    return r.body.token
  }

  async advance(ms) {
    const r = await this.call('POST', '/api/test/clock', { advance_ms: ms })
    if (r.status !== 200) throw new Error('clock: ' + r.status)
    return r.body.now
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.KEFU_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
}

// A fresh context (its own cookies) at 1366×768, the size agents use.
// Console errors and CSP violations are collected on page.problems, so a
// test can assert none happened.
export async function newPage(browser, locale = 'zh-CN') {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale, timezoneId: 'UTC' })
  const page = await context.newPage()
  page.problems = []
  page.on('console', (m) => {
    if (m.type() === 'error' && !/401|403|404|409|422|Failed to load resource/.test(m.text())) page.problems.push(m.text())
  })
  page.on('pageerror', (e) => page.problems.push(String(e)))
  page.setDefaultTimeout(15000)
  return page
}

// Logs in through the login form and waits for the landing page.
export async function login(page, srv, workNo) {
  if (!srv.passwords[workNo]) await srv.account(workNo)
  await page.goto(srv.url + '/login')
  await page.fill('[data-test=login-work-no]', workNo)
  await page.fill('[data-test=login-password]', srv.passwords[workNo])
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=user-menu]')
}

export async function screenshot(page, name) {
  mkdirSync(shotDir, { recursive: true })
  await page.screenshot({ path: path.join(shotDir, name + '.png') })
}

// The XSS probe every free-text field gets: if it ever ran, window.__xss
// would be set; rendered as text, it shows up verbatim.
export const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

// Picks an option of an Element Plus select. `target` is the data-test of
// the select (or of an element around it), or a CSS selector. The option is
// looked for only in this select's own dropdown (the listbox its input
// names in aria-controls): another select's dropdown that is still closing
// may show an option with the same words.
//
// A single select closes its dropdown once an option is chosen; the picker
// waits for that, so the list no longer lies over the form when the test
// goes on, once the select shows the chosen option. An option chosen while
// the list was still opening can leave it open: then a click outside the
// select (on the dialog's title, or the page's heading) closes it, as a
// person would.
export async function pick(page, target, text) {
  const sel = /^[[.#]/.test(target) ? target : `[data-test=${target}]`
  await page.click(`${sel} .el-select__wrapper`)
  const id = await page.locator(`${sel} input`).first().getAttribute('aria-controls')
  // The option is clicked where it is, not at the point where it was: a list
  // that is still moving into place (it scrolls to the chosen item, flips
  // above the field) could otherwise take the click on its neighbour.
  const option = page.locator(`[id="${id}"] .el-select-dropdown__item`, { hasText: text }).first()
  await option.waitFor()
  await option.dispatchEvent('click')
  const dropdown = page.locator(`.el-select-dropdown:has([id="${id}"])`)
  if (/\bis-multiple\b/.test((await dropdown.getAttribute('class')) || '')) return
  await closeList(page, sel, id)
  await page.locator(`${sel} .el-select__wrapper`, { hasText: text }).waitFor()
}

// Closes a select's dropdown (listbox id) if it is still open.
export async function closeList(page, sel, id) {
  const list = page.locator(`[id="${id}"]`)
  try {
    await list.waitFor({ state: 'hidden', timeout: 3000 })
    return
  } catch {}
  const dialog = page.locator('.el-dialog', { has: page.locator(sel) })
  const outside = (await dialog.count()) ? dialog.locator('.el-dialog__title').first() : page.locator('main h2, h2').first()
  await outside.click()
  await list.waitFor({ state: 'hidden' })
}

// Clicks an item of an open dropdown menu (a CSS selector) as a DOM click on
// the item itself, once it is visible. A menu follows its trigger, and a
// page that re-renders under it (the wallboard refreshes every few
// seconds) can move it between the moment a click at a point is aimed and
// the moment it lands: the click then falls on the page below and nothing
// is chosen.
export async function menuItem(page, selector) {
  const item = page.locator(selector)
  await item.waitFor()
  await item.dispatchEvent('click')
}

// Confirms an ElMessageBox and waits until it has gone.
export async function confirmBox(page) {
  const box = page.locator('.el-message-box')
  await box.waitFor()
  await box.locator('.el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}
