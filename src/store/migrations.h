/*
 * migrations — the numbered schema changes, oldest first.
 *
 * Migration N brings the schema from version N-1 to N (PRAGMA user_version).
 * The pending ones are applied together, in one transaction with the
 * version bump (store_migrate_to), so a failed upgrade leaves the database
 * as it was. Each opens with a comment whose first sentence says what it
 * does: kefu migrate --dry-run prints it. Never edit a migration
 * that has shipped: add a new one.
 */
#ifndef KEFU_STORE_MIGRATIONS_H
#define KEFU_STORE_MIGRATIONS_H

extern const char *const store_migrations[];
extern const int store_migrations_count;
/* One line per migration, from the first sentence of its comment above;
 * build/gen/migration_notes.c, written by mk/migration-notes.sh. */
extern const char *const store_migration_notes[];
extern const int store_migration_notes_count;

#endif
