// A list read page by page with the API's cursors (next_cursor), for pages
// that search and then "load more": the audit log, the call log.
//
// restart(params) starts a new search from the first page; more() appends
// the next page. An answer that arrives after a newer search started is
// dropped, so a slow first search never overwrites a quicker second one.
import { reactive } from 'vue'
import { get } from './api.js'

export function useCursorList(path, pageSize = 50) {
  const list = reactive({ items: [], loading: false, error: '', cursor: null, done: false })
  let params = {}
  let generation = 0

  async function more() {
    if (list.loading || list.done) return
    const gen = generation
    list.loading = true
    list.error = ''
    try {
      const page = await get(path, { ...params, limit: pageSize, cursor: list.cursor || undefined })
      if (gen !== generation) return
      list.items.push(...page.items)
      list.cursor = page.next_cursor
      list.done = !page.next_cursor
    } catch (e) {
      if (gen === generation) list.error = e.message
    } finally {
      if (gen === generation) list.loading = false
    }
  }

  async function restart(next) {
    params = next
    generation++
    Object.assign(list, { items: [], loading: false, error: '', cursor: null, done: false })
    await more()
  }

  return { list, more, restart }
}
