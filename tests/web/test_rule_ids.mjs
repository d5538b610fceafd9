// Rule IDs (CALL-10, WO-2, CB-2 …) belong in code comments, tests, docs and
// tooltips, never in the labels and messages people read (issue 12): no
// message of the workbench's translation tables, in either language, and
// no template text outside comments and attribute bindings names one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { root } from './harness.mjs'

const RULE = /\b(?:CALL|CB|CUST|LED|MTG|ORG|PERF|QA|ROUTE|RPT|SEC|TRN|WFM|WO)-\d+/
const src = path.join(root, 'web', 'src')

function files(dir, ext) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), ext) : e.name.endsWith(ext) ? [path.join(dir, e.name)] : [],
  )
}

test('no message in the translation tables names a rule', () => {
  const found = []
  for (const f of files(path.join(src, 'i18n'), '.js')) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      // A message line: 'key': 'text' (or "text").
      const m = line.match(/^\s*'([^']+)':\s*(['"])(.*)\2,?\s*$/)
      if (m && RULE.test(m[3])) found.push(`${path.basename(f)}: ${m[1]}`)
    }
  }
  assert.deepEqual(found, [])
})

test('no template text names a rule (tooltips may)', () => {
  const found = []
  for (const f of files(src, '.vue')) {
    const s = readFileSync(f, 'utf8')
    const m = s.match(/<template>([\s\S]*)<\/template>/)
    if (!m) continue
    // Comments and bound attributes (:title="rule") are not text people read as a label.
    const text = m[1].replace(/<!--[\s\S]*?-->/g, '').replace(/\s:?title="[^"]*"/g, '')
    for (const line of text.split('\n')) if (RULE.test(line)) found.push(`${path.relative(src, f)}: ${line.trim()}`)
  }
  assert.deepEqual(found, [])
})
