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
#include <fcntl.h>
#include <microhttpd.h>
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
