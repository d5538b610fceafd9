// Where the caret goes when a dialog opens.
//
// Dialogs put the caret in their first field once the opening animation
// has ended (el-dialog's "opened"). By then a quick typist may already have
// clicked another field and started typing, and moving the caret would send
// the rest of their words into the first field. So a dialog's first field
// gets the focus only while nobody is typing in that dialog yet.
import { nextTick } from 'vue'

const TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable=true]'

// target: a component (el-input, el-select …) or an element, or a function
// that returns one when called (for refs read after the next render).
export function focusFirstField(target) {
  nextTick(() => {
    const t = typeof target === 'function' ? target() : target
    if (!t || typeof t.focus !== 'function') return
    const node = t.$el instanceof Element ? t.$el : t instanceof Element ? t : null
    const dialog = node && node.closest('.el-dialog, .el-message-box')
    const active = document.activeElement
    if (dialog && active && active !== node && dialog.contains(active) && active.matches(TYPING)) return
    t.focus()
  })
}
