// The attachments of orders and contacts (components/Attachments.vue).
import { addMessages } from './index.js'

addMessages(
  {
    'att.title': '附件',
    'att.add': '添加附件',
    'att.delete': '删除',
    'att.none': '暂无附件',
    'att.hint': '照片（JPEG、PNG、WebP）或 PDF',
    'att.added': '已添加 {name}',
    'att.confirm_delete': '删除附件 {name}？',
    'att.kind.photo': '照片',
    'att.kind.document': '文档',
    'att.kind.onsite_report': '现场报告',
  },
  {
    'att.title': 'Attachments',
    'att.add': 'Add attachment',
    'att.delete': 'Remove',
    'att.none': 'No attachments',
    'att.hint': 'Photos (JPEG, PNG, WebP) or PDF',
    'att.added': '{name} added',
    'att.confirm_delete': 'Remove the attachment {name}?',
    'att.kind.photo': 'Photo',
    'att.kind.document': 'Document',
    'att.kind.onsite_report': 'On-site report',
  },
)
