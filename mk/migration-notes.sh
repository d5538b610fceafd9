#!/bin/sh
# migration-notes.sh FILE: writes C source defining store_migration_notes,
# one line per migration of FILE (src/store/migrations.c): the first
# sentence of the comment above each `static const char mN[]`, without its
# leading "N:", at most about 110 bytes cut at a space. kefu migrate
# --dry-run prints them; tests/store/test_migrate.c checks there is one per
# migration.
set -eu
printf '/* Generated from %s by mk/migration-notes.sh; do not edit. */\n' "$1"
printf 'const char *const store_migration_notes[] = {\n'
awk '
/^\/\*/ { inc = 1; text = ""; next }
inc && /^ \*\// { inc = 0; next }
inc { line = $0; sub(/^ \* ?/, "", line); text = text (text == "" ? "" : " ") line; next }
/^static const char m[0-9]+\[\]/ {
	t = text
	sub(/^[0-9]+: */, "", t)
	sub(/^Issue [0-9]+, */, "", t)
	if (match(t, /\. /)) t = substr(t, 1, RSTART)
	if (length(t) > 110) {
		t = substr(t, 1, 110)
		sub(/ [^ ]*$/, "", t)
		t = t " ..."
	}
	gsub(/\\/, "\\\\", t)
	gsub(/"/, "\\\"", t)
	printf "\t\"%s\",\n", t
	text = ""
}' "$1"
printf '};\nconst int store_migration_notes_count =\n'
printf '\tsizeof(store_migration_notes) / sizeof(store_migration_notes[0]);\n'
