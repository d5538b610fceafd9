// Helpers shared by CallTimeline.vue and TranscriptView.vue: the clock
// text of a position in a recording, and following an <audio> element's
// position (its playhead) as a reactive number of milliseconds.
import { onBeforeUnmount, ref, watch } from 'vue'

// 83456 -> "1:23"; an hour or more -> "1:02:03".
export function fmtPos(ms) {
  let s = Math.max(0, Math.floor((ms || 0) / 1000))
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  const ss = String(s).padStart(2, '0')
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

// The position of the <audio> element given by getAudio() (a getter, so a
// prop that changes is followed), in ms: updated on timeupdate and seeks,
// and every animation frame while it plays so a playhead moves smoothly.
// seek(ms) moves the element there; before it has loaded anything the
// browser keeps the position as where playback will start.
export function useAudioPosition(getAudio) {
  const pos = ref(0)
  const playing = ref(false)
  let el = null
  let raf = 0

  const read = () => {
    if (el) pos.value = Math.round((el.currentTime || 0) * 1000)
  }
  const tick = () => {
    read()
    raf = playing.value ? requestAnimationFrame(tick) : 0
  }
  const onPlay = () => {
    playing.value = true
    if (!raf) raf = requestAnimationFrame(tick)
  }
  const onStop = () => {
    playing.value = false
    read()
  }
  const EVENTS = { timeupdate: read, seeking: read, seeked: read, play: onPlay, pause: onStop, ended: onStop }

  function attach(a) {
    if (el) for (const [k, f] of Object.entries(EVENTS)) el.removeEventListener(k, f)
    el = a || null
    if (el) {
      for (const [k, f] of Object.entries(EVENTS)) el.addEventListener(k, f)
      playing.value = !el.paused
      read()
      if (playing.value) onPlay()
    }
  }
  watch(getAudio, attach, { immediate: true })
  onBeforeUnmount(() => {
    attach(null)
    if (raf) cancelAnimationFrame(raf)
  })

  function seek(ms) {
    const t = Math.max(0, ms) / 1000
    pos.value = Math.round(t * 1000)
    if (el) el.currentTime = t
  }
  return { pos, playing, seek }
}
