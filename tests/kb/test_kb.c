/* Unit tests of src/kb's rules (issue 16): the workflow, who may read an
 * article, the line diff of two versions, validation, the scripts'
 * placeholders, and Markdown made safe by libcmark. */
#include "testutil.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "kb/kb.h"

static void workflow(void **state)
{
	enum kb_op op;

	(void)state;
	assert_string_equal(kb_transition("draft", KB_SUBMIT), "review");
	assert_string_equal(kb_transition("review", KB_APPROVE), "published");
	assert_string_equal(kb_transition("review", KB_REJECT), "draft");
	assert_string_equal(kb_transition("published", KB_RETIRE), "retired");
	assert_string_equal(kb_transition("retired", KB_RESTORE), "draft");
	/* Nothing else: no approving a draft, no publishing a retired one again. */
	assert_null(kb_transition("draft", KB_APPROVE));
	assert_null(kb_transition("draft", KB_REJECT));
	assert_null(kb_transition("draft", KB_RETIRE));
	assert_null(kb_transition("review", KB_SUBMIT));
	assert_null(kb_transition("review", KB_RETIRE));
	assert_null(kb_transition("published", KB_APPROVE));
	assert_null(kb_transition("published", KB_SUBMIT));
	assert_null(kb_transition("retired", KB_APPROVE));
	assert_null(kb_transition("retired", KB_SUBMIT));
	/* New content is always a draft; readers keep the published version. */
	assert_string_equal(kb_state_after_edit("published"), "draft");
	assert_string_equal(kb_state_after_edit("review"), "draft");
	/* Who may make each step. */
	assert_int_equal(kb_op_action(KB_SUBMIT), ACT_KB_EDIT);
	assert_int_equal(kb_op_action(KB_APPROVE), ACT_KB_REVIEW);
	assert_int_equal(kb_op_action(KB_REJECT), ACT_KB_REVIEW);
	assert_int_equal(kb_op_action(KB_RETIRE), ACT_KB_REVIEW);
	assert_int_equal(kb_op_action(KB_RESTORE), ACT_KB_REVIEW);
	assert_int_equal(kb_op_parse("restore", &op), 0);
	assert_int_equal(op, KB_RESTORE);
	assert_string_equal(kb_op_event(op), "restored");
	assert_int_equal(kb_op_parse("publish", &op), ERR_NOTFOUND);
}

static void visibility(void **state)
{
	struct kb_audience all = {0}, agents = {0}, center = {0}, both = {0};

	(void)state;
	agents.roles = ROLE_AGENT;
	center.departments[0] = 7;
	center.n_departments = 1;
	both.roles = ROLE_AGENT | ROLE_SUPERVISOR;
	both.departments[0] = 7;
	both.departments[1] = 9;
	both.n_departments = 2;
	/* Nothing published: nobody reads it. */
	assert_false(kb_visible(&all, 0, ROLE_AGENT, 7));
	assert_true(kb_visible(&all, 1, ROLE_STAFF, 3));
	assert_true(kb_visible(&agents, 2, ROLE_AGENT, 3));
	assert_true(kb_visible(&agents, 2, ROLE_SUPERVISOR | ROLE_AGENT, 3));
	assert_false(kb_visible(&agents, 2, ROLE_STAFF, 3));
	assert_true(kb_visible(&center, 1, ROLE_STAFF, 7));
	assert_false(kb_visible(&center, 1, ROLE_AGENT, 3));
	assert_false(kb_visible(&center, 1, ROLE_AGENT, 0)); /* no department: not theirs */
	assert_true(kb_visible(&both, 1, ROLE_SUPERVISOR, 9));
	assert_false(kb_visible(&both, 1, ROLE_STAFF, 9));
	assert_false(kb_visible(&both, 1, ROLE_AGENT, 8));
}

struct diff_out {
	char text[512];
};

static int diff_collect(void *ctx, const struct kb_diff_line *l)
{
	struct diff_out *o = ctx;
	size_t n = strlen(o->text);

	snprintf(o->text + n, sizeof(o->text) - n, "%c%.*s|", l->op, (int)l->len, l->text);
	return 0;
}

static void diff(void **state)
{
	struct diff_out o;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(kb_diff("a\nb\nc", "a\nB\nc\nd", diff_collect, &o), 0);
	assert_string_equal(o.text, " a|-b|+B| c|+d|");
	memset(&o, 0, sizeof(o));
	assert_int_equal(kb_diff("same\n", "same\n", diff_collect, &o), 0);
	assert_string_equal(o.text, " same|");
	memset(&o, 0, sizeof(o));
	/* CRLF and LF lines are the same line. */
	assert_int_equal(kb_diff("一\r\n二\r\n", "一\n二\n三\n", diff_collect, &o), 0);
	assert_string_equal(o.text, " 一| 二|+三|");
	memset(&o, 0, sizeof(o));
	assert_int_equal(kb_diff("", "new", diff_collect, &o), 0);
	assert_string_equal(o.text, "+new|");
	memset(&o, 0, sizeof(o));
	assert_int_equal(kb_diff("x\ny\nz", "", diff_collect, &o), 0);
	assert_string_equal(o.text, "-x|-y|-z|");
	memset(&o, 0, sizeof(o));
	/* A moved line: the longest common part is kept, the rest removed and added. */
	assert_int_equal(kb_diff("1\n2\n3\n4", "2\n3\n4\n1", diff_collect, &o), 0);
	assert_string_equal(o.text, "-1| 2| 3| 4|+1|");
}

static void validation(void **state)
{
	const char *why = NULL;
	int ymd = 0;

	(void)state;
	assert_true(kb_kind_valid("article"));
	assert_true(kb_kind_valid("script"));
	assert_false(kb_kind_valid("memo"));
	assert_false(kb_kind_valid(NULL));
	assert_true(kb_slot_valid("opening"));
	assert_true(kb_slot_valid("forbidden"));
	assert_false(kb_slot_valid(""));
	assert_true(kb_class_valid("A1"));
	assert_true(kb_class_valid("F"));
	assert_false(kb_class_valid("A3"));
	assert_true(kb_state_valid("retired"));
	assert_false(kb_state_valid("deleted"));
	assert_true(kb_date_parse("2026-12-07", &ymd));
	assert_int_equal(ymd, 20261207);
	assert_false(kb_date_parse("2026-02-30", &ymd));
	assert_false(kb_date_parse("2026-2-3", &ymd));
	assert_false(kb_date_parse("2026-12-07T00", &ymd));
	assert_int_equal(kb_text_valid("退款到账时间", 6, 0, &why), 0);
	assert_int_equal(kb_text_valid("退款到账时间啊", 6, 0, &why), ERR_INVALID);
	assert_int_equal(kb_text_valid("  ", 6, 0, &why), ERR_INVALID);
	assert_int_equal(kb_text_valid("a\nb", 6, 0, &why), ERR_INVALID);
	assert_int_equal(kb_text_valid("a\nb", 6, 1, &why), 0);
	assert_int_equal(kb_text_valid("a\x01", 6, 1, &why), ERR_INVALID);
	assert_int_equal(kb_text_valid("\xe9\x80", 6, 1, &why), ERR_INVALID);
}

static void stale(void **state)
{
	/* 2026-12-07 10:00 in Shanghai. */
	int64_t now = (clock_days_from_civil(2026, 12, 7) * 86400 + 2 * 3600) * 1000;

	(void)state;
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_true(kb_stale("2026-12-06", now));
	assert_false(kb_stale("2026-12-07", now)); /* due today is not yet stale */
	assert_false(kb_stale("2027-01-01", now));
	assert_false(kb_stale("", now));
	assert_false(kb_stale(NULL, now));
}

static void placeholders(void **state)
{
	struct kb_fill_values v = {"客服中心", "8101", "刘洋"}, none = {NULL, NULL, NULL};
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(
		kb_fill("您好，{center}{agent_no}号{agent_name}为您服务。{center}", &v, &b), 0);
	assert_string_equal(buf_str(&b), "您好，客服中心8101号刘洋为您服务。客服中心");
	buf_reset(&b);
	/* Unknown braces stay as they are; no values leave the placeholders. */
	assert_int_equal(kb_fill("{x} {center", &v, &b), 0);
	assert_string_equal(buf_str(&b), "{x} {center");
	buf_reset(&b);
	assert_int_equal(kb_fill("工号{agent_no}", &none, &b), 0);
	assert_string_equal(buf_str(&b), "工号{agent_no}");
	buf_release(&b);
}

static void markdown_is_made_safe(void **state)
{
	char *html = NULL;
	struct buf text = BUF_INIT;

	(void)state;
	assert_int_equal(kb_md_html("# 退款\n\n<script>alert(1)</script>\n\n"
				    "[点我](javascript:alert(1)) [官网](https://example.com) "
				    "<b onclick=\"x()\">粗</b> **重点**",
				    &html),
			 0);
	assert_non_null(strstr(html, "<h1>退款</h1>"));
	assert_non_null(strstr(html, "<strong>重点</strong>"));
	assert_non_null(strstr(html, "<a href=\"https://example.com\">官网</a>"));
	assert_non_null(strstr(html, "<a href=\"\">点我</a>"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "javascript:"));
	assert_null(strstr(html, "onclick"));
	assert_null(strstr(html, "<b "));
	free(html);
	/* Text is escaped, not taken as markup. */
	assert_int_equal(kb_md_html("a &lt; b < c", &html), 0);
	assert_string_equal(html, "<p>a &lt; b &lt; c</p>\n");
	free(html);
	/* The plain text for the index: words, no markup, no raw HTML. */
	assert_int_equal(
		kb_md_text("# 标题\n\n正文 **粗体** `代码`\n\n- 一\n- 二\n\n<div>隐藏</div>",
			   &text),
		0);
	assert_string_equal(buf_str(&text), "标题\n正文 粗体 代码\n一\n二\n");
	buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workflow),
		cmocka_unit_test(visibility),
		cmocka_unit_test(diff),
		cmocka_unit_test(validation),
		cmocka_unit_test(stale),
		cmocka_unit_test(placeholders),
		cmocka_unit_test(markdown_is_made_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
