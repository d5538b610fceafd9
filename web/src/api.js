// The one way the workbench talks to kefu: JSON over fetch, the session
// cookie (HttpOnly, never read by scripts), the CSRF token on every write,
// and one error type carrying kefu's {"error": {code, message, field,
// errors}}: errors lists every field's message of the request, so a form
// marks them all at once. Accept-Language asks for the workbench's language.
// A 401 anywhere but the login itself marks the session expired, so the
// shell can ask for the password again without losing the page's work.
import { session } from './session.js'
import { i18n } from './i18n/index.js'

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {}
    super(e.message || `HTTP ${status}`)
    this.status = status
    this.code = e.code || 'http_' + status
    this.field = e.field || null
    // Every field's message, the first one included: [{field, message}].
    this.errors = Array.isArray(e.errors) ? e.errors : e.field ? [{ field: e.field, message: e.message }] : []
  }

  // field -> message of every field error (the first message a field got).
  get byField() {
    const m = {}
    for (const x of this.errors) if (x && x.field && !(x.field in m)) m[x.field] = x.message
    return m
  }
}

export function qs(params) {
  if (!params) return ''
  const parts = []
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v))
  }
  return parts.length ? '?' + parts.join('&') : ''
}

export async function api(method, path, body, extraHeaders) {
  // A Blob (a File) is sent as its bytes: attachments' uploads.
  const raw = typeof Blob !== 'undefined' && body instanceof Blob
  const headers = { Accept: 'application/json', 'Accept-Language': i18n.locale, ...extraHeaders }
  if (body !== undefined && !raw) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf
  let res
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    })
  } catch (err) {
    throw new ApiError(0, { error: { code: 'network', message: String(err.message || err) } })
  }
  if (res.status === 204) return null
  let data = null
  const type = res.headers.get('Content-Type') || ''
  if (type.startsWith('application/json')) data = await res.json().catch(() => null)
  else if (res.ok) data = await res.text()
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/login') session.expire()
    throw new ApiError(res.status, data)
  }
  return data
}

export const get = (path, params) => api('GET', path + qs(params))
export const post = (path, body) => api('POST', path, body === undefined ? {} : body)
export const patch = (path, body) => api('PATCH', path, body)
export const put = (path, body) => api('PUT', path, body)
export const del = (path) => api('DELETE', path)
// A file as the body, its name in X-Filename (the server reads the type from the content).
export const upload = (path, file, params) =>
  api('POST', path + qs(params), file, {
    'Content-Type': file.type || 'application/octet-stream',
    'X-Filename': encodeURIComponent(file.name),
  })

// Reads every page of a paginated list (for small tables: departments,
// people of a department). Stops at `max` items so a mistake cannot loop.
export async function getAll(path, params, max = 5000) {
  const items = []
  let cursor = null
  do {
    const page = await get(path, { ...params, limit: 500, cursor })
    items.push(...page.items)
    cursor = page.next_cursor
  } while (cursor && items.length < max)
  return items
}
