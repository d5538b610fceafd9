/*
 * The message catalogue (src/core/err_msg.c): every error template in src/
 * has a zh-CN form with the same conversion specifiers, so no English
 * reaches the Chinese workbench; err_set formats both; err_add collects
 * the errors of several fields; Accept-Language picks the language.
 */
#include "testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/err.h"

/* The calls whose argument at fmt_arg is an error template (kind 0), or a
 * phrase that ends up in one through a %s (kind 1). */
static const struct {
	const char *name;
	int fmt_arg;
	int kind;
} calls[] = {
	{"err_set", 3, 0},   {"err_add", 4, 0},   {"node_error", 4, 1},
	{"at_error", 4, 1},  {"text_field", 7, 1},
};

struct scan {
	int checked;
	struct buf missing; /* one line per template without a proper entry */
};

/* Reads a whole file into a NUL-ended string the caller frees. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		s = malloc((size_t)n + 1);
		if (s && fread(s, 1, (size_t)n, f) == (size_t)n)
			s[n] = '\0';
		else {
			free(s);
			s = NULL;
		}
	}
	fclose(f);
	return s;
}

/* Past the literal (string or character) starting at p. */
static const char *skip_literal(const char *p)
{
	char q = *p++;

	while (*p && *p != q)
		p += p[0] == '\\' && p[1] ? 2 : 1;
	return *p ? p + 1 : p;
}

/* Appends the text of the string literal at p (unescaped) to b. */
static void take_literal(const char *p, struct buf *b)
{
	const char *end = skip_literal(p) - 1;

	for (p++; p < end; p++) {
		if (*p == '\\') {
			p++;
			buf_printf(b, "%c", *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
		} else {
			buf_printf(b, "%c", *p);
		}
	}
}

static void check_template(struct scan *sc, const char *file, int kind, const char *t)
{
	char en_specs[128], zh_specs[128];
	const char *zh;

	sc->checked++;
	if (kind == 1) {
		if (!err_phrase_zh(t))
			buf_printf(&sc->missing, "%s: no zh-CN phrase for \"%s\"\n", file, t);
		return;
	}
	zh = err_msg_zh(t, NULL);
	if (!zh) {
		buf_printf(&sc->missing, "%s: no zh-CN entry for \"%s\"\n", file, t);
		return;
	}
	if (err_fmt_specs(t, en_specs, sizeof(en_specs)) < 0 ||
	    err_fmt_specs(zh, zh_specs, sizeof(zh_specs)) < 0 || strcmp(en_specs, zh_specs) != 0)
		buf_printf(&sc->missing, "%s: \"%s\" and \"%s\" differ in their specifiers\n", file,
			   t, zh);
}

/*
 * The argument of a call at p (just past its '('), number idx: its string
 * literals, each a template of its own when the argument chooses between
 * them (a ? b : c), else joined as the compiler joins them.
 */
static void check_call(struct scan *sc, const char *file, const char *p, int idx, int kind)
{
	int depth = 0, arg = 0, branch = 0, literals = 0;
	struct buf t = BUF_INIT;

	for (; *p; p++) {
		if (*p == '"' || *p == '\'') {
			if (arg == idx && *p == '"') {
				/* A new branch of a ? : starts a template of its own;
				 * adjacent literals in one branch are one template. */
				if (branch && t.len) {
					check_template(sc, file, kind, buf_str(&t));
					buf_reset(&t);
				}
				branch = 0;
				take_literal(p, &t);
				literals++;
			}
			p = skip_literal(p) - 1;
			continue;
		}
		if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if (*p == ')' || *p == ']' || *p == '}') {
			if (depth-- == 0)
				break;
		} else if (*p == ',' && depth == 0) {
			if (arg++ == idx)
				break;
		} else if ((*p == '?' || *p == ':') && depth == 0 && arg == idx) {
			branch = 1;
		}
	}
	if (literals)
		check_template(sc, file, kind, buf_str(&t));
	else if (kind == 0 && arg >= idx && !strstr(file, "src/core/err.c"))
		buf_printf(&sc->missing, "%s: a template that is not a literal\n", file);
	buf_release(&t);
}

static void scan_file(struct scan *sc, const char *path)
{
	char *s = slurp(path);

	assert_non_null(s);
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\'') {
			p = skip_literal(p) - 1;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e ? e + 1 : p + strlen(p) - 1;
			continue;
		}
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			size_t n = strlen(calls[i].name);
			const char *q = p + n;

			if (strncmp(p, calls[i].name, n) != 0 ||
			    (p > s && (p[-1] == '_' || isalnum((unsigned char)p[-1]))))
				continue;
			while (*q == ' ')
				q++;
			if (*q == '(')
				check_call(sc, path, q + 1, calls[i].fmt_arg, calls[i].kind);
		}
	}
	free(s);
}

static void scan_dir(struct scan *sc, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		struct stat st;
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			scan_dir(sc, path);
		else if (n > 2 && strcmp(e->d_name + n - 2, ".c") == 0)
			scan_file(sc, path);
	}
	closedir(d);
}

static void every_template_has_a_chinese_entry(void **state)
{
	struct scan sc = {0, BUF_INIT};
	char src[512];
	const char *me = __FILE__;
	const char *tail = strstr(me, "tests/core/test_err_msg.c");

	(void)state;
	/* The sources sit beside tests/, wherever the tree was compiled. */
	snprintf(src, sizeof(src), "%.*ssrc", tail ? (int)(tail - me) : 0, me);
	scan_dir(&sc, src);
	if (sc.missing.len)
		fprintf(stderr, "%s", buf_str(&sc.missing));
	assert_true(sc.checked > 300);
	assert_int_equal(sc.missing.len, 0);
	buf_release(&sc.missing);
}

static void err_set_formats_both_languages(void **state)
{
	struct err_info ei;

	(void)state;
	assert_int_equal(err_set(&ei, ERR_INVALID, "summary", "%s: required", "summary"),
			 ERR_INVALID);
	assert_string_equal(ei.field, "summary");
	assert_string_equal(ei.message, "summary: required");
	assert_string_equal(ei.message_zh, "摘要：必填");
	err_set(&ei, ERR_CONFLICT, "version",
		"someone else changed this since it was loaded (version %lld now); reload and edit "
		"again",
		7LL);
	assert_string_equal(ei.message_zh, "有人在您打开之后修改了这条记录（现在是第 7 "
					   "版）；请重新加载后再编辑");
	err_set(&ei, ERR_CONFLICT, "state", "cannot %s an order that is %s", "report", "archived");
	assert_string_equal(ei.message, "cannot report an order that is archived");
	assert_string_equal(ei.message_zh, "不能反馈结果状态为“已归档”的工单");
	/* Mixed widths: each argument is taken by its own conversion. */
	err_set(&ei, ERR_UNPROCESSABLE, NULL,
		"the RIFF size (%u bytes) does not match the file (%zu bytes)", 36u, (size_t)1234);
	assert_string_equal(ei.message_zh, "RIFF 大小（36 字节）与文件（1234 字节）不符");
	err_set(&ei, ERR_INVALID, "x", "%s: unknown field %.40s", "x",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
	assert_string_equal(ei.message_zh, "x：未知字段 abcdefghijklmnopqrstuvwxyzabcdefghijklmn");
	/* A template outside the catalogue stays English rather than vanish. */
	err_set(&ei, ERR_INVALID, NULL, "not in the catalogue %d", 3);
	assert_string_equal(ei.message_zh, "not in the catalogue 3");
	/* A reason a rule gave as a %s argument is translated too. */
	err_set(&ei, ERR_UNPROCESSABLE, "password", "%s", "password: at least 10 characters");
	assert_string_equal(ei.message_zh, "密码：至少 10 个字符");
}

static void err_add_collects_one_error_a_field(void **state)
{
	struct err_info ei;
	int rc = 0;

	(void)state;
	memset(&ei, 0xa5, sizeof(ei)); /* err_add with rc 0 starts afresh */
	rc = err_add(&ei, rc, ERR_UNPROCESSABLE, "name", "name: 1 to %d characters", 64);
	rc = err_add(&ei, rc, ERR_INVALID, "email", "email: not an email address");
	rc = err_add(&ei, rc, ERR_UNPROCESSABLE, "email", "%s: too long", "email");
	rc = err_add(&ei, rc, ERR_UNPROCESSABLE, "name", "%s: too long", "name");
	assert_int_equal(rc, ERR_UNPROCESSABLE); /* the first error's code */
	assert_string_equal(ei.field, "name");
	assert_string_equal(ei.message_zh, "名称：1 至 64 个字符");
	assert_int_equal(ei.nmore, 1);
	assert_string_equal(ei.more[0].field, "email");
	assert_string_equal(ei.more[0].message, "email: not an email address");
	assert_string_equal(ei.more[0].message_zh, "邮箱：不是有效的邮箱地址");
	/* err_set afterwards is one error again. */
	err_set(&ei, ERR_NOTFOUND, NULL, "no such customer");
	assert_int_equal(ei.nmore, 0);
	assert_int_equal(err_add(NULL, 0, ERR_INVALID, "x", "%s: required", "x"), ERR_INVALID);
	assert_int_equal(err_add(NULL, ERR_CONFLICT, ERR_INVALID, "x", "%s: required", "x"),
			 ERR_CONFLICT);
}

static void accept_language_picks_by_q_value(void **state)
{
	(void)state;
	assert_false(err_lang_english(NULL));
	assert_false(err_lang_english(""));
	assert_false(err_lang_english("zh-CN"));
	assert_false(err_lang_english("zh-CN,zh;q=0.9,en;q=0.8"));
	assert_false(err_lang_english("fr"));
	assert_false(err_lang_english("*"));
	assert_false(err_lang_english("english"));
	assert_false(err_lang_english("en;q=0"));
	assert_true(err_lang_english("en"));
	assert_true(err_lang_english("EN-us"));
	assert_true(err_lang_english("en-US,en;q=0.9,zh;q=0.8"));
	assert_true(err_lang_english("fr, zh;q=0.5, en;q=0.7"));
	assert_true(err_lang_english("en, zh"));
	assert_false(err_lang_english("zh, en"));
	assert_false(err_lang_english("en;q=0.5, zh-Hans;q=0.6"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_template_has_a_chinese_entry),
		cmocka_unit_test(err_set_formats_both_languages),
		cmocka_unit_test(err_add_collects_one_error_a_field),
		cmocka_unit_test(accept_language_picks_by_q_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
