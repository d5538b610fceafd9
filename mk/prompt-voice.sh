# Sourced by mk/prompts.sh and mk/say.sh: the hotline's voice, so that the
# prompts made at build time and the announcements spoken when a manager
# saves one sound alike (docs/media.md).
#
#   prompt_tools_missing   prints the missing tools (espeak-ng, sox), if any
#   prompt_voice           prints the espeak-ng voice: KEFU_PROMPT_VOICE, else
#                          cmn-latn-pinyin when installed, else cmn
#   prompt_speak V IN OUT  speaks the text read from IN with voice V into
#                          OUT: 8000 Hz, 16-bit PCM, mono, silence trimmed,
#                          peaks at -3 dBFS (IN is a file; the text is never
#                          an argument)

prompt_tools_missing() {
	for tool in espeak-ng sox; do
		command -v "$tool" >/dev/null 2>&1 || printf ' %s' "$tool"
	done
}

prompt_voice() {
	if [ -n "${KEFU_PROMPT_VOICE:-}" ]; then
		echo "$KEFU_PROMPT_VOICE"
	elif espeak-ng --voices=cmn 2>/dev/null | grep -q 'cmn-latn-pinyin'; then
		echo cmn-latn-pinyin
	else
		echo cmn
	fi
}

# -D: no dither, so the output is the same on every run.
prompt_speak() {
	espeak-ng -v "$1" -s "${KEFU_PROMPT_SPEED:-135}" -w "$3.raw.wav" < "$2"
	sox -D -G "$3.raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$3" \
		highpass 100 rate 8000 \
		silence 1 0.02 -45d reverse silence 1 0.02 -45d reverse \
		gain -n -3 pad 0.05 0.05
	rm -f "$3.raw.wav"
}
