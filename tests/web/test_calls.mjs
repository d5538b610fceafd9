// The call log page (issue 12, QA-1): the manager finds a call in the list
// with the filters, opens it, and sees what happened (its events), the
// compliance metrics and a player that fetches the recording with the
// session cookie — the playback is audited by the server — with the
// timeline of who spoke when beside it. The office may
// read the log but the player is not offered to it. The calls are rows
// written into the database as the call engine writes them, with a WAV in
// the server's recordings folder.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Server, launchBrowser, newPage, login, screenshot } from './harness.mjs'

let srv, browser, recDir, manager
let recorded, other

const sql = (text) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, text], { encoding: 'utf8' }).trim()

// One second of 16-bit 8 kHz stereo: a tone on the left (caller), silence on the right.
function stereoWav(file) {
  const frames = 8000
  const data = Buffer.alloc(frames * 4)
  for (let i = 0; i < frames; i++) data.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 4)
  const h = Buffer.alloc(44)
  h.write('RIFF', 0)
  h.writeUInt32LE(36 + data.length, 4)
  h.write('WAVEfmt ', 8)
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20)
  h.writeUInt16LE(2, 22)
  h.writeUInt32LE(8000, 24)
  h.writeUInt32LE(32000, 28)
  h.writeUInt16LE(4, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36)
  h.writeUInt32LE(data.length, 40)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, Buffer.concat([h, data]))
}

before(async () => {
  recDir = mkdtempSync(path.join(tmpdir(), 'kefu-web-rec-'))
  srv = await new Server().start({ KEFU_RECORDINGS_DIR: recDir })
  browser = await launchBrowser()
  manager = await srv.account('8001')
  const now = await srv.advance(0)
  const t0 = now - 3600000
  const agent = sql("SELECT id FROM person WHERE work_no = '8103'")
  const metrics = JSON.stringify({ ring_ms: 7200, rings: 2, call2_ok: true, hold_count: 1, hold_total_ms: 20000, holds_over_15s: 1, hold_over_2min: false, talk_ms: 65000, agent_hung_up_first: false, dead_air_count: 1, dead_air_ms: 4000, dead_air_max_ms: 4000 })
  recorded = Number(
    sql(`INSERT INTO call(sip_call_id, caller, called, started_at, answered_at, ended_at, ended_by, route, digits, queue, queued_at, agent_id, connected_at, outcome, hangup_first, recording, recording_ms, metrics)
         VALUES ('web-rec-1', '13900139000', '4000000000', ${t0}, ${t0 + 50}, ${t0 + 80000}, 'caller', 'tech_service', '2', 'tech_service', ${t0 + 4000}, ${agent}, ${t0 + 11200}, 'answered', 'caller', 'pending', 1000, '${metrics}') RETURNING id`),
  )
  sql(`UPDATE call SET recording = '2026/12/${recorded}.wav' WHERE id = ${recorded}`)
  const ev = [
    [0, 'invite', null],
    [50, 'answered', '{"codec":"PCMA","pt":8,"event_pt":101}'],
    [3000, 'digit', '{"digit":"2","via":"info"}'],
    [3010, 'route', '{"route":"tech_service"}'],
    [4000, 'queued', '{"queue":"tech_service"}'],
    [11200, 'connected', `{"agent_id":${agent}}`],
    [80000, 'ended', '{"by":"caller","outcome":"answered","reason":"bye"}'],
    [80500, 'recorded', `{"file":"2026/12/${recorded}.wav","ms":1000,"bytes":32044}`],
  ]
  for (const [at, kind, detail] of ev) sql(`INSERT INTO call_event(call_id, at, kind, detail) VALUES (${recorded}, ${t0 + at}, '${kind}', ${detail ? `'${detail}'` : 'NULL'})`)
  stereoWav(path.join(recDir, '2026', '12', `${recorded}.wav`))
  other = Number(
    sql(`INSERT INTO call(sip_call_id, caller, called, started_at, ended_at, ended_by, route, queue, queued_at, outcome)
         VALUES ('web-rec-2', '13700137000', '4000000000', ${t0 + 600000}, ${t0 + 660000}, 'caller', 'market_consult', 'market_consult', ${t0 + 603000}, 'abandoned') RETURNING id`),
  )
})

after(async () => {
  await browser?.close()
  await srv?.stop()
  if (recDir) rmSync(recDir, { recursive: true, force: true })
})

test('the manager finds a call, sees its events and metrics, and plays its recording', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8001')
  await page.click('[data-test=nav-calls]')
  await page.waitForURL((u) => u.pathname === '/calls')
  await page.waitForSelector(`[data-test=call-row-${other}]`)
  assert.equal(await page.locator(`[data-test=call-row-${recorded}]`).count(), 1)

  // The filters narrow the list: the answered call by the last 4 digits of its number.
  await page.click('[data-test=calls-outcome] .el-select')
  await page.click('[data-test=calls-outcome-answered]')
  await page.fill('[data-test=calls-number]', '9000')
  // The list the search asked for, once drawn: the old rows go before the new
  // ones come, so neither the old row's going nor a count in between says
  // the new list is there.
  const searched = page.waitForResponse((x) => {
    const u = new URL(x.url())
    return u.pathname === '/api/calls' && u.searchParams.get('number') === '9000'
  })
  await page.click('[data-test=calls-search]')
  assert.equal((await searched).status(), 200)
  await page.locator(`[data-test=call-row-${other}]`).waitFor({ state: 'detached' })
  await page.locator(`[data-test=call-row-${recorded}]`).waitFor()
  assert.equal(await page.locator(`[data-test=call-row-${recorded}]`).count(), 1)
  assert.deepEqual(await page.locator('[data-test=call-row-caller]').allTextContents(), ['139****9000'])
  const q = new URL(page.url()).searchParams
  assert.equal(q.get('outcome'), 'answered')
  assert.equal(q.get('number'), '9000')

  await page.click(`[data-test=call-row-${recorded}]`)
  const detail = page.locator(`[data-test=call-detail][data-call="${recorded}"]`)
  await detail.locator('[data-test=call-events]').waitFor()
  const kinds = await detail.locator('[data-test=call-event]').evaluateAll((els) => els.map((e) => e.dataset.kind))
  assert.deepEqual(kinds, ['invite', 'answered', 'digit', 'route', 'queued', 'connected', 'ended', 'recorded'])
  const text = await detail.locator('[data-test=call-events]').textContent()
  assert.match(text, /按键 2/)
  assert.match(text, /坐席接通/)
  assert.match(text, /杨帆（8103）/)
  assert.match(await detail.locator('[data-test=metric-ring_ms]').textContent(), /振铃时长\s*0分07秒/)
  assert.match(await detail.locator('[data-test=metric-rings]').textContent(), /2/)
  assert.match(await detail.locator('[data-test=metric-holds_over_15s]').textContent(), /超过 15 秒的保持\s*1/)
  assert.equal(await detail.locator('[data-test=metric-holds_over_15s]').getAttribute('class'), 'bad')
  assert.match(await detail.locator('[data-test=metric-dead_air_ms]').textContent(), /冷场总时长\s*0分04秒/)
  // Rule IDs are in the tooltips, not the labels.
  assert.doesNotMatch(await detail.textContent(), /CALL-\d|QA-\d/)
  assert.equal(await detail.locator('[data-test=metric-ring_ms] th').getAttribute('title'), 'CALL-2')

  // The player asks for nothing until played; then it loads with the session cookie, audited.
  const audited = () => srv.call('GET', `/api/audit?action=call.recording.play&entity=call&entity_id=${recorded}`, undefined, manager)
  assert.equal((await audited()).body.items.length, 0)
  const player = detail.locator('[data-test=call-player]')
  assert.equal(await player.getAttribute('preload'), 'none')
  assert.equal(await player.getAttribute('src'), `/api/calls/${recorded}/recording`)
  const duration = await player.evaluate(
    (a) =>
      new Promise((resolve, reject) => {
        a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true })
        a.addEventListener('error', () => reject(new Error('audio error ' + (a.error && a.error.code))), { once: true })
        a.preload = 'auto'
        a.load()
      }),
  )
  assert.ok(Math.abs(duration - 1) < 0.05, `one second of audio, got ${duration}`)
  const entries = (await audited()).body.items
  assert.ok(entries.length >= 1)
  assert.equal(entries[0].actor, '8001')

  // The timeline beside the player (issue 15): the WAV's tone on the left
  // channel is the caller's one span of speech, the silent right channel
  // leaves the agent's lane empty; a click halfway along moves the player
  // to the middle of the recording.
  const timeline = detail.locator('[data-test=timeline]')
  await timeline.locator('[data-test=timeline-seg-caller]').first().waitFor()
  const spans = await timeline
    .locator('[data-test=timeline-seg-caller]')
    .evaluateAll((els) => els.map((e) => [Number(e.dataset.start), Number(e.dataset.end)]))
  assert.deepEqual(spans, [[0, 1000]])
  assert.equal(await timeline.locator('[data-test=timeline-seg-agent]').count(), 0)
  const track = timeline.locator('[data-test=timeline-track]')
  const box = await track.boundingBox()
  await track.click({ position: { x: box.width / 2, y: 5 } })
  await page.waitForFunction(() => Math.abs(document.querySelector('[data-test=call-player]').currentTime - 0.5) < 0.02)
  assert.equal(await timeline.locator('[data-test=timeline-playhead]').getAttribute('data-at'), '500')
  await screenshot(page, 'calls-detail')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a quality inspector opens the call log from the menu and may play the recording (QA-1)', async () => {
  const page = await newPage(browser)
  await login(page, srv, '8301')
  await page.locator('[data-test=nav-calls]').first().click()
  await page.click(`[data-test=call-row-${recorded}]`)
  const detail = page.locator(`[data-test=call-detail][data-call="${recorded}"]`)
  await detail.locator('[data-test=call-events]').waitFor()
  assert.equal(await detail.locator('[data-test=call-player]').count(), 1)
  assert.equal(await detail.locator('[data-test=call-player-denied]').count(), 0)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('the office reads the call log in English but is not offered the player', async () => {
  const page = await newPage(browser, 'en')
  await login(page, srv, '1001')
  if ((await page.textContent('[data-test=lang]')) !== '中文') await page.click('[data-test=lang]')
  await page.goto(srv.url + '/calls')
  await page.click(`[data-test=call-row-${recorded}]`)
  const detail = page.locator(`[data-test=call-detail][data-call="${recorded}"]`)
  await detail.locator('[data-test=call-events]').waitFor()
  assert.match(await detail.locator('[data-test=call-events]').textContent(), /Agent connected/)
  assert.match(await detail.locator('[data-test=metric-ring_ms]').textContent(), /Ringing time/)
  assert.equal(await detail.locator('[data-test=call-player]').count(), 0)
  assert.match(await detail.locator('[data-test=call-player-denied]').textContent(), /supervisors, the manager/)
  await page.context().close()
})
