/* Unit tests of src/notify: rules, storage in the caller's transaction,
 * lists, read marks, the stream's queries and its session check. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/utf8.h"
#include "http/http.h"
#include "notify/notify.h"

/* Two people (ids 1 and 2) for the notifications to belong to. */
static struct store *open_with_people(void)
{
	struct store *s = test_store_open();

	/* roles 8: agents, so ACT_SELF lets them open a stream. */
	assert_int_equal(store_exec(s, "INSERT INTO person(work_no, name, roles, created_at,"
				       " updated_at)"
				       " VALUES ('a', 'A', 8, 0, 0), ('b', 'B', 8, 0, 0)"),
			 0);
	return s;
}

static int64_t count(struct store *s, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(store_run(s, sql, &n, ""), 1);
	return n;
}

static void send_one(struct store *s, int64_t person, const char *kind, const char *text,
		     int64_t now)
{
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(notify_send(s, person, kind, 0, text, now), 0);
	assert_int_equal(store_commit(s), 0);
}

/* Collects what a row callback is given. */
struct seen {
	int n;
	int64_t ids[16];
	int64_t person[16];
	int64_t read_at[16];
	int64_t order_id[16];
	char text[16][NOTIFY_TEXT_SIZE];
};

static int collect(void *ctx, const struct notify_item *it)
{
	struct seen *sn = ctx;

	if (sn->n == 16)
		return ERR_INVALID;
	sn->ids[sn->n] = it->id;
	sn->person[sn->n] = it->person_id;
	sn->read_at[sn->n] = it->read_at;
	sn->order_id[sn->n] = it->order_id;
	snprintf(sn->text[sn->n], sizeof(sn->text[0]), "%s", it->text);
	sn->n++;
	return 0;
}

static void send_rolls_back_with_the_callers_transaction(void **state)
{
	struct store *s = open_with_people();

	(void)state;
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(notify_send(s, 1, "order.new", 0, "新工单 WO-1", 1000), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM notification"), 1);
	store_rollback(s);
	assert_int_equal(count(s, "SELECT count(*) FROM notification"), 0);
	/* Committed with the caller's change, it stays. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(notify_send(s, 1, "order.new", 0, "新工单", 1000), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(count(s, "SELECT count(*) FROM notification"), 1);
	assert_int_equal(count(s, "SELECT count(*) FROM notification WHERE order_id IS NULL"
				  " AND read_at IS NULL AND at = 1000 AND person_id = 1"),
			 1);
	test_store_close(s);
}

static void send_rules(void **state)
{
	struct store *s = open_with_people();
	char long_text[400 * 3 + 1] = "", out[NOTIFY_TEXT_SIZE];
	struct notify_filter f = {1, 0, 0, 10};
	struct seen sn;

	(void)state;
	assert_true(notify_kind_valid("sla.warning"));
	assert_true(notify_kind_valid("order_help-2"));
	assert_false(notify_kind_valid(""));
	assert_false(notify_kind_valid(NULL));
	assert_false(notify_kind_valid("Order.New"));
	assert_false(notify_kind_valid("order\nevent: x"));
	assert_false(notify_kind_valid("a234567890123456789012345678901234"));
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(notify_send(s, 0, "order.new", 0, "x", 1), ERR_INVALID);
	assert_int_equal(notify_send(s, 1, "order new", 0, "x", 1), ERR_INVALID);
	assert_int_equal(notify_send(s, 1, "order.new", 0, "", 1), ERR_INVALID);
	assert_int_equal(notify_send(s, 1, "order.new", 0, NULL, 1), ERR_INVALID);
	assert_int_equal(notify_send(s, 1, "order.new", 0, "\xff\xfe", 1), ERR_INVALID);
	assert_int_equal(notify_send(s, 1, "order.new", -1, "x", 1), ERR_INVALID);
	store_rollback(s);
	assert_int_equal(count(s, "SELECT count(*) FROM notification"), 0);

	/* 200 characters fit; 201 are cut to 199 and an ellipsis, counted in
	 * characters, not bytes. */
	for (int i = 0; i < 200; i++)
		strcat(long_text, "客");
	assert_int_equal(notify_text_fit(long_text, out, sizeof(out)), 0);
	assert_string_equal(out, long_text);
	strcat(long_text, "服");
	assert_int_equal(notify_text_fit(long_text, out, sizeof(out)), 0);
	assert_int_equal((int)utf8_len(out), 200);
	assert_int_equal(strncmp(out, long_text, 199 * 3), 0);
	assert_string_equal(out + 199 * 3, "…");
	assert_int_equal(notify_text_fit("x", out, 10), ERR_INVALID); /* too small a buffer */

	send_one(s, 1, "order.new", long_text, 5);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(notify_list(s, &f, collect, &sn), 1);
	assert_string_equal(sn.text[0], out);
	assert_int_equal(sn.order_id[0], 0);

	/* A character cut in half by a byte-sized buffer is dropped, not an error;
	 * bad bytes elsewhere are. */
	assert_int_equal(notify_text_fit("工单\xe5\xb7", out, sizeof(out)), 0);
	assert_string_equal(out, "工单");
	assert_int_equal(notify_text_fit("\xe5\xb7", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(notify_text_fit("a\xff" "b", out, sizeof(out)), ERR_INVALID);
	assert_int_equal(notify_text_fit("a\xe5\xb7" "b", out, sizeof(out)), ERR_INVALID);
	test_store_close(s);
}

static void list_read_and_unread_counts(void **state)
{
	struct store *s = open_with_people();
	struct notify_filter f = {1, 0, 0, 2};
	struct seen sn;
	int64_t unread = -1;

	(void)state;
	for (int i = 1; i <= 5; i++)
		send_one(s, 1, "order.new", "给 A", 100 + i); /* ids 1..5 */
	send_one(s, 2, "order.new", "给 B", 200);     /* id 6 */
	send_one(s, 2, "sla.warning", "给 B", 201);   /* id 7 */

	/* Newest first, a page at a time, only one's own. */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(notify_list(s, &f, collect, &sn), 2);
	assert_int_equal(sn.ids[0], 5);
	assert_int_equal(sn.ids[1], 4);
	f.before_id = 4;
	assert_int_equal(notify_list(s, &f, collect, &sn), 2);
	assert_int_equal(sn.ids[2], 3);
	assert_int_equal(sn.ids[3], 2);
	f.before_id = 2;
	assert_int_equal(notify_list(s, &f, collect, &sn), 1);
	assert_int_equal(sn.ids[4], 1);
	for (int i = 0; i < 5; i++)
		assert_int_equal(sn.person[i], 1);

	assert_int_equal(notify_count_unread(s, 1, &unread), 0);
	assert_int_equal(unread, 5);

	/* Marking read: one's own only; someone else's is "not found". */
	assert_int_equal(store_begin(s), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(notify_mark_read(s, 1, 3, 9000, collect, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.ids[0], 3);
	assert_int_equal(sn.read_at[0], 9000);
	/* A second mark keeps the first time. */
	assert_int_equal(notify_mark_read(s, 1, 3, 9500, collect, &sn), 0);
	assert_int_equal(sn.read_at[1], 9000);
	assert_int_equal(notify_mark_read(s, 1, 6, 9000, collect, &sn), ERR_NOTFOUND);
	assert_int_equal(notify_mark_read(s, 1, 99, 9000, collect, &sn), ERR_NOTFOUND);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(
		count(s, "SELECT count(*) FROM notification WHERE id = 6 AND read_at IS NULL"), 1);
	assert_int_equal(notify_count_unread(s, 1, &unread), 0);
	assert_int_equal(unread, 4);

	/* Unread only. */
	f.before_id = 0;
	f.unread_only = 1;
	f.limit = 10;
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(notify_list(s, &f, collect, &sn), 4);
	assert_int_equal(sn.ids[0], 5);
	assert_int_equal(sn.ids[1], 4);
	assert_int_equal(sn.ids[2], 2);
	assert_int_equal(sn.ids[3], 1);

	/* All read up to what the person saw, then the rest; B's stay unread. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(notify_mark_all_read(s, 1, 4, 9100), 3);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(notify_count_unread(s, 1, &unread), 0);
	assert_int_equal(unread, 1);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(notify_mark_all_read(s, 1, 0, 9200), 1);
	assert_int_equal(notify_mark_all_read(s, 1, 0, 9300), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(notify_count_unread(s, 1, &unread), 0);
	assert_int_equal(unread, 0);
	assert_int_equal(notify_count_unread(s, 2, &unread), 0);
	assert_int_equal(unread, 2);
	assert_int_equal(count(s, "SELECT read_at FROM notification WHERE id = 3"), 9000);
	test_store_close(s);
}

static void stream_queries(void **state)
{
	struct store *s = open_with_people();
	struct seen sn;
	int64_t last = -1;

	(void)state;
	assert_int_equal(notify_last_id(s, &last), 0);
	assert_int_equal(last, 0);
	for (int i = 0; i < 6; i++)
		send_one(s, i % 2 ? 2 : 1, "order.new", "x", i); /* 1,3,5: A; 2,4,6: B */
	assert_int_equal(notify_last_id(s, &last), 0);
	assert_int_equal(last, 6);

	/* Everyone's, in id order, after an id. */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(notify_after(s, 0, 2, 0, 100, collect, &sn), 4);
	assert_int_equal(sn.ids[0], 3);
	assert_int_equal(sn.ids[3], 6);
	/* One person's, up to a bound, a page at a time. */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(notify_after(s, 1, 0, 4, 100, collect, &sn), 2);
	assert_int_equal(sn.ids[0], 1);
	assert_int_equal(sn.ids[1], 3);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(notify_after(s, 2, 0, 0, 2, collect, &sn), 2);
	assert_int_equal(sn.ids[0], 2);
	assert_int_equal(sn.ids[1], 4);
	assert_int_equal(notify_after(s, 2, 6, 0, 2, collect, &sn), 0);
	test_store_close(s);
}

static void session_check_is_read_only(void **state)
{
	struct store *s = open_with_people();
	const int64_t idle = 30 * 60000;

	(void)state;
	/* Session 1 of A: last used at 1000, ends at 10 h. */
	assert_int_equal(store_exec(s, "INSERT INTO session(token_hash, person_id, csrf_token,"
				       " created_at, last_seen_at, expires_at)"
				       " VALUES ('h1', 1, 'c', 0, 1000, 36000000),"
				       " ('h2', 2, 'c', 0, 1000, 36000000)"),
			 0);
	assert_int_equal(notify_session_live(s, 1, 2000, idle), 1);
	assert_int_equal(notify_session_live(s, 1, 1000 + idle - 1, idle), 1);
	/* Idle too long, past its end, unknown, or its person disabled. */
	assert_int_equal(notify_session_live(s, 1, 1000 + idle, idle), 0);
	assert_int_equal(store_exec(s, "UPDATE session SET last_seen_at = 35990000 WHERE id = 1"),
			 0);
	assert_int_equal(notify_session_live(s, 1, 36000000, idle), 0);
	assert_int_equal(notify_session_live(s, 99, 2000, idle), 0);
	assert_int_equal(notify_session_live(s, 2, 2000, idle), 1);
	assert_int_equal(store_exec(s, "UPDATE person SET active = 0 WHERE id = 2"), 0);
	assert_int_equal(notify_session_live(s, 2, 2000, idle), 0);
	/* Asking does not count as use of the session. */
	assert_int_equal(count(s, "SELECT last_seen_at FROM session WHERE id = 1"), 35990000);
	assert_int_equal(count(s, "SELECT count(*) FROM session"), 2);
	test_store_close(s);
}

static int64_t ms_since(int64_t t0)
{
	return (clock_mono_ns() - t0) / 1000000;
}

/* Reads from fd into b until it holds needle; 0 when it does, -1 after timeout_ms. */
static int read_until(int fd, struct buf *b, const char *needle, int timeout_ms)
{
	int64_t t0 = clock_mono_ns();

	while (!strstr(buf_str(b), needle)) {
		struct pollfd p = {fd, POLLIN, 0};
		char chunk[4096];
		ssize_t n;
		int left = timeout_ms - (int)ms_since(t0);

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0)
			return -1;
		assert_int_equal(buf_append(b, chunk, (size_t)n), 0);
	}
	return 0;
}

/*
 * A real server in this process: notify_wake() after a commit delivers at
 * once, with the table poll made too slow to be the one delivering; a
 * rolled-back notification never goes out; and http_stop() ends the open
 * stream at once instead of waiting for it.
 */
static void wake_delivers_at_once_and_stop_ends_streams(void **state)
{
	static const struct route *const routes[] = {notify_routes, NULL};
	struct store *s = open_with_people();
	struct store_opts so = {test_db_path, 2000, 0};
	struct store_pool *pool = NULL;
	struct http_server *srv = NULL;
	struct config cfg;
	struct app app;
	struct sockaddr_in sa;
	struct buf got = BUF_INIT;
	char token[AUTH_TOKEN_LEN + 1], hash[65], sql[512], bound[128], req[256];
	int64_t now = clock_now_ms(), t0;
	int fd;

	(void)state;
	auth_token_new(token);
	auth_token_hash(token, hash);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO session(token_hash, person_id, csrf_token, created_at, last_seen_at,"
		 " expires_at) VALUES ('%s', 1, 'c', %lld, %lld, %lld)",
		 hash, (long long)now, (long long)now, (long long)(now + 3600000));
	assert_int_equal(store_exec(s, sql), 0);
	store_close(s);

	config_defaults(&cfg);
	snprintf(cfg.listen, sizeof(cfg.listen), "127.0.0.1:0");
	cfg.threads = 2;
	assert_int_equal(store_pool_open(&pool, &so, cfg.threads + 1), 0);
	memset(&app, 0, sizeof(app));
	app.cfg = &cfg;
	app.pool = pool;
	app.routes = routes;
	notify_poll_ms = 60000;
	assert_int_equal(http_start(&app, &srv, bound, sizeof(bound)), 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(strrchr(bound, ':') + 1));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(req, sizeof(req),
		 "GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", token);
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	if (read_until(fd, &got, "retry: ", 5000) < 0)
		fail_msg("no stream: %s", buf_str(&got));
	assert_non_null(strstr(buf_str(&got), "Content-Type: text/event-stream"));

	/* Rolled back: nothing to deliver, even when woken. */
	s = store_pool_get(pool);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(notify_send(s, 1, "order.new", 0, "撤销了", now), 0);
	store_rollback(s);
	store_pool_put(pool, s);
	notify_wake();
	assert_int_equal(read_until(fd, &got, "event: ", 300), -1);

	/* Committed and woken: delivered long before the next poll. */
	s = store_pool_get(pool);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(notify_send(s, 1, "order.escalated", 0, "工单已升级", now), 0);
	assert_int_equal(store_commit(s), 0);
	store_pool_put(pool, s);
	t0 = clock_mono_ns();
	notify_wake();
	assert_int_equal(read_until(fd, &got, "工单已升级", 5000), 0);
	assert_true(ms_since(t0) < 1000);
	assert_non_null(strstr(buf_str(&got), "event: order.escalated\n"));
	assert_null(strstr(buf_str(&got), "撤销了"));

	/* Stopping ends the stream with its last chunk, without the 10 s wait. */
	t0 = clock_mono_ns();
	http_stop(srv);
	assert_true(ms_since(t0) < 2000);
	assert_int_equal(read_until(fd, &got, "\r\n0\r\n\r\n", 2000), 0);
	close(fd);
	buf_release(&got);
	store_pool_close(pool);
	notify_poll_ms = 1000;
	s = NULL;
	unlink(test_db_path);
}

/* Without any stream (the CLI, or no client yet) waking and stopping are no-ops. */
static void wake_and_stop_without_streams(void **state)
{
	(void)state;
	notify_wake();
	sse_stop();
	notify_wake();
	sse_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(send_rolls_back_with_the_callers_transaction),
		cmocka_unit_test(send_rules),
		cmocka_unit_test(list_read_and_unread_counts),
		cmocka_unit_test(stream_queries),
		cmocka_unit_test(session_check_is_read_only),
		/* These two last: stopping the streams is for the life of the process. */
		cmocka_unit_test(wake_delivers_at_once_and_stop_ends_streams),
		cmocka_unit_test(wake_and_stop_without_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
