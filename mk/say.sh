#!/bin/sh
# Speaks one text as a hotline announcement: mk/say.sh OUT.wav < text
#
# kefu runs this when a manager saves an emergency announcement whose
# source is its text (config notice_say; docs/sip.md). The voice and the
# sound are the prompts' (mk/prompt-voice.sh, shared with mk/prompts.sh):
# 8000 Hz, 16-bit PCM, mono, silence trimmed, peaks at -3 dBFS. The text
# is read from standard input, never taken as an argument.
#
# Exit status: 0 done; 2 usage; 3 espeak-ng or sox is missing (kefu
# answers 503); 1 anything else.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: mk/say.sh OUT.wav < text" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/mk/prompt-voice.sh"
missing=$(prompt_tools_missing)
if [ -n "$missing" ]; then
	echo "say: missing:$missing (install with: apt-get install -y espeak-ng sox, or make deps)" >&2
	exit 3
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kefu-say.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/text"
prompt_speak "$(prompt_voice)" "$tmp/text" "$tmp/out.wav"
mv "$tmp/out.wav" "$1"
