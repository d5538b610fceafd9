// Messages of a call's timeline and transcript (qat.*):
// components/qa/CallTimeline.vue and TranscriptView.vue, shown on the call
// log and the QA review page. Rule IDs stay out of these labels.
import { addMessages } from './index.js'

addMessages(
  {
    'qat.caller': '客户',
    'qat.agent': '坐席',
    'qat.events': '事件',
    'qat.hits': '命中',
    'qat.hold': '保持',
    'qat.dead_air': '冷场',
    'qat.talk_over': '抢话',
    'qat.position': '录音播放位置',
    'qat.no_speech': '录音中没有检测到说话。',
    'qat.no_transcript': '这通电话还没有转写文本。',
    'qat.better': '建议说法：{b}',
    'qat.timeline': '通话时间轴',
  },
  {
    'qat.caller': 'Caller',
    'qat.agent': 'Agent',
    'qat.events': 'Events',
    'qat.hits': 'Hits',
    'qat.hold': 'Hold',
    'qat.dead_air': 'Dead air',
    'qat.talk_over': 'Talk-over',
    'qat.position': 'Position in the recording',
    'qat.no_speech': 'No speech was found in the recording.',
    'qat.no_transcript': 'This call has no transcript yet.',
    'qat.better': 'Better: {b}',
    'qat.timeline': 'Call timeline',
  },
)
