/* Unit tests of the kefu_cjk search tokenizer: one- and two-character Chinese words. */
#include "testutil.h"

#include "store/migrations.h"

static struct store *s;

static int setup(void **state)
{
	(void)state;
	s = test_store_open();
	return store_exec(s, "INSERT INTO wo_search(rowid, body) VALUES"
			     " (1, '洗车过程中车辆损坏，客户很生气'),"
			     " (2, 'APP闪退 Error 500'),"
			     " (3, '车没洗干净'),"
			     " (4, '退款未到账 refund')");
}

static int teardown(void **state)
{
	(void)state;
	test_store_close(s);
	return 0;
}

/* The rowids matching q, as "1,3", in order. */
static const char *match(const char *q)
{
	static char out[64];
	struct store_stmt *st = store_prepare_dynamic(
		s, "SELECT rowid FROM wo_search WHERE wo_search MATCH ? ORDER BY rowid");
	size_t used = 0;

	out[0] = '\0';
	assert_non_null(st);
	store_bind_text(st, 1, q);
	while (store_step(st) == 1)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%lld", used ? "," : "",
					 (long long)store_col_int(st, 0));
	store_done(st);
	return out;
}

static void finds_one_character_words(void **state)
{
	(void)state;
	assert_string_equal(match("\"车\""), "1,3");
	assert_string_equal(match("\"洗\""), "1,3");
	assert_string_equal(match("\"款\""), "4");
	assert_string_equal(match("\"猫\""), "");
}

static void finds_two_character_words(void **state)
{
	(void)state;
	assert_string_equal(match("\"车辆\""), "1");
	assert_string_equal(match("\"闪退\""), "2");
	assert_string_equal(match("\"干净\""), "3");
	/* The characters must stand together, in this order. */
	assert_string_equal(match("\"辆车\""), "");
	assert_string_equal(match("\"车洗\""), "");
}

static void finds_longer_phrases_exactly(void **state)
{
	(void)state;
	assert_string_equal(match("\"车辆损坏\""), "1");
	assert_string_equal(match("\"辆损坏\""), "1");
	assert_string_equal(match("\"车辆坏损\""), "");
	assert_string_equal(match("\"退款未到账\""), "4");
}

static void words_are_case_blind_and_combine(void **state)
{
	(void)state;
	assert_string_equal(match("\"error\""), "2");
	assert_string_equal(match("\"ERROR 500\""), "2");
	assert_string_equal(match("\"干净\" \"车\""), "3");
	assert_string_equal(match("\"REFUND\" \"退款\""), "4");
}

/* Migration 10 (store_migrations[9]): the index that held each report as JSON is
 * rebuilt from its texts, so a key such as "solution" no longer matches (issue 12). */
#define SEARCH_REBUILD 9

/*
 * Malformed UTF-8 is a separator, never a letter: an overlong "\xC1\xCF"
 * (an 'O' in two bytes) once made the tokenizer emit empty words forever,
 * hanging the search (tests/fuzz/corpus/fts/hang-overlong-letter.bin), and
 * a lead byte swallowed the ASCII letters after it as its continuation.
 */
static void malformed_utf8_separates_words(void **state)
{
	(void)state;
	assert_string_equal(match("\"\xC1\xCF\""), "");
	assert_string_equal(match("\"x\xC1\xCFy\""), "");
	assert_string_equal(match("\"\xE8" "APP\""), "2");
	assert_string_equal(match("\"\xED\xA0\x80\" OR \"\xF4\x90\x80\x80\""), "");
	assert_int_equal(store_exec(s, "INSERT INTO wo_search(rowid, body)"
				       " VALUES (9, 'ok\xC1\xCFrefund\xF0\x9F')"),
			 0);
	assert_string_equal(match("refund"), "4,9");
	assert_int_equal(store_exec(s, "DELETE FROM wo_search WHERE rowid = 9"), 0);
}

static void rebuilt_index_holds_report_texts_not_keys(void **state)
{
	(void)state;
	assert_true(store_migrations_count > SEARCH_REBUILD);
	assert_int_equal(store_exec(s, "PRAGMA foreign_keys = OFF;"
				       "INSERT INTO work_order(id, number, class, state,"
				       " first_agent_id, summary, report, created_at, updated_at)"
				       " VALUES (9, 'A1-20261122-0009', 'A1', 'reported', 1,"
				       " '门店脏乱', '{\"solution\":\"已清洁\",\"effect\":\"满意\","
				       "\"called_back_at\":null}', 0, 0);"
				       "INSERT INTO wo_search(rowid, body) VALUES (9,"
				       " 'A1-20261122-0009 门店脏乱 {\"solution\":\"已清洁\",'"
				       " || '\"effect\":\"满意\",\"called_back_at\":null} ');"
				       "PRAGMA foreign_keys = ON;"),
			 0);
	assert_string_equal(match("solution"), "9");
	assert_int_equal(store_exec(s, store_migrations[SEARCH_REBUILD]), 0);
	assert_string_equal(match("solution"), "");
	assert_string_equal(match("called"), "");
	assert_string_equal(match("清洁"), "9");
	assert_string_equal(match("满意"), "9");
	assert_string_equal(match("门店"), "9");
	assert_string_equal(match("车辆"), "1"); /* documents without an order are left alone */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_one_character_words),
		cmocka_unit_test(finds_two_character_words),
		cmocka_unit_test(finds_longer_phrases_exactly),
		cmocka_unit_test(words_are_case_blind_and_combine),
		cmocka_unit_test(malformed_utf8_separates_words),
		cmocka_unit_test(rebuilt_index_holds_report_texts_not_keys),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
