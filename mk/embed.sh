#!/bin/sh
# embed.sh NAME FILE: writes C source defining NAME as FILE's bytes plus a
# NUL, and NAME_len as its length, so documents ship inside the binary.
set -eu
printf '/* Generated from %s by mk/embed.sh; do not edit. */\n' "$2"
printf 'const char %s[] = {\n' "$1"
od -An -v -tx1 "$2" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
printf '0x00};\nconst unsigned long %s_len = sizeof(%s) - 1;\n' "$1" "$1"
