#!/bin/sh
# Generates the hotline's IVR prompts: mk/prompts.sh OUTDIR
#
# Every `key = text` line of etc/prompts.txt is spoken in Mandarin by
# espeak-ng and turned by sox into OUTDIR/<key>.wav: 8000 Hz, 16-bit PCM,
# mono, silence trimmed, peaks at -3 dBFS. OUTDIR/moh.wav is the music on
# hold: a soft pattern of sine tones made by sox (no recorded music, so no
# rights to clear). kefu converts the files to G.711 itself when it loads
# them.
#
# Settings (environment):
#   KEFU_CENTER_NAME   replaces {center} in the texts (default 客服中心)
#   KEFU_PROMPT_VOICE  the espeak-ng voice (default: cmn-latn-pinyin when
#                      installed, else cmn). espeak-ng 1.51's plain "cmn"
#                      voice reads the pinyin of its own dictionary as
#                      English words ("好" as "hao three", espeak-ng issue
#                      #1236); cmn-latn-pinyin is the same Mandarin voice
#                      reading it as pinyin.
#   KEFU_PROMPT_SPEED  words a minute for espeak-ng (default 135: about
#                      150 characters a minute, the speaking rate the
#                      rulebook asks of agents, seed 000)
#   KEFU_PROMPTS       the text file (default etc/prompts.txt)
#
# The script is idempotent: the same texts give the same files. It builds
# everything in a temporary folder and then replaces OUTDIR as a whole, so
# a failure leaves the previous prompts in place. OUTDIR belongs to the
# script: it refuses a folder that has files but was not made by it.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: mk/prompts.sh OUTDIR" >&2
	exit 2
fi
out=${1%/}
root=$(cd "$(dirname "$0")/.." && pwd)
texts=${KEFU_PROMPTS:-$root/etc/prompts.txt}
speed=${KEFU_PROMPT_SPEED:-135}
marker=.kefu-prompts

. "$root/mk/prompt-voice.sh"
missing=$(prompt_tools_missing)
if [ -n "$missing" ]; then
	echo "prompts: missing:$missing (install with: apt-get install -y espeak-ng sox, or make deps)" >&2
	exit 1
fi
if [ ! -r "$texts" ]; then
	echo "prompts: cannot read $texts" >&2
	exit 1
fi
if [ -e "$out" ] && [ ! -f "$out/$marker" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
	echo "prompts: $out has files not made by this script; refusing to replace it" >&2
	exit 1
fi

voice=$(prompt_voice)

tmp="$out.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
rm -rf "$tmp"
mkdir -p "$tmp"

# key<TAB>text per prompt, with {center} filled in; a malformed line or a
# repeated key stops the build with its line number.
KEFU_CENTER_NAME=${KEFU_CENTER_NAME:-客服中心} awk '
	function trim(s) { sub(/^[ \t\r]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
	/^[ \t\r]*(#|$)/ { next }
	{
		eq = index($0, "=")
		key = trim(substr($0, 1, eq - 1))
		text = trim(substr($0, eq + 1))
		if (eq == 0 || key !~ /^[a-z0-9_]+$/ || text == "") {
			printf "prompts: %s:%d: expected key = text\n", FILENAME, NR > "/dev/stderr"
			bad = 1; exit 1
		}
		if (key == "moh" || (key in seen)) {
			printf "prompts: %s:%d: key %s used twice (moh is the music on hold)\n", FILENAME, NR, key > "/dev/stderr"
			bad = 1; exit 1
		}
		seen[key] = 1
		name = ENVIRON["KEFU_CENTER_NAME"]
		while ((i = index(text, "{center}")) > 0)
			text = substr(text, 1, i - 1) name substr(text, i + 8)
		printf "%s\t%s\n", key, text
	}
	END { if (bad) exit 1 }
' "$texts" > "$tmp/list"

tab=$(printf '\t')
count=0
while IFS="$tab" read -r key text; do
	# The text goes in on standard input, never as an argument.
	printf '%s' "$text" > "$tmp/text"
	KEFU_PROMPT_SPEED=$speed prompt_speak "$voice" "$tmp/text" "$tmp/$key.wav"
	count=$((count + 1))
done < "$tmp/list"

# Music on hold: two bars of soft sine notes (C major arpeggio and back),
# each faded in and out, about 8 s, looped by the player.
notes="523.25 659.25 783.99 1046.50 783.99 659.25 587.33 698.46
880.00 698.46 587.33 493.88 523.25 659.25 783.99 659.25"
n=0
for f in $notes; do
	n=$((n + 1))
	sox -D -n -r 8000 -c 1 -b 16 -e signed-integer "$tmp/note$n.wav" \
		synth 0.44 sine "$f" fade q 0.04 0.44 0.16 gain -16 pad 0 0.06
done
set --
i=1
while [ $i -le $n ]; do
	set -- "$@" "$tmp/note$i.wav"
	i=$((i + 1))
done
sox -D "$@" "$tmp/moh.wav"
rm -f "$tmp"/note*.wav "$tmp/text" "$tmp/list"

printf 'made by mk/prompts.sh with espeak-ng voice %s\n' "$voice" > "$tmp/$marker"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "prompts: $count prompts and moh.wav in $out (voice $voice)"
