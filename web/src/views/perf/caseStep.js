// What the case pages (penalties, proposals, grievance award) share: one
// step of a case is a dialog of a few fields posted to the step's route,
// each error beside its field, the list read again after; and the list
// itself, read by cursor with a state filter. Amounts travel in fen and
// are shown in yuan.
import { reactive } from 'vue'
import { ElMessage } from 'element-plus'
import { post, getAll } from '../../api.js'
import { t } from '../../i18n/index.js'
import { useFormError } from '../../components/admin/helpers.js'
import { useCursorList } from '../../cursorList.js'

export function useStep(fields, reload) {
  const step = reactive({ open: false, busy: false, title: '', path: '', kind: '', row: null, body: {} })
  const form = useFormError(fields)

  function open(kind, title, path, row, body) {
    Object.assign(step, { open: true, kind, title, path, row, body: { ...(body || {}) } })
    form.clear()
  }

  // Sends the dialog's body (through shape, when the page must convert a
  // field, yuan to fen say); 201 and 200 alike close it.
  async function send(shape) {
    step.busy = true
    form.clear()
    try {
      await post(step.path, shape ? shape({ ...step.body }) : step.body)
      step.open = false
      ElMessage.success(t('app.done'))
      await reload()
    } catch (e) {
      form.set(e)
    } finally {
      step.busy = false
    }
  }

  return { step, form, open, send }
}

// The list of a case kind, newest first, filtered by state ('' for all).
export function useCases(path) {
  const { list, more, restart } = useCursorList(path)
  const filter = reactive({ state: '' })
  const reload = () => restart(filter.state ? { state: filter.state } : {})
  return { list, more, filter, reload }
}

// Active people holding one of roles, for the pickers.
export async function peopleWith(...roles) {
  const all = await getAll('/api/people').catch(() => [])
  return all.filter((p) => p.active && (p.roles || []).some((r) => roles.includes(r)))
}

export const yuan = (fen) => (Number(fen || 0) / 100).toFixed(2)
export const toFen = (y) => (y === null || y === undefined || y === '' ? undefined : Math.round(Number(y) * 100))
