/*
 * Serves the built workbench from web_root. Paths are checked before any
 * file is opened (no "..", no hidden files), files are opened without
 * following links, and a path without an extension falls back to
 * index.html so the single-page app can own its own routes. Hashed assets
 * under /assets/ are cached for a year; everything else is revalidated.
 * The build leaves a gzip copy beside each large script and style sheet
 * (name.js.gz); a client that accepts gzip gets that copy, so the
 * workbench's ~1 MB of scripts crosses the network as ~0.3 MB without
 * compressing anything per request.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http.h"

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".woff", "font/woff"},
	{".ttf", "font/ttf"},
	{".wav", "audio/wav"},
	{".map", "application/json; charset=utf-8"},
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

static int path_safe(const char *p)
{
	if (p[0] != '/' || strlen(p) > 256)
		return 0;
	return !strstr(p, "/.") && !strstr(p, "//") && !strchr(p, '\\');
}

static int open_file(const char *root, const char *path, struct stat *st)
{
	char full[1024];
	int fd;

	snprintf(full, sizeof(full), "%s%s", root, path);
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Whether Accept-Encoding allows gzip (and does not refuse it with q=0). */
static int accepts_gzip(struct req *r)
{
	const char *ae = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept-Encoding");
	const char *g = ae ? strstr(ae, "gzip") : NULL;

	if (!g)
		return 0;
	g += strlen("gzip");
	g += strspn(g, " ");
	if (strncmp(g, ";q=", 3) != 0)
		return 1;
	return strtod(g + 3, NULL) > 0;
}

int static_answer(struct req *r, const char *root, void **response)
{
	const char *path = r->path;
	const char *last = strrchr(path, '/');
	struct MHD_Response *resp;
	struct stat st;
	int gzipped = 0, fd = -1;

	if (!path_safe(path))
		return ERR_NOTFOUND;
	if (strcmp(path, "/") == 0 || !strchr(last, '.'))
		path = "/index.html";
	if (accepts_gzip(r)) {
		char gz[300];

		snprintf(gz, sizeof(gz), "%s.gz", path);
		fd = open_file(root, gz, &st);
		gzipped = fd >= 0;
	}
	if (!gzipped)
		fd = open_file(root, path, &st);
	if (fd < 0)
		return ERR_NOTFOUND;
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return ERR_NOMEM;
	}
	MHD_add_response_header(resp, "Content-Type", type_of(path));
	if (gzipped)
		MHD_add_response_header(resp, "Content-Encoding", "gzip");
	MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	MHD_add_response_header(resp, "Cache-Control",
				strncmp(path, "/assets/", 8) == 0
					? "public, max-age=31536000, immutable"
					: "no-cache");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; script-src 'self'; style-src 'self' "
				"'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
				"object-src 'none'; base-uri 'none'; form-action 'self'; "
				"frame-ancestors 'none'");
	r->status = 200;
	*response = resp;
	return 0;
}

/*
 * The first and last byte a Range header asks of a file of size bytes
 * (RFC 9110 §14): 1 for a single satisfiable range, 0 to answer the whole
 * file (no header, several ranges, another unit, bad syntax: a server may
 * ignore those), ERR_UNPROCESSABLE when the range lies past the end.
 */
static int range_parse(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
	unsigned long long a = 0, b = 0;
	int has_a, has_b;
	char *end;

	if (!h || strncasecmp(h, "bytes=", 6) != 0)
		return 0;
	h += 6;
	h += strspn(h, " ");
	if (strchr(h, ','))
		return 0;
	has_a = *h >= '0' && *h <= '9';
	if (has_a) {
		errno = 0;
		a = strtoull(h, &end, 10);
		if (errno)
			return 0;
		h = end;
	}
	if (*h++ != '-')
		return 0;
	has_b = *h >= '0' && *h <= '9';
	if (has_b) {
		errno = 0;
		b = strtoull(h, &end, 10);
		if (errno)
			return 0;
		h = end;
	}
	h += strspn(h, " ");
	if (*h || (!has_a && !has_b) || (has_a && has_b && b < a))
		return 0;
	if (!has_a) {
		/* The last b bytes. */
		if (b == 0 || size == 0)
			return ERR_UNPROCESSABLE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 1;
	}
	if (a >= size)
		return ERR_UNPROCESSABLE;
	*first = a;
	*last = has_b && b < size ? b : size - 1;
	return 1;
}

int reply_file(struct req *r, int fd, const char *content_type, const char *disposition)
{
	static const char unsatisfiable[] =
		"{\"error\":{\"code\":\"range\",\"message\":\"the range starts past the end\"}}";
	struct MHD_Response *resp;
	uint64_t first = 0, last = 0, size;
	struct stat st;
	char value[96];
	int rc;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ERR_IO;
	}
	size = (uint64_t)st.st_size;
	rc = range_parse(req_header(r, "Range"), size, &first, &last);
	if (rc == ERR_UNPROCESSABLE) {
		close(fd);
		r->status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
		resp = MHD_create_response_from_buffer(
			sizeof(unsatisfiable) - 1, (void *)unsatisfiable, MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return ERR_NOMEM;
		MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
		snprintf(value, sizeof(value), "bytes */%llu", (unsigned long long)size);
		MHD_add_response_header(resp, "Content-Range", value);
	} else {
		if (rc == 0)
			last = size ? size - 1 : 0;
		r->status = rc == 1 ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK;
		resp = MHD_create_response_from_fd_at_offset64(size ? last - first + 1 : 0, fd,
							       first);
		if (!resp) {
			close(fd);
			return ERR_NOMEM;
		}
		MHD_add_response_header(resp, "Content-Type", content_type);
		MHD_add_response_header(resp, "Accept-Ranges", "bytes");
		if (rc == 1) {
			snprintf(value, sizeof(value), "bytes %llu-%llu/%llu",
				 (unsigned long long)first, (unsigned long long)last,
				 (unsigned long long)size);
			MHD_add_response_header(resp, "Content-Range", value);
		}
		if (disposition && disposition[0])
			MHD_add_response_header(resp, "Content-Disposition", disposition);
	}
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	/* Opened on its own, the file is shown in the browser's media page,
	 * which plays it from the same address. */
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; media-src 'self'; frame-ancestors 'none'");
	rc = MHD_queue_response(r->conn, r->status, resp) == MHD_YES ? 0 : ERR_IO;
	MHD_destroy_response(resp);
	return rc;
}
