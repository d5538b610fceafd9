/*
 * Unit tests of the knowledge base's search (src/kb/kb_search.c and
 * kb_search_store.c, issue 16): pinyin initials from the Unihan readings,
 * query parsing of mixed Chinese and Latin, one-character queries,
 * synonyms, highlighting over escaped HTML, ranking, placeholders, and
 * the index and visibility on a real database.
 */
#include "testutil.h"

#include "core/buf.h"
#include "core/err.h"
#include "kb/kb.h"

static unsigned cp_of(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
}

static void initials_of_chinese_characters(void **state)
{
	struct buf b = BUF_INIT;
	char initials[8];
	const char *word = "退款";

	(void)state;
	initials[0] = (char)kb_pinyin_initial(cp_of(word));
	initials[1] = (char)kb_pinyin_initial(cp_of(word + 3));
	initials[2] = '\0';
	assert_string_equal(initials, "tk");
	/* Readings starting with a toned vowel or a syllabic consonant. */
	assert_int_equal(kb_pinyin_initial(cp_of("爱")), 'a'); /* ài */
	assert_int_equal(kb_pinyin_initial(cp_of("饿")), 'e'); /* è */
	assert_int_equal(kb_pinyin_initial(cp_of("中")), 'z'); /* zhōng: the first letter */
	assert_int_equal(kb_pinyin_initial('a'), 0);
	assert_int_equal(kb_pinyin_initial(0x3002), 0); /* 。 */

	/* Every run of 2..8 initials of each run of characters; Latin breaks runs. */
	assert_int_equal(kb_initials_material("退款申请 App闪退", &b), 0);
	assert_string_equal(buf_str(&b), "tk tks tksq ks ksq sq st");
	buf_release(&b);
	assert_int_equal(kb_initials_material("没有中文 abc", &b), 0);
	assert_string_equal(buf_str(&b), "my myz myzw yz yzw zw");
	buf_release(&b);
}

static void long_titles_cap_the_initials_at_eight(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	/* 十个汉字: 10 initials, runs of 2..8 from each position. */
	assert_int_equal(kb_initials_material("一二三四五六七八九十", &b), 0);
	assert_non_null(strstr(buf_str(&b), "yesswlqb")); /* 8 from 一 */
	assert_null(strstr(buf_str(&b), "yesswlqbj"));	  /* never 9 */
	assert_non_null(strstr(buf_str(&b), " js"));	  /* 九十 at the end */
	buf_release(&b);
}

static void query_parsing_of_mixed_chinese_and_latin(void **state)
{
	struct kb_query q;

	(void)state;
	assert_int_equal(kb_query_parse("App闪退，怎么办？ 5G网络", &q), 0);
	assert_int_equal(q.n, 5);
	assert_string_equal(q.terms[0].text, "app");
	assert_false(q.terms[0].cjk);
	assert_true(q.terms[0].initials); /* 3 letters: may be initials */
	assert_string_equal(q.terms[1].text, "闪退");
	assert_true(q.terms[1].cjk);
	assert_false(q.terms[1].initials);
	assert_string_equal(q.terms[2].text, "怎么办");
	assert_string_equal(q.terms[3].text, "5g");
	assert_false(q.terms[3].initials); /* a digit: never initials */
	assert_string_equal(q.terms[4].text, "网络");

	assert_int_equal(kb_query_parse("  ，。！  ", &q), ERR_NOTFOUND);
	assert_int_equal(kb_query_parse("", &q), ERR_NOTFOUND);
	/* A single letter is too broad to be initials. */
	assert_int_equal(kb_query_parse("t", &q), 0);
	assert_false(q.terms[0].initials);
	/* Quotes are no syntax: a phrase's quote is doubled. */
	{
		struct buf m = BUF_INIT;

		assert_int_equal(kb_query_parse("tk \"退款\" OR", &q), 0);
		assert_int_equal(q.n, 3);
		assert_int_equal(kb_query_match(&q, &m), 0);
		assert_string_equal(buf_str(&m),
				    "(\"tk\" OR initials : \"tk\") AND (\"退款\") AND (\"or\" OR"
				    " initials : \"or\")");
		buf_release(&m);
	}
}

static void one_character_queries(void **state)
{
	struct kb_query q;
	struct buf m = BUF_INIT, h = BUF_INIT;

	(void)state;
	assert_int_equal(kb_query_parse("款", &q), 0);
	assert_int_equal(q.n, 1);
	assert_true(q.terms[0].cjk);
	assert_int_equal(kb_query_match(&q, &m), 0);
	assert_string_equal(buf_str(&m), "(\"款\")");
	assert_int_equal(kb_highlight("退款到账", strlen("退款到账"), &q, &h), 1);
	assert_string_equal(buf_str(&h), "退<mark>款</mark>到账");
	buf_release(&m);
	buf_release(&h);
}

static void synonyms_expand_a_term_and_words_inside_it(void **state)
{
	static const struct kb_synonym syn[] = {
		{"退款", 1}, {"退钱", 1}, {"返款", 1}, {"app", 2}, {"客户端", 2},
	};
	struct kb_query q;
	struct buf m = BUF_INIT;

	(void)state;
	assert_int_equal(kb_query_parse("退钱怎么办 APP", &q), 0);
	kb_query_expand(&q, syn, sizeof(syn) / sizeof(syn[0]));
	assert_int_equal(q.terms[0].nvariants, 3);
	assert_string_equal(q.terms[0].variants[0], "退钱怎么办");
	assert_string_equal(q.terms[0].variants[1], "退款怎么办");
	assert_string_equal(q.terms[0].variants[2], "返款怎么办");
	assert_int_equal(q.terms[1].nvariants, 2);
	assert_string_equal(q.terms[1].variants[1], "客户端");
	assert_int_equal(kb_query_match(&q, &m), 0);
	assert_string_equal(buf_str(&m), "(\"退钱怎么办\" OR \"退款怎么办\" OR \"返款怎么办\") AND"
					 " (\"app\" OR \"客户端\" OR initials : \"app\")");
	buf_release(&m);

	/* A word in no group: the term alone. */
	assert_int_equal(kb_query_parse("发票", &q), 0);
	kb_query_expand(&q, syn, sizeof(syn) / sizeof(syn[0]));
	assert_int_equal(q.terms[0].nvariants, 1);
}

static void highlight_escapes_html_and_marks_matches(void **state)
{
	const char *text = "<script>alert('退款')</script> & 退款流程";
	struct kb_query q;
	struct buf h = BUF_INIT;

	(void)state;
	assert_int_equal(kb_query_parse("退款", &q), 0);
	assert_int_equal(kb_highlight(text, strlen(text), &q, &h), 2);
	assert_string_equal(buf_str(&h), "&lt;script&gt;alert(&#39;<mark>退款</mark>&#39;)"
					 "&lt;/script&gt; &amp; <mark>退款</mark>流程");
	buf_release(&h);

	/* A Latin word: whole words only, case-insensitively; never inside a tag. */
	assert_int_equal(kb_query_parse("SCRIPT", &q), 0);
	assert_int_equal(kb_highlight(text, strlen(text), &q, &h), 2);
	assert_string_equal(buf_str(&h), "&lt;<mark>script</mark>&gt;alert(&#39;退款&#39;)"
					 "&lt;/<mark>script</mark>&gt; &amp; 退款流程");
	buf_release(&h);

	/* Pinyin initials mark the characters they stand for. */
	assert_int_equal(kb_query_parse("tk", &q), 0);
	assert_int_equal(kb_highlight("如何申请退款", strlen("如何申请退款"), &q, &h), 1);
	assert_string_equal(buf_str(&h), "如何申请<mark>退款</mark>");
	buf_release(&h);
}

static void snippet_is_cut_around_the_first_match(void **state)
{
	struct kb_query q;
	struct buf h = BUF_INIT;
	char text[1024] = "";

	(void)state;
	for (int i = 0; i < 30; i++)
		strcat(text, "前言");
	strcat(text, "退款三到五个工作日到账");
	for (int i = 0; i < 30; i++)
		strcat(text, "后记");
	assert_int_equal(kb_query_parse("到账", &q), 0);
	assert_int_equal(kb_snippet(text, &q, 20, &h), 1);
	/* 5 characters before the match, 20 in all, cut marks at both ends. */
	assert_string_equal(buf_str(&h), "…五个工作日<mark>到账</mark>后记后记后记后记后记后记后…");
	buf_release(&h);
}

static void ranking_prefers_title_matches_use_and_helpful_votes(void **state)
{
	(void)state;
	assert_true(kb_rank(-2.0, 1, 0, 0, 0) > kb_rank(-2.0, 0, 0, 0, 0));
	assert_true(kb_rank(-2.0, 0, 0, 0, 100) > kb_rank(-2.0, 0, 0, 0, 0));
	assert_true(kb_rank(-2.0, 0, 10, 0, 0) > kb_rank(-2.0, 0, 0, 10, 0));
	assert_true(kb_rank(-4.0, 0, 0, 0, 0) > kb_rank(-2.0, 0, 0, 0, 0));
	/* Votes and uses weigh less than a clearly better text match. */
	assert_true(kb_rank(-8.0, 0, 0, 5, 0) > kb_rank(-2.0, 1, 5, 0, 50));
}

static void synonym_words_are_checked(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(kb_synonym_word_ok("退款", &why), 0);
	assert_int_equal(kb_synonym_word_ok("", &why), ERR_INVALID);
	assert_int_equal(kb_synonym_word_ok("   ", &why), ERR_INVALID);
	assert_int_equal(kb_synonym_word_ok("！？", &why), ERR_INVALID);
	assert_int_equal(kb_synonym_word_ok("a\"b", &why), ERR_INVALID);
}

/* --- The index on a real database. --- */

static void put_article(struct store *s, int64_t id, const char *state, int published,
			const char *title, const char *body, const char *tags,
			const char *departments)
{
	char sql[2048];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO kb_article(id, kind, title, state, version, published_version,"
		 " departments, created_at, updated_at) VALUES (%lld, 'article', '%s', '%s', 1, %s,"
		 " '%s', 0, 0);"
		 "INSERT INTO kb_version(article_id, version, title, body, tags, created_at)"
		 " VALUES (%lld, 1, '%s', '%s', '%s', 0);",
		 (long long)id, title, state, published ? "1" : "NULL", departments, (long long)id,
		 title, body, tags);
	assert_int_equal(store_exec(s, sql), 0);
}

static int search_ids(struct store *s, const char *typed, const struct kb_viewer *v, int64_t *ids,
		      int max)
{
	struct kb_query q;
	struct kb_hit hits[16];
	struct kb_search_filter f = {0};
	struct buf m = BUF_INIT;
	struct kb_synonym *syn = NULL;
	size_t nsyn = 0;
	int n = 0, total = 0;

	assert_int_equal(kb_query_parse(typed, &q), 0);
	assert_int_equal(kb_synonyms_load(s, &syn, &nsyn), 0);
	kb_query_expand(&q, syn, nsyn);
	free(syn);
	assert_int_equal(kb_query_match(&q, &m), 0);
	assert_int_equal(kb_search_run(s, buf_str(&m), v, &f, hits, 16, &n, &total), 0);
	buf_release(&m);
	assert_int_equal(n, total);
	for (int i = 0; i < n && i < max; i++)
		ids[i] = hits[i].id;
	return n;
}

static void the_index_finds_what_agents_may_read(void **state)
{
	struct store *s = test_store_open();
	struct kb_viewer agent = {.person_id = 0, .department_id = 7, .roles = {"agent"}};
	struct kb_viewer other = {.person_id = 0, .department_id = 8, .roles = {"agent"}};
	struct kb_synonym syn[] = {{"退款", 1}, {"退钱", 1}};
	int64_t ids[8];

	(void)state;
	put_article(s, 1, "published", 1, "退款申请流程",
		    "用户在APP内申请**退款**，三个工作日到账。", "[\"退款\",\"售后\"]", "[]");
	put_article(s, 2, "published", 1, "车辆清洁标准", "洗车后检查车内", "[]", "[7]");
	put_article(s, 3, "draft", 0, "退款草稿", "尚未发布的退款说明", "[]", "[]");
	put_article(s, 4, "retired", 1, "旧的退款规定", "已停用", "[]", "[]");
	for (int64_t id = 1; id <= 4; id++)
		assert_int_equal(kb_search_index(s, id), 0);

	/* Drafts and retired articles are not in the index. */
	assert_int_equal(store_run(s, "SELECT count(*) FROM kb_fts", ids, ""), 1);
	assert_int_equal(ids[0], 2);

	assert_int_equal(search_ids(s, "款", &agent, ids, 8), 1); /* one character */
	assert_int_equal(ids[0], 1);
	assert_int_equal(search_ids(s, "退款", &agent, ids, 8), 1); /* two */
	assert_int_equal(search_ids(s, "tk", &agent, ids, 8), 1);   /* initials */
	assert_int_equal(ids[0], 1);
	assert_int_equal(search_ids(s, "sh", &agent, ids, 8), 1); /* 售后, a tag */
	assert_int_equal(search_ids(s, "app 到账", &agent, ids, 8), 1);
	assert_int_equal(search_ids(s, "退钱", &agent, ids, 8), 0);
	assert_int_equal(kb_synonyms_replace(s, syn, 2), 0);
	assert_int_equal(search_ids(s, "退钱", &agent, ids, 8), 1); /* synonyms */

	/* Department 7 only: its agents see it, others do not. */
	assert_int_equal(search_ids(s, "清洁", &agent, ids, 8), 1);
	assert_int_equal(search_ids(s, "清洁", &other, ids, 8), 0);
	other.all = 1; /* an editor */
	assert_int_equal(search_ids(s, "清洁", &other, ids, 8), 1);

	/* Being edited: the published version is found, never the new draft. */
	assert_int_equal(
		store_exec(s, "INSERT INTO kb_article(id, kind, title, state, version,"
			      " published_version, created_at, updated_at) VALUES (5, 'article',"
			      " '发票草稿', 'draft', 2, 1, 0, 0);"
			      "INSERT INTO kb_version(article_id, version, title, body, created_at)"
			      " VALUES (5, 1, '发票开具说明', '电子发票', 0),"
			      " (5, 2, '发票草稿', '尚未审核的秘密内容', 0);"),
		0);
	assert_int_equal(kb_search_index(s, 5), 0);
	assert_int_equal(search_ids(s, "秘密", &agent, ids, 8), 0);
	assert_int_equal(search_ids(s, "开具", &agent, ids, 8), 1);
	assert_int_equal(ids[0], 5);

	/* Supervisors only: an agent does not see it, a supervisor does. */
	assert_int_equal(store_exec(s, "UPDATE kb_article SET roles = '[\"supervisor\"]'"
				       " WHERE id = 1"),
			 0);
	assert_int_equal(search_ids(s, "退款", &agent, ids, 8), 0);
	agent.roles[1] = "supervisor";
	assert_int_equal(search_ids(s, "退款", &agent, ids, 8), 1);
	agent.roles[1] = NULL;
	assert_int_equal(store_exec(s, "UPDATE kb_article SET roles = '[]' WHERE id = 1"), 0);

	/* An index that does not match the live articles is rebuilt at start;
	 * one that does is left alone. */
	assert_int_equal(kb_search_unindex(s, 1), 0);
	assert_int_equal(search_ids(s, "退款", &agent, ids, 8), 0);
	assert_int_equal(kb_search_reindex_all(s), 3);
	assert_int_equal(search_ids(s, "退款", &agent, ids, 8), 1);
	assert_int_equal(kb_search_reindex_all(s), 0);
	assert_int_equal(store_exec(s, "DELETE FROM kb_fts"), 0);
	assert_int_equal(kb_search_reindex_all(s), 3);
	assert_int_equal(search_ids(s, "退款", &agent, ids, 8), 1);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(initials_of_chinese_characters),
		cmocka_unit_test(long_titles_cap_the_initials_at_eight),
		cmocka_unit_test(query_parsing_of_mixed_chinese_and_latin),
		cmocka_unit_test(one_character_queries),
		cmocka_unit_test(synonyms_expand_a_term_and_words_inside_it),
		cmocka_unit_test(highlight_escapes_html_and_marks_matches),
		cmocka_unit_test(snippet_is_cut_around_the_first_match),
		cmocka_unit_test(ranking_prefers_title_matches_use_and_helpful_votes),
		cmocka_unit_test(synonym_words_are_checked),
		cmocka_unit_test(the_index_finds_what_agents_may_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
