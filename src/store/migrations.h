/*
 * migrations — the numbered schema changes, oldest first.
 *
 * Migration N brings the schema from version N-1 to N (PRAGMA user_version).
 * Each is applied once, in one transaction with the version bump, so a
 * failed migration leaves the database as it was. Never edit a migration
 * that has shipped: add a new one.
 */
#ifndef KEFU_STORE_MIGRATIONS_H
#define KEFU_STORE_MIGRATIONS_H

extern const char *const store_migrations[];
extern const int store_migrations_count;

#endif
