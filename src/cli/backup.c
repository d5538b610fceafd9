/*
 * kefu backup and kefu restore (issue 22, SEC-1, CUST-2): copies of the
 * center's data that can be checked and brought back.
 *
 * A backup is a directory <parent>/kefu-<UTC time>/ holding kefu.db (a
 * consistent copy taken while the center works: store_backup, VACUUM INTO
 * in one read snapshot), the recordings and the attachments, and MANIFEST
 * (a line "kefu-backup 1", then "<sha256> <size> <path>" per file, of the
 * plain contents). The files are copied after the database's snapshot, and
 * kefu writes and fsyncs a file before the row that names it commits, so
 * every file the copied database names is in the backup. The directory is
 * written as <name>.partial and renamed when whole: a backup that was cut
 * short is never taken for one.
 *
 * With a key (32 random bytes, made by `kefu backup --new-key FILE`) every
 * file, the manifest included, is encrypted on the way with libsodium's
 * secretstream (XChaCha20-Poly1305, in chunks, each authenticated, the last
 * one marked final so a truncated file is refused) and named <file>.enc:
 * a copy that can leave the building.
 *
 * `kefu backup --verify COPY` re-reads every file against the manifest and
 * opens the database copy with kefu's own check. `kefu restore COPY` checks
 * the copy the same way, then puts the database in place (written beside
 * it, fsynced and renamed over it), never over a database a running kefu
 * holds (serve keeps a lock on <db>.lock) and over an existing one only
 * with --force; recordings and attachments are copied into their
 * directories.
 *
 * `kefu serve` makes the same backup itself each day at backup_at (the
 * center's time) into backup_dir, keeping the newest backup_keep, on a
 * thread of its own so that the scheduler's other ticks go on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "sched/sched.h"
#include "store/store.h"

#define CHUNK 65536
#define KEY_BYTES crypto_secretstream_xchacha20poly1305_KEYBYTES
#define ENC_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define ENC_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define PATH_MAX_B 1024

/*
 * snprintf for the paths of a backup, through vsnprintf: a path longer than
 * its buffer is cut, and then no file of that name is found or made, which
 * reports itself; ERR_TOOBIG tells the caller that cares.
 */
__attribute__((format(printf, 3, 4))) static int pathf(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? ERR_TOOBIG : 0;
}

struct key {
	int set;
	unsigned char k[KEY_BYTES];
};

/* A key file holds the 32 bytes as 64 hex digits (and a newline). */
static int key_load(const char *path, struct key *key)
{
	char hex[130];
	size_t n, len;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "kefu: cannot read key %s: %s\n", path, strerror(errno));
		return ERR_IO;
	}
	n = fread(hex, 1, sizeof(hex) - 1, f);
	fclose(f);
	hex[n] = '\0';
	while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r' || hex[n - 1] == ' '))
		hex[--n] = '\0';
	if (sodium_hex2bin(key->k, sizeof(key->k), hex, n, NULL, &len, NULL) != 0 ||
	    len != sizeof(key->k)) {
		fprintf(stderr, "kefu: %s is not a backup key (64 hex digits)\n", path);
		return ERR_INVALID;
	}
	key->set = 1;
	return 0;
}

static int key_new(const char *path)
{
	unsigned char k[KEY_BYTES];
	char hex[2 * KEY_BYTES + 1];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc = 0;

	if (fd < 0) {
		fprintf(stderr, "kefu: cannot create %s: %s\n", path, strerror(errno));
		return 1;
	}
	randombytes_buf(k, sizeof(k));
	sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	hex[2 * KEY_BYTES] = '\n';
	if (write(fd, hex, sizeof(hex)) != (ssize_t)sizeof(hex) || fsync(fd) < 0)
		rc = 1;
	close(fd);
	sodium_memzero(k, sizeof(k));
	if (rc)
		fprintf(stderr, "kefu: cannot write %s\n", path);
	else
		printf("kefu: a new backup key in %s: keep a copy apart from the backups\n", path);
	return rc;
}

static int mkdirs(const char *path)
{
	char p[PATH_MAX_B];

	pathf(p, sizeof(p), "%s", path);
	for (char *c = p + 1; *c; c++)
		if (*c == '/') {
			*c = '\0';
			if (mkdir(p, 0750) < 0 && errno != EEXIST)
				return ERR_IO;
			*c = '/';
		}
	return mkdir(p, 0750) < 0 && errno != EEXIST ? ERR_IO : 0;
}

static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return ERR_IO;
	rc = fsync(fd) < 0 ? ERR_IO : 0;
	close(fd);
	return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *at = p;

	while (n > 0) {
		ssize_t w = write(fd, at, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ERR_IO;
		at += w;
		n -= (size_t)w;
	}
	return 0;
}

static ssize_t read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (unsigned char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * Copies src to dst (created, fsynced), encrypting with the key when it is
 * set, and gives the SHA-256 and size of the plain bytes. The one writer of
 * every file in a backup.
 */
static int copy_in(const char *src, const char *dst, const struct key *key, char sha[65],
		   int64_t *size)
{
	unsigned char buf[CHUNK], out[CHUNK + ENC_ABYTES], next[CHUNK];
	crypto_secretstream_xchacha20poly1305_state st;
	crypto_hash_sha256_state h;
	unsigned char header[ENC_HEADER], digest[crypto_hash_sha256_BYTES];
	int in = open(src, O_RDONLY | O_CLOEXEC), fd = -1, rc = 0;
	ssize_t n;

	if (in < 0)
		return ERR_IO;
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		close(in);
		return ERR_IO;
	}
	crypto_hash_sha256_init(&h);
	*size = 0;
	if (key->set) {
		crypto_secretstream_xchacha20poly1305_init_push(&st, header, key->k);
		rc = write_all(fd, header, sizeof(header));
	}
	/* One chunk is read ahead, so the last one can be marked final. */
	n = read_full(in, buf, CHUNK);
	while (rc == 0 && n >= 0) {
		ssize_t m = n == CHUNK ? read_full(in, next, CHUNK) : 0;
		unsigned long long olen;

		if (m < 0) {
			rc = ERR_IO;
			break;
		}
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
		*size += n;
		if (key->set) {
			crypto_secretstream_xchacha20poly1305_push(
				&st, out, &olen, buf, (unsigned long long)n, NULL, 0,
				m == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
			rc = write_all(fd, out, (size_t)olen);
		} else {
			rc = write_all(fd, buf, (size_t)n);
		}
		if (m == 0)
			break;
		memcpy(buf, next, (size_t)m);
		n = m;
	}
	if (n < 0)
		rc = ERR_IO;
	if (rc == 0 && fsync(fd) < 0)
		rc = ERR_IO;
	close(fd);
	close(in);
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(sha, 65, digest, sizeof(digest));
	return rc;
}

/*
 * Reads a file of a backup back into plain bytes: into out_path when set
 * (fsynced), and always through the hash. ERR_INVALID when an encrypted
 * file does not open with the key or was cut short.
 */
static int copy_out(const char *src, const char *out_path, const struct key *key, char sha[65],
		    int64_t *size)
{
	unsigned char buf[CHUNK + ENC_ABYTES], plain[CHUNK];
	crypto_secretstream_xchacha20poly1305_state st;
	crypto_hash_sha256_state h;
	unsigned char header[ENC_HEADER], digest[crypto_hash_sha256_BYTES], tag = 0;
	int in = open(src, O_RDONLY | O_CLOEXEC), fd = -1, rc = 0;
	ssize_t n;

	if (in < 0)
		return ERR_NOTFOUND;
	if (out_path) {
		fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		if (fd < 0) {
			close(in);
			return ERR_IO;
		}
	}
	crypto_hash_sha256_init(&h);
	*size = 0;
	if (key->set && (read_full(in, header, sizeof(header)) != (ssize_t)sizeof(header) ||
			 crypto_secretstream_xchacha20poly1305_init_pull(&st, header, key->k) != 0))
		rc = ERR_INVALID;
	while (rc == 0) {
		unsigned long long plen;
		const unsigned char *p = buf;

		n = read_full(in, buf, key->set ? CHUNK + ENC_ABYTES : CHUNK);
		if (n < 0) {
			rc = ERR_IO;
			break;
		}
		if (n == 0)
			break;
		plen = (unsigned long long)n;
		if (key->set) {
			if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL ||
			    crypto_secretstream_xchacha20poly1305_pull(&st, plain, &plen, &tag, buf,
								       (unsigned long long)n, NULL,
								       0) != 0) {
				rc = ERR_INVALID;
				break;
			}
			p = plain;
		}
		crypto_hash_sha256_update(&h, p, plen);
		*size += (int64_t)plen;
		if (fd >= 0)
			rc = write_all(fd, p, (size_t)plen);
	}
	/* An encrypted file ends with its final chunk, or it was cut short. */
	if (rc == 0 && key->set && tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL)
		rc = ERR_INVALID;
	if (fd >= 0) {
		if (rc == 0 && fsync(fd) < 0)
			rc = ERR_IO;
		close(fd);
	}
	close(in);
	crypto_hash_sha256_final(&h, digest);
	sodium_bin2hex(sha, 65, digest, sizeof(digest));
	return rc;
}

/* Copies every regular file under dir (recursively) into the backup at rel. */
static int copy_tree(const char *dir, const char *root, const char *rel, const struct key *key,
		     struct buf *manifest, int *files)
{
	char src[PATH_MAX_B], dstdir[PATH_MAX_B], dst[PATH_MAX_B + 8], sub[PATH_MAX_B], sha[65];
	struct dirent *e;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : ERR_IO; /* nothing recorded or attached yet */
	pathf(dstdir, sizeof(dstdir), "%s/%s", root, rel);
	if (mkdirs(dstdir) < 0) {
		closedir(d);
		return ERR_IO;
	}
	while (rc == 0 && (e = readdir(d))) {
		struct stat st;
		int64_t size;

		/* Dot files are the writers' temporary files, not yet anybody's. */
		if (e->d_name[0] == '.')
			continue;
		pathf(src, sizeof(src), "%s/%s", dir, e->d_name);
		pathf(sub, sizeof(sub), "%s/%s", rel, e->d_name);
		if (lstat(src, &st) < 0)
			continue; /* gone since it was listed */
		if (S_ISDIR(st.st_mode)) {
			rc = copy_tree(src, root, sub, key, manifest, files);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		pathf(dst, sizeof(dst), "%s/%s%s", root, sub, key->set ? ".enc" : "");
		rc = copy_in(src, dst, key, sha, &size);
		if (rc == 0) {
			buf_printf(manifest, "%s %lld %s\n", sha, (long long)size, sub);
			(*files)++;
		}
	}
	closedir(d);
	if (rc == 0)
		rc = sync_path(dstdir);
	return rc;
}

static int rm_tree(const char *path)
{
	char sub[PATH_MAX_B];
	struct dirent *e;
	DIR *d = opendir(path);

	if (!d)
		return unlink(path) == 0 || errno == ENOENT ? 0 : ERR_IO;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			pathf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
	closedir(d);
	return rmdir(path) == 0 ? 0 : ERR_IO;
}

/* Writes a small text file of the backup (the manifest) through copy_in. */
static int write_text(const char *root, const char *name, const char *text, const struct key *key)
{
	char plain[PATH_MAX_B], dst[PATH_MAX_B + 8], sha[65];
	int64_t size;
	int fd, rc;

	pathf(plain, sizeof(plain), "%s/.%s.tmp", root, name);
	fd = open(plain, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return ERR_IO;
	rc = write_all(fd, text, strlen(text));
	close(fd);
	pathf(dst, sizeof(dst), "%s/%s%s", root, name, key->set ? ".enc" : "");
	if (rc == 0)
		rc = copy_in(plain, dst, key, sha, &size);
	unlink(plain);
	return rc;
}

/*
 * Makes one backup under parent; the new directory's path in out. The
 * database is read through s, in one snapshot.
 */
static int backup_make(const struct config *cfg, struct store *s, const char *parent,
		       const struct key *key, int64_t now, char *out, size_t out_size)
{
	char stamp[32], part[PATH_MAX_B], db[PATH_MAX_B + 16], dst[PATH_MAX_B + 16], sha[65];
	struct buf manifest = BUF_INIT;
	time_t t = (time_t)(now / 1000);
	struct tm tm;
	int64_t size;
	int files = 0, rc;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	pathf(out, out_size, "%s/kefu-%s", parent, stamp);
	pathf(part, sizeof(part), "%s.partial", out);
	if (access(out, F_OK) == 0)
		return ERR_CONFLICT; /* one backup a second is plenty */
	rm_tree(part);
	rc = mkdirs(part);
	buf_puts(&manifest, "kefu-backup 1\n");
	pathf(db, sizeof(db), "%s/.kefu.db.tmp", part);
	if (rc == 0)
		rc = store_backup(s, db);
	if (rc == 0) {
		pathf(dst, sizeof(dst), "%s/kefu.db%s", part, key->set ? ".enc" : "");
		rc = copy_in(db, dst, key, sha, &size);
		if (rc == 0)
			buf_printf(&manifest, "%s %lld kefu.db\n", sha, (long long)size);
		files++;
	}
	unlink(db);
	/* After the snapshot: every file it names was written before it. */
	if (rc == 0 && cfg->recordings_dir[0])
		rc = copy_tree(cfg->recordings_dir, part, "recordings", key, &manifest, &files);
	if (rc == 0 && cfg->attachments_dir[0])
		rc = copy_tree(cfg->attachments_dir, part, "attachments", key, &manifest, &files);
	if (rc == 0)
		rc = write_text(part, "MANIFEST", buf_str(&manifest), key);
	if (rc == 0)
		rc = sync_path(part);
	if (rc == 0 && rename(part, out) < 0)
		rc = ERR_IO;
	if (rc == 0)
		rc = sync_path(parent);
	buf_release(&manifest);
	if (rc < 0) {
		rm_tree(part);
		return rc;
	}
	log_info("backup: %s (%d files)", out, files);
	return 0;
}

/*
 * Checks a backup: every file of the manifest present with its hash and
 * size, and the database copy opened and checked by kefu. With keep_db
 * set, the plain database is left there for restore (the caller unlinks
 * it). Problems go to stderr; 0 when the copy is good.
 */
static int backup_verify(const char *dir, const struct key *key, const char *keep_db)
{
	char path[PATH_MAX_B + 16], tmp[PATH_MAX_B], sha[65], want[65], rel[PATH_MAX_B];
	char mpath[PATH_MAX_B + 16], *text = NULL, *line, *save = NULL;
	long long want_size;
	int64_t size;
	int problems = 0, files = 0, fd, rc;
	struct buf report = BUF_INIT;
	struct store *s = NULL;
	struct store_opts o = {NULL, 5000, 0};
	FILE *f;

	pathf(tmp, sizeof(tmp), "/tmp/kefu-verify-XXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0)
		return ERR_IO;
	close(fd);
	pathf(mpath, sizeof(mpath), "%s/MANIFEST%s", dir, key->set ? ".enc" : "");
	rc = copy_out(mpath, tmp, key, sha, &size);
	if (rc < 0) {
		fprintf(stderr, "kefu: %s: %s\n", mpath,
			rc == ERR_NOTFOUND ? "missing (not a kefu backup, or encrypted: give --key)"
			: rc == ERR_INVALID ? "does not open with this key"
					    : "cannot be read");
		unlink(tmp);
		return rc;
	}
	f = fopen(tmp, "r");
	if (f) {
		text = calloc(1, (size_t)size + 1);
		if (text && fread(text, 1, (size_t)size, f) != (size_t)size)
			rc = ERR_IO;
		fclose(f);
	}
	unlink(tmp);
	if (!text || rc < 0 || strncmp(text, "kefu-backup 1\n", 14) != 0) {
		fprintf(stderr, "kefu: %s: not a kefu backup manifest\n", mpath);
		free(text);
		return ERR_INVALID;
	}
	for (line = strtok_r(text + 14, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int is_db;

		if (sscanf(line, "%64s %lld %1023[^\n]", want, &want_size, rel) != 3) {
			fprintf(stderr, "kefu: manifest line not understood: %s\n", line);
			problems++;
			continue;
		}
		is_db = strcmp(rel, "kefu.db") == 0;
		pathf(path, sizeof(path), "%s/%s%s", dir, rel, key->set ? ".enc" : "");
		rc = copy_out(path, is_db ? keep_db : NULL, key, sha, &size);
		if (rc < 0 || strcmp(sha, want) != 0 || size != want_size) {
			fprintf(stderr, "kefu: %s: %s\n", rel,
				rc == ERR_NOTFOUND ? "missing"
				: rc == ERR_INVALID
					? "does not open with this key, or was cut short"
				: rc < 0 ? "cannot be read"
					 : "changed since the backup (hash differs)");
			problems++;
		}
		files++;
	}
	free(text);
	if (problems == 0) {
		o.path = keep_db;
		rc = store_open(&s, &o);
		if (rc == 0)
			rc = store_check(s, &report);
		store_close(s);
		if (rc != 0) {
			fprintf(stderr, "kefu: the database copy: %s%s\n",
				rc < 0 ? "cannot be opened" : "problems found\n", buf_str(&report));
			problems++;
		}
		buf_release(&report);
	}
	if (problems)
		return ERR_INVALID;
	printf("kefu: %s: ok (%d files)\n", dir, files);
	return 0;
}

/* The lock a serving kefu holds on its database (cli.h). */
int cli_lock_db(const char *db)
{
	char path[PATH_MAX_B + 8];
	int fd;

	pathf(path, sizeof(path), "%s.lock", db);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return ERR_IO;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return ERR_CONFLICT;
	}
	return fd; /* held until the process ends */
}

/* Copies a folder of the backup back into its directory, recursively. */
static int restore_tree(const char *src, const char *dest, const struct key *key)
{
	char from[PATH_MAX_B], to[PATH_MAX_B], sha[65];
	struct dirent *e;
	DIR *d = opendir(src);
	int rc;

	if (!d)
		return 0; /* the backup had none */
	rc = mkdirs(dest);
	while (rc == 0 && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct stat st;
		int64_t size;

		if (e->d_name[0] == '.')
			continue;
		pathf(from, sizeof(from), "%s/%s", src, e->d_name);
		if (lstat(from, &st) < 0)
			continue;
		if (key->set && !S_ISDIR(st.st_mode) && len > 4 &&
		    strcmp(e->d_name + len - 4, ".enc") == 0)
			len -= 4;
		pathf(to, sizeof(to), "%s/%.*s", dest, (int)len, e->d_name);
		if (S_ISDIR(st.st_mode))
			rc = restore_tree(from, to, key);
		else if (S_ISREG(st.st_mode))
			rc = copy_out(from, to, key, sha, &size);
	}
	closedir(d);
	return rc;
}

static int restore(const struct config *cfg, const char *dir, const struct key *key, int force)
{
	char tmp[PATH_MAX_B + 16], side[PATH_MAX_B + 16];
	int lock, rc;

	if (access(cfg->db, F_OK) == 0 && !force) {
		fprintf(stderr, "kefu: %s exists; restore over it only with --force\n", cfg->db);
		return 1;
	}
	lock = cli_lock_db(cfg->db);
	if (lock == ERR_CONFLICT) {
		fprintf(stderr, "kefu: %s is in use by a running kefu; stop it first\n", cfg->db);
		return 1;
	}
	if (lock < 0) {
		fprintf(stderr, "kefu: cannot lock %s: %s\n", cfg->db, strerror(errno));
		return 1;
	}
	pathf(tmp, sizeof(tmp), "%s.restore", cfg->db);
	rc = backup_verify(dir, key, tmp);
	if (rc < 0) {
		unlink(tmp);
		close(lock);
		fprintf(stderr, "kefu: %s: not restored\n", dir);
		return 1;
	}
	/* The old database's journal belongs to it, not to the copy. */
	pathf(side, sizeof(side), "%s-wal", cfg->db);
	unlink(side);
	pathf(side, sizeof(side), "%s-shm", cfg->db);
	unlink(side);
	if (rename(tmp, cfg->db) < 0) {
		fprintf(stderr, "kefu: cannot put %s in place: %s\n", cfg->db, strerror(errno));
		unlink(tmp);
		close(lock);
		return 1;
	}
	rc = 0;
	if (cfg->recordings_dir[0]) {
		pathf(side, sizeof(side), "%s/recordings", dir);
		rc = restore_tree(side, cfg->recordings_dir, key);
	}
	if (rc == 0 && cfg->attachments_dir[0]) {
		pathf(side, sizeof(side), "%s/attachments", dir);
		rc = restore_tree(side, cfg->attachments_dir, key);
	}
	close(lock);
	if (rc < 0) {
		fprintf(stderr, "kefu: the database is restored, but not all files could be\n");
		return 1;
	}
	printf("kefu: restored %s from %s\n", cfg->db, dir);
	return 0;
}

/* The UTC instant of a backup's directory name kefu-YYYYMMDDTHHMMSSZ, or -1. */
static int64_t stamp_ms(const char *name)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (strncmp(name, "kefu-", 5) != 0 || strlen(name) != 21)
		return -1;
	end = strptime(name + 5, "%Y%m%dT%H%M%SZ", &tm);
	if (!end || *end)
		return -1;
	return (int64_t)timegm(&tm) * 1000;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The backups in parent, oldest first (names sort by time): keeps the
 * newest keep and removes the rest, and any .partial left by a cut-short
 * run other than the one being written. Gives the newest one's instant.
 */
static int64_t prune(const char *parent, int keep, const char *writing)
{
	char *names[4096], path[PATH_MAX_B];
	struct dirent *e;
	int n = 0;
	int64_t newest = -1;
	DIR *d = opendir(parent);

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < (int)(sizeof(names) / sizeof(names[0]))) {
		size_t len = strlen(e->d_name);

		if (len > 8 && strcmp(e->d_name + len - 8, ".partial") == 0 &&
		    strncmp(e->d_name, "kefu-", 5) == 0 &&
		    (!writing || strcmp(e->d_name, writing))) {
			pathf(path, sizeof(path), "%s/%s", parent, e->d_name);
			if (keep > 0)
				rm_tree(path);
		} else if (stamp_ms(e->d_name) >= 0 && (names[n] = strdup(e->d_name))) {
			n++;
		}
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_names);
	for (int i = 0; i < n; i++) {
		if (keep > 0 && i < n - keep) {
			pathf(path, sizeof(path), "%s/%s", parent, names[i]);
			if (rm_tree(path) == 0)
				log_info("backup: removed %s (keeping the newest %d)", path, keep);
		} else {
			newest = stamp_ms(names[i]);
		}
		free(names[i]);
	}
	return newest;
}

/* The scheduled backup: at most one running; the day of the last one. */
static struct {
	pthread_mutex_t mu;
	int running;
	int last_ymd; /* 0: not looked yet */
} sched_state = {PTHREAD_MUTEX_INITIALIZER, 0, 0};

struct job {
	const struct config *cfg;
	int64_t now;
};

static void *backup_thread(void *arg)
{
	struct job *j = arg;
	const struct config *cfg = j->cfg;
	const struct store_opts so = {cfg->db, cfg->busy_timeout_ms, 0};
	struct key key = {0};
	struct store *s = NULL;
	char out[PATH_MAX_B];
	int rc = mkdirs(cfg->backup_dir);

	if (rc == 0 && cfg->backup_key[0])
		rc = key_load(cfg->backup_key, &key);
	if (rc == 0)
		rc = store_open(&s, &so);
	if (rc == 0)
		rc = backup_make(cfg, s, cfg->backup_dir, &key, j->now, out, sizeof(out));
	store_close(s);
	sodium_memzero(&key, sizeof(key));
	if (rc < 0)
		log_error("backup: the scheduled backup into %s failed (%d)", cfg->backup_dir, rc);
	else
		prune(cfg->backup_dir, cfg->backup_keep, NULL);
	pthread_mutex_lock(&sched_state.mu);
	sched_state.running = 0;
	pthread_mutex_unlock(&sched_state.mu);
	free(j);
	return NULL;
}

int cli_backup_tick(struct store *s, int64_t now, void *arg)
{
	const struct config *cfg = arg;
	int ymd = clock_local_ymd(now), start = 0;
	struct job *j;
	pthread_t t;
	pthread_attr_t attr;

	(void)s;
	if (!cfg->backup_dir[0] || clock_local_minute(now) < config_minute_of(cfg->backup_at))
		return 0;
	pthread_mutex_lock(&sched_state.mu);
	if (sched_state.last_ymd == 0) {
		/* After a restart, today's backup may be made already. */
		int64_t newest = prune(cfg->backup_dir, 0, NULL);

		sched_state.last_ymd = newest >= 0 ? clock_local_ymd(newest) : -1;
	}
	if (!sched_state.running && sched_state.last_ymd != ymd) {
		sched_state.running = start = 1;
		sched_state.last_ymd = ymd;
	}
	pthread_mutex_unlock(&sched_state.mu);
	if (!start)
		return 0;
	j = malloc(sizeof(*j));
	if (j) {
		j->cfg = cfg;
		j->now = now;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, backup_thread, j) != 0) {
			free(j);
			j = NULL;
		}
		pthread_attr_destroy(&attr);
	}
	if (!j) {
		pthread_mutex_lock(&sched_state.mu);
		sched_state.running = 0;
		sched_state.last_ymd = 0;
		pthread_mutex_unlock(&sched_state.mu);
		return ERR_NOMEM;
	}
	return 1;
}

int cmd_backup(int argc, char **argv)
{
	static const char usage[] =
		"usage: kefu backup [--db PATH] [--config FILE] [--key FILE] DIR\n"
		"       kefu backup --verify [--key FILE] COPY\n"
		"       kefu backup --new-key FILE\n";
	struct key key = {0};
	struct store *s = NULL;
	char out[PATH_MAX_B];
	struct cli c;
	int rc = cli_setup(&c, argc, argv, usage);

	if (rc)
		return rc;
	if (c.new_key)
		return key_new(c.new_key);
	if (c.nargs != 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (c.key_file && key_load(c.key_file, &key) < 0)
		return 1;
	if (c.verify) {
		char tmp[64] = "/tmp/kefu-verify-db-XXXXXX";
		int fd = mkstemp(tmp);

		if (fd < 0)
			return 1;
		close(fd);
		rc = backup_verify(c.args[0], &key, tmp);
		unlink(tmp);
		return rc < 0 ? 1 : 0;
	}
	if (access(c.cfg.db, F_OK) != 0) {
		fprintf(stderr, "kefu: %s does not exist\n", c.cfg.db);
		return 1;
	}
	if (mkdirs(c.args[0]) < 0) {
		fprintf(stderr, "kefu: cannot create %s: %s\n", c.args[0], strerror(errno));
		return 1;
	}
	{
		const struct store_opts so = {c.cfg.db, c.cfg.busy_timeout_ms, 0};

		rc = store_open(&s, &so);
	}
	if (rc == 0)
		rc = backup_make(&c.cfg, s, c.args[0], &key, clock_now_ms(), out, sizeof(out));
	store_close(s);
	if (rc < 0) {
		fprintf(stderr, "kefu: the backup failed\n");
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	static const char usage[] =
		"usage: kefu restore [--db PATH] [--config FILE] [--key FILE] [--force] COPY\n";
	struct key key = {0};
	struct cli c;
	int rc = cli_setup(&c, argc, argv, usage);

	if (rc)
		return rc;
	if (c.nargs != 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (c.key_file && key_load(c.key_file, &key) < 0)
		return 1;
	rc = restore(&c.cfg, c.args[0], &key, c.force);
	sodium_memzero(&key, sizeof(key));
	return rc;
}
