#!/bin/sh
# pinyin.sh FILE: writes C source defining kb_pinyin_initials, the first
# letter of the first Mandarin reading (kMandarin) of every character from
# U+3400 to U+9FFF, read from the Unihan database's Unihan_Readings.txt.bz2
# (Debian's unicode-data package), '-' where a character has none. The
# knowledge base's search finds 退款 by typing "tk" with it (src/kb/).
set -eu
LC_ALL=C
export LC_ALL
printf '/* Generated from %s by mk/pinyin.sh; do not edit. */\n' "$1"
bzcat "$1" | awk -F '\t' '
function hexval(s,    i, c, v) {
	v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789ABCDEF", substr(s, i, 1))
		v = v * 16 + c - 1
	}
	return v
}
BEGIN {
	first = 13312; last = 40959 # U+3400, U+9FFF
	# The toned vowels and syllabic consonants a reading may start with.
	n = split("ā a á a ǎ a à a ē e é e ě e è e ê e ō o ó o ǒ o ò o ī i í i ǐ i ì i ū u ú u ǔ u ù u ǖ v ǘ v ǚ v ǜ v ü v ń n ň n ǹ n ḿ m", m, " ")
	for (i = 1; i < n; i += 2)
		toned[m[i]] = m[i + 1]
}
$2 == "kMandarin" {
	cp = hexval(substr($1, 3))
	if (cp < first || cp > last)
		next
	r = $3
	c = substr(r, 1, 1)
	if (c ~ /[a-z]/) {
		letter[cp] = c
		next
	}
	for (t in toned)
		if (index(r, t) == 1) {
			letter[cp] = toned[t]
			break
		}
}
END {
	print "const char kb_pinyin_initials[] ="
	line = ""
	for (cp = first; cp <= last; cp++) {
		line = line ((cp in letter) ? letter[cp] : "-")
		if (length(line) == 64) {
			print "\t\"" line "\""
			line = ""
		}
	}
	if (line != "")
		print "\t\"" line "\""
	print "\t;"
}'
