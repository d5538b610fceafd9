/* Unit tests of src/kb/kb_seed.c: Markdown documents with front matter, the
 * scripts file kefu ships (WO-10, CALL-3, CALL-9, CB-2, CUST-5) and its
 * loading into a new database. */
#include "testutil.h"

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "export/export.h"
#include "kb/kb.h"
#include "store/store.h"
#include "wo/wo_config.h"

static int has(const struct kb_doc_list *l, const char *item)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->item[i], item) == 0)
			return 1;
	return 0;
}

static int doc_has(const struct kb_doc *d, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= d->body_len; i++)
		if (memcmp(d->body + i, s, n) == 0)
			return 1;
	return 0;
}

static void parses_documents_one_after_another(void **state)
{
	static const char text[] = "a preamble, skipped\n"
				   "---\n"
				   "slot: complaint\n"
				   "title: 无法支付\n"
				   "complaints: pay_failed, pay_no_order\n"
				   "classes: [A1]\n"
				   "tags: 支付，余额、 \"换卡\"\n"
				   "source: 000 第三章\n"
				   "---\n"
				   "\n"
				   "第一行\n"
				   "| a | b |\n"
				   "|---|---|\n"
				   "\n"
				   "---\n"
				   "title: 文章\n"
				   "---\n"
				   "正文\n";
	struct kb_doc d;
	struct err_info ei = {0};
	size_t pos = 0;

	(void)state;
	assert_int_equal(kb_doc_next(text, sizeof(text) - 1, &pos, &d, &ei), 1);
	assert_string_equal(d.kind, "script");
	assert_string_equal(d.slot, "complaint");
	assert_string_equal(d.title, "无法支付");
	assert_string_equal(d.source, "000 第三章");
	assert_int_equal(d.complaints.n, 2);
	assert_string_equal(d.complaints.item[1], "pay_no_order");
	assert_int_equal(d.classes.n, 1);
	assert_string_equal(d.classes.item[0], "A1");
	assert_int_equal(d.tags.n, 3);
	assert_string_equal(d.tags.item[1], "余额");
	assert_string_equal(d.tags.item[2], "换卡");
	assert_int_equal(d.line, 2);
	/* Blank lines around the body dropped; a table's |---| is not a rule. */
	assert_int_equal(d.body_len, strlen("第一行\n| a | b |\n|---|---|"));
	assert_memory_equal(d.body, "第一行\n| a | b |\n|---|---|", d.body_len);

	assert_int_equal(kb_doc_next(text, sizeof(text) - 1, &pos, &d, &ei), 1);
	assert_string_equal(d.kind, "article");
	assert_string_equal(d.slot, "");
	assert_string_equal(d.title, "文章");
	assert_int_equal(d.body_len, strlen("正文"));
	assert_int_equal(d.line, 15);
	assert_int_equal(kb_doc_next(text, sizeof(text) - 1, &pos, &d, &ei), 0);
}

static void refuses_what_is_malformed(void **state)
{
	static const char *const bad[] = {
		"---\ntitle: x\n",		       /* never closed */
		"---\ntitle: x\ncolour: red\n---\nb",  /* unknown field */
		"---\ntitle x\n---\nb",		       /* no colon */
		"---\nslot: x\n---\nb",		       /* no title */
		"---\ntitle: x\nslot: lunch\n---\nb",  /* unknown slot */
		"---\ntitle: x\nkind: script\n---\nb", /* a script without a slot */
		"---\ntitle: x\nkind: memo\n---\nb",   /* unknown kind */
		"---\ntitle: x\ntags: a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n---\nb", /* 17 tags */
	};
	struct kb_doc d;
	struct err_info ei;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t pos = 0;

		memset(&ei, 0, sizeof(ei));
		assert_int_equal(kb_doc_next(bad[i], strlen(bad[i]), &pos, &d, &ei),
				 ERR_UNPROCESSABLE);
		assert_non_null(strstr(ei.message, "line "));
	}
}

static void one_file_round_trips(void **state)
{
	static const char md[] = "---\n"
				 "title: 退款到账时间\n"
				 "kind: article\n"
				 "category: 退款\n"
				 "tags: 退款, 到账\n"
				 "classes: A1\n"
				 "---\n"
				 "\n"
				 "## 原因\n"
				 "---\n"
				 "支付宝1-2个工作日\n";
	struct kb_doc d, back;
	struct err_info ei = {0};
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(kb_doc_parse_one(md, sizeof(md) - 1, &d, &ei), 0);
	assert_string_equal(d.category, "退款");
	/* In one file a "---" line belongs to the body. */
	assert_int_equal(d.body_len, strlen("## 原因\n---\n支付宝1-2个工作日"));
	assert_int_equal(kb_doc_write(&d, &out), 0);
	assert_int_equal(kb_doc_parse_one(buf_str(&out), out.len, &back, &ei), 0);
	assert_string_equal(back.title, d.title);
	assert_string_equal(back.kind, "article");
	assert_string_equal(back.category, "退款");
	assert_int_equal(back.tags.n, 2);
	assert_string_equal(back.tags.item[1], "到账");
	assert_string_equal(back.classes.item[0], "A1");
	assert_int_equal(back.body_len, d.body_len);
	assert_memory_equal(back.body, d.body, d.body_len);
	buf_release(&out);

	/* Without front matter the first heading is the title. */
	{
		static const char bom[] = "\xEF\xBB\xBF# 标题\n\n正文";

		assert_int_equal(kb_doc_parse_one(bom, sizeof(bom) - 1, &d, &ei), 0);
	}
	assert_string_equal(d.title, "标题");
	assert_string_equal(d.kind, "article");
	assert_int_equal(d.body_len, strlen("正文"));
	assert_int_equal(kb_doc_parse_one("no title here", 13, &d, &ei), ERR_UNPROCESSABLE);
}

static void list_json_escapes(void **state)
{
	struct kb_doc_list l = {2, {"a\"b", "退款"}};
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(kb_doc_list_json(&l, &out), 0);
	assert_string_equal(buf_str(&out), "[\"a\\\"b\",\"退款\"]");
	buf_release(&out);
}

/* Every script of the file kefu ships, parsed. */
static int shipped(struct kb_doc *docs, int max)
{
	struct err_info ei = {0};
	size_t pos = 0;
	int n = 0, rc;

	while ((rc = kb_doc_next(kefu_kb_scripts_md, kefu_kb_scripts_md_len, &pos, &docs[n],
				 &ei)) == 1)
		if (++n == max)
			break;
	if (rc < 0)
		print_error("kb-scripts.md: %s\n", ei.message);
	assert_true(rc >= 0);
	return n;
}

static struct kb_doc docs[64];

static void the_shipped_scripts_parse(void **state)
{
	int n = shipped(docs, 64), opening = 0, closing = 0, outbound = 0, callback = 0,
	    addressing = 0, forbidden = 0;

	(void)state;
	assert_true(n >= 20);
	for (int i = 0; i < n; i++) {
		const struct kb_doc *d = &docs[i];

		assert_string_equal(d->kind, "script");
		/* Each names its seed and section. */
		assert_true(strlen(d->source) > 4);
		assert_true(d->source[0] == '0' && d->source[1] == '0');
		assert_true(d->body_len > 0);
		/* Transcribed into simplified Chinese: none of 000's traditional forms
		 * or pinyin, nor 001's 旳. */
		assert_false(doc_has(d, "務") || doc_has(d, "您們") || doc_has(d, "旳") ||
			     doc_has(d, "(yīng)") || doc_has(d, "請"));
		if (strcmp(d->slot, "opening") == 0) {
			opening++;
			/* CALL-3: the center's name and the agent's work number. */
			assert_true(doc_has(d, "{center}"));
			assert_true(doc_has(d, "工号{agent_no}为您服务"));
		}
		closing += strcmp(d->slot, "closing") == 0 && doc_has(d, "评价");
		/* CALL-9: who is calling, whom, the purpose. */
		outbound += strcmp(d->slot, "outbound") == 0 && doc_has(d, "{center}") &&
			    doc_has(d, "请问是XX先生/女士吗");
		/* CB-2: identity, company and work number, convenient, clear. */
		callback += strcmp(d->slot, "callback") == 0 && doc_has(d, "工号是{agent_no}") &&
			    doc_has(d, "方便接听电话") && doc_has(d, "是否已经清楚");
		addressing += strcmp(d->slot, "addressing") == 0 && doc_has(d, "请问您贵姓") &&
			      doc_has(d, "请问您是XX先生/女士吗");
		forbidden += strcmp(d->slot, "forbidden") == 0 && doc_has(d, "| 我管不了 |") &&
			     doc_has(d, "这不是我的工作");
	}
	assert_int_equal(opening, 1);
	assert_int_equal(closing, 1);
	assert_int_equal(outbound, 1);
	assert_int_equal(callback, 1);
	assert_int_equal(addressing, 1);
	assert_int_equal(forbidden, 1);
}

/* WO-10: the refund timings per payment method, and the two refund branches. */
static void the_refund_scripts_say_the_rulebook(void **state)
{
	int n = shipped(docs, 64), seen = 0;

	(void)state;
	for (int i = 0; i < n; i++) {
		if (has(&docs[i].complaints, "refund_not_arrived")) {
			assert_true(doc_has(&docs[i], "立即到账"));
			assert_true(doc_has(&docs[i], "1-2个工作日"));
			assert_true(doc_has(&docs[i], "2-7个工作日"));
			seen++;
		}
		if (has(&docs[i].complaints, "refund_used")) {
			assert_true(doc_has(&docs[i], "点击申请退款按钮即可"));
			assert_true(doc_has(&docs[i], "无法申请退款"));
			assert_true(doc_has(&docs[i], "报备市场部门"));
			seen++;
		}
	}
	assert_int_equal(seen, 2);
}

struct codes {
	int n;
	char code[64][WO_CONFIG_CODE_MAX + 1];
};

static int complaint_row(void *ctx, const struct wo_config_complaint *c)
{
	struct codes *k = ctx;

	if (k->n < 64)
		snprintf(k->code[k->n++], sizeof(k->code[0]), "%s", c->code);
	return 0;
}

/* WO-10: every active type of the seeded catalogue has its script, loaded
 * as published with its complaint types in kb_applies, once. */
static void every_complaint_type_has_a_script(void **state)
{
	struct store *s = test_store_open();
	struct codes k = {0};
	int n = shipped(docs, 64);
	int64_t count = 0;

	(void)state;
	assert_true(wo_config_complaint_list(s, 1, complaint_row, &k) >= 16);
	for (int i = 0; i < k.n; i++) {
		int found = 0;

		for (int j = 0; j < n; j++)
			found += strcmp(docs[j].slot, "complaint") == 0 &&
				 has(&docs[j].complaints, k.code[i]);
		if (!found)
			print_error("no script for complaint type %s\n", k.code[i]);
		assert_true(found >= 1);
	}

	assert_int_equal(kb_seed(s, 1700000000000), n);
	assert_int_equal(kb_seed(s, 1700000000001), 0); /* once */
	assert_int_equal(
		store_run(s,
			  "SELECT count(*) FROM kb_article WHERE kind = 'script' AND"
			  " state = 'published' AND published_version = 1 AND source <> ''",
			  &count, ""),
		1);
	assert_int_equal(count, n);
	assert_int_equal(
		store_run(s, "SELECT count(DISTINCT code) FROM kb_applies WHERE kind = 'complaint'",
			  &count, ""),
		1);
	assert_int_equal(count, k.n);
	assert_int_equal(store_run(s,
				   "SELECT count(*) FROM kb_version v JOIN kb_article a"
				   " ON a.id = v.article_id WHERE a.slot = 'opening'"
				   " AND instr(v.body, '{agent_no}') > 0",
				   &count, ""),
			 1);
	assert_int_equal(count, 1);
	test_store_close(s);
}

struct got {
	int n;
	char title[4][KB_DOC_TITLE_MAX * 4 + 1], kind[4][16], slot[4][16], body[4][256];
	int tags[4], line[4];
	int fail_at; /* doc() fails at this document, -1 never */
};

static int got_doc(void *ctx, struct kb_doc *d)
{
	struct got *g = ctx;

	if (g->n == g->fail_at)
		return ERR_CONFLICT;
	if (g->n < 4) {
		snprintf(g->title[g->n], sizeof(g->title[0]), "%s", d->title);
		snprintf(g->kind[g->n], sizeof(g->kind[0]), "%s", d->kind);
		snprintf(g->slot[g->n], sizeof(g->slot[0]), "%s", d->slot);
		snprintf(g->body[g->n], sizeof(g->body[0]), "%.*s", (int)d->body_len, d->body);
		g->tags[g->n] = d->tags.n;
		g->line[g->n] = d->line;
	}
	g->n++;
	return 0;
}

/* A workbook as GET /api/kb/export.xlsx lays it out (title, subtitle, header,
 * rows), written by export/ and read back by kb_xlsx_docs. */
static void xlsx_rows_become_documents(void **state)
{
	static const char *const heads[] = {"编号", "类型", "用途", "标题", "标签", "正文"};
	struct export_book *b = export_book_new();
	struct export_sheet *sh = export_sheet_add(b, "知识库");
	struct buf out = BUF_INIT;
	struct err_info ei = {0};
	struct got g = {0};

	(void)state;
	g.fail_at = -1;
	export_title(sh, "知识库文章与话术");
	export_subtitle(sh, "已发布版本");
	for (int i = 0; i < 6; i++)
		export_header(sh, 0, i, 1, 1, heads[i], NULL);
	export_int(sh, 0, 0, 7, NULL);
	export_text(sh, 0, 1, "话术", NULL);
	export_text(sh, 0, 2, "complaint", NULL);
	export_text(sh, 0, 3, "退款不成功 & <到账>", NULL);
	export_text(sh, 0, 4, "退款、到账", NULL);
	export_text(sh, 0, 5, "## 到账\n\n银行卡2-7个工作日", NULL);
	export_text(sh, 1, 3, "第二篇", NULL); /* no kind: an article, no body */
	export_text(sh, 2, 5, "没有标题的行被跳过", NULL);
	assert_int_equal(export_write(b, &out, &ei), 0);

	assert_int_equal(kb_xlsx_docs((const unsigned char *)out.p, out.len, got_doc, &g, &ei), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.title[0], "退款不成功 & <到账>");
	assert_string_equal(g.kind[0], "script");
	assert_string_equal(g.slot[0], "complaint");
	assert_int_equal(g.tags[0], 2);
	assert_string_equal(g.body[0], "## 到账\n\n银行卡2-7个工作日");
	assert_int_equal(g.line[0], 4); /* title, subtitle, header, then this row */
	assert_string_equal(g.title[1], "第二篇");
	assert_string_equal(g.kind[1], "article");
	assert_string_equal(g.body[1], "");

	/* doc()'s error stops the walk and is returned. */
	memset(&g, 0, sizeof(g));
	g.fail_at = 1;
	assert_int_equal(kb_xlsx_docs((const unsigned char *)out.p, out.len, got_doc, &g, &ei),
			 ERR_CONFLICT);
	assert_int_equal(g.n, 1);

	/* Not a workbook; a truncated one. */
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(kb_xlsx_docs((const unsigned char *)"PK\x03\x04junk", 8, got_doc, &g, &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "file");
	memset(&ei, 0, sizeof(ei));
	assert_int_equal(kb_xlsx_docs((const unsigned char *)out.p, out.len / 2, got_doc, &g, &ei),
			 ERR_UNPROCESSABLE);
	buf_release(&out);
	export_book_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_documents_one_after_another),
		cmocka_unit_test(refuses_what_is_malformed),
		cmocka_unit_test(one_file_round_trips),
		cmocka_unit_test(list_json_escapes),
		cmocka_unit_test(the_shipped_scripts_parse),
		cmocka_unit_test(the_refund_scripts_say_the_rulebook),
		cmocka_unit_test(every_complaint_type_has_a_script),
		cmocka_unit_test(xlsx_rows_become_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
