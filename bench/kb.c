/*
 * make bench: the knowledge base's search (src/kb/, issue 16) at 10⁵
 * published articles, the figure: the latency of one search as an
 * agent types it, for one-, two- and four-character Chinese queries and
 * pinyin initials, at p50, p95 and p99.
 *
 * The articles are made from a fixed seed like a center's knowledge base:
 * titles of two or three of 70 service words and a kind of text
 * (退款申请流程, 车辆保养预约说明), 80 to 400 characters of body in
 * sentences of common characters, one in three naming the title's words
 * again and one in eight another service word (so a service word is in
 * about 5 % of the articles), one to three tags, one in ten visible to one
 * department only, one in twenty to supervisors only. They
 * are written into a new database file through the store, each indexed with
 * kb_search_index (the published version's plain text and the pinyin
 * initials of its title and tags) as approving it would.
 *
 * What is timed is kb_search_answer, all the request does but HTTP: the
 * query parsed, the synonyms loaded and expanded, every visible match of
 * the FTS5 index with its bm25 counted and the best 100 kept, their text
 * read, highlighted and cut into snippets, re-ranked, and the first 20 as
 * JSON. One thread, the database warm (the page cache holds it), the
 * queries run round-robin in a fixed order; wall time per search.
 *
 * Arguments: articles (100000), searches a kind (500), database path
 * (a temporary file, removed after; a file given is kept, and searched as
 * it is when it holds the articles already). docs/performance.md records the
 * figures.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rand.h"
#include "core/buf.h"
#include "kb/kb.h"
#include "store/store.h"


/* Words of a ride-hailing and car-service center's knowledge base. */
static const char *const words[] = {
	"退款",	  "支付", "订单", "验证码", "闪退", "洗车",   "保养",	"预约",	  "发票", "会员",
	"优惠券", "积分", "投诉", "师傅",   "上门", "取消",   "改约",	"地址",	  "电话", "账户",
	"密码",	  "登录", "注册", "余额",   "提现", "充值",   "车辆",	"损伤",	  "清洁", "态度",
	"超时",	  "迟到", "赔偿", "保险",   "理赔", "门店",   "营业",	"时间",	  "价格", "套餐",
	"轮胎",	  "机油", "刹车", "空调",   "玻璃", "划痕",   "钣金",	"喷漆",	  "救援", "拖车",
	"违章",	  "年检", "续保", "合同",   "押金", "租车",   "还车",	"油费",	  "里程", "评价",
	"客服",	  "回访", "短信", "通知",   "微信", "支付宝", "银行卡", "信用卡", "到账", "原路",
};
static const char *const kinds[] = {"流程", "说明", "常见问题", "处理办法", "规定",
				    "标准", "话术", "注意事项", "指引",	    "答复口径"};
/* Common characters for the sentences around the words. */
static const char common[] =
	"的一是在不了有和人这中大为上个我以要他时来用们生到作地于出就分对成会可主发年动同"
	"工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二"
	"理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天四日那社"
	"事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没"
	"结解问意建月公无系很情者最立代想已通并提直题程展五果料象员位入常文总次品式活设及"
	"管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决"
	"西被干做必战先回则任取据处府研空调";
static const char *const punct[] = {"，", "。", "；", "、"};

static void put_common(struct buf *b, int n)
{
	for (int i = 0; i < n; i++)
		buf_append(b, common + 3 * rnd((uint32_t)(sizeof(common) - 1) / 3), 3);
}

#define NWORDS (sizeof(words) / sizeof(words[0]))

static void make_article(struct buf *title, struct buf *body, struct buf *tags)
{
	/* The article's topic: two or three service words, named again in the body. */
	uint32_t topic[3];
	int nw = 2 + (int)rnd(2), target = 80 + (int)rnd(321), ntags = 1 + (int)rnd(3);

	buf_reset(title);
	buf_reset(body);
	buf_reset(tags);
	for (int i = 0; i < nw; i++) {
		topic[i] = rnd(NWORDS);
		buf_puts(title, words[topic[i]]);
	}
	buf_puts(title, kinds[rnd(sizeof(kinds) / sizeof(kinds[0]))]);
	/* Sentences of common characters; one in three names the topic, one in
	 * eight another service word. */
	while ((int)body->len < target * 3) {
		put_common(body, 4 + (int)rnd(8));
		if (rnd(3) == 0)
			buf_puts(body, words[topic[rnd((uint32_t)nw)]]);
		else if (rnd(8) == 0)
			buf_puts(body, words[rnd(NWORDS)]);
		put_common(body, 3 + (int)rnd(8));
		buf_puts(body, punct[rnd(4)]);
		if (rnd(6) == 0)
			buf_puts(body, "\n\n");
	}
	buf_puts(tags, "[");
	for (int i = 0; i < ntags; i++)
		buf_printf(tags, "%s\"%s\"", i ? "," : "",
			   words[i < nw && rnd(2) ? topic[i] : rnd(NWORDS)]);
	buf_puts(tags, "]");
}

static double clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct kind {
	const char *name;
	const char *const *queries;
	int n;
};

static const char *const q1[] = {"款", "车", "单", "费", "约", "券", "险", "胎"};
static const char *const q2[] = {"退款", "洗车", "发票", "保养", "闪退", "到账", "师傅", "押金"};
static const char *const q4[] = {"退款到账", "预约洗车", "车辆损伤", "会员积分",
				 "支付失败", "保险理赔", "取消订单", "轮胎保养"};
static const char *const qp[] = {"tk", "xc", "fp", "by", "sd", "dz", "yhq", "tkdz"};

int main(int argc, char **argv)
{
	int articles = argc > 1 ? atoi(argv[1]) : 100000;
	int per_kind = argc > 2 ? atoi(argv[2]) : 500;
	char path[64] = "/tmp/kefu-bench-kb-XXXXXX";
	const char *db = argc > 3 ? argv[3] : NULL;
	struct store *s = NULL;
	struct buf title = BUF_INIT, body = BUF_INIT, tags = BUF_INIT;
	struct kb_viewer agent = {.person_id = 1, .department_id = 3, .roles = {"agent"}};
	struct kb_search_filter f = {0};
	const struct kind kinds_run[] = {{"1 character", q1, 8},
					 {"2 characters", q2, 8},
					 {"4 characters", q4, 8},
					 {"pinyin initials", qp, 8}};
	double t0, *lat = malloc(sizeof(double) * (size_t)per_kind),
		   *cpu = malloc(sizeof(double) * (size_t)per_kind);
	int rc;

	if (!db) {
		int fd = mkstemp(path);

		if (fd < 0)
			return 1;
		close(fd);
		db = path;
	}
	{
		struct store_opts o = {db, 5000, STORE_NORMAL};

		if (store_open(&s, &o) < 0 || store_migrate(s, NULL, NULL) < 0)
			return 1;
	}
	t0 = now_ms();
	{
		int64_t have = 0;

		/* A database given that holds the articles already is searched as it is. */
		store_run(s, "SELECT count(*) FROM kb_article", &have, "");
		if (have >= articles)
			articles = 0;
	}
	for (int id = 1; id <= articles; id++) {
		/* Visibility: one in ten one department's, one in twenty supervisors'. */
		const char *depts = id % 10 == 0 ? (id % 20 == 0 ? "[3]" : "[4]") : "[]";
		const char *roles = id % 20 == 7 ? "[\"supervisor\"]" : "[]";

		if ((id - 1) % 1000 == 0 && store_begin(s) < 0)
			return 1;
		make_article(&title, &body, &tags);
		rc = store_run(
			s,
			"INSERT INTO kb_article(id, kind, title, state, version,"
			" published_version, roles, departments, uses, helpful, unhelpful,"
			" created_at, updated_at) VALUES (?, 'article', ?, 'published', 1, 1,"
			" ?, ?, ?, ?, ?, 0, 0)",
			NULL, "itttiii", (int64_t)id, buf_str(&title), roles, depts,
			(int64_t)rnd(50), (int64_t)rnd(10), (int64_t)rnd(5));
		if (rc >= 0)
			rc = store_run(
				s,
				"INSERT INTO kb_version(article_id, version, title, body, tags,"
				" created_at) VALUES (?, 1, ?, ?, ?, 0)",
				NULL, "ittt", (int64_t)id, buf_str(&title), buf_str(&body),
				buf_str(&tags));
		if (rc >= 0)
			rc = kb_search_index(s, id);
		if (rc < 0) {
			fprintf(stderr, "bench/kb: article %d: %d\n", id, rc);
			return 1;
		}
		if (id % 1000 == 0 || id == articles)
			if (store_commit(s) < 0)
				return 1;
	}
	if (articles) {
		store_exec(s, "INSERT INTO kb_synonym(word, group_id) VALUES ('退款', 1),"
			      " ('退钱', 1), ('返款', 1)");
		store_exec(s, "INSERT INTO kb_fts(kb_fts) VALUES ('optimize')");
	}
	printf("kb search: %d articles written and indexed in %.1f s\n", articles,
	       (now_ms() - t0) / 1000);
	printf("%-16s %26s %26s\n", "", "wall time, ms", "CPU time of the thread, ms");
	printf("%-16s %8s %8s %8s %8s %8s %8s %8s\n", "query", "p50", "p95", "p99", "p50", "p95",
	       "p99", "matches");
	for (size_t k = 0; k < sizeof(kinds_run) / sizeof(kinds_run[0]); k++) {
		const struct kind *kd = &kinds_run[k];
		long matches = 0;

		/* Warm: each query once. */
		for (int i = 0; i < kd->n; i++) {
			json_t *items;
			int total;

			if (kb_search_answer(s, kd->queries[i], &agent, &f, 20, &items, &total) < 0)
				return 1;
			json_decref(items);
		}
		for (int i = 0; i < per_kind; i++) {
			json_t *items;
			int total;
			double a = now_ms(), c = clock_ms(CLOCK_THREAD_CPUTIME_ID);

			rc = kb_search_answer(s, kd->queries[i % kd->n], &agent, &f, 20, &items,
					      &total);
			lat[i] = now_ms() - a;
			cpu[i] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c;
			if (rc < 0)
				return 1;
			matches += total;
			json_decref(items);
		}
		qsort(lat, (size_t)per_kind, sizeof(double), cmp_double);
		qsort(cpu, (size_t)per_kind, sizeof(double), cmp_double);
		printf("%-16s %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8ld\n", kd->name,
		       lat[per_kind / 2], lat[per_kind * 95 / 100], lat[per_kind * 99 / 100],
		       cpu[per_kind / 2], cpu[per_kind * 95 / 100], cpu[per_kind * 99 / 100],
		       matches / per_kind);
	}
	store_close(s);
	if (db == path) {
		char extra[96];

		unlink(path);
		snprintf(extra, sizeof(extra), "%s-wal", path);
		unlink(extra);
		snprintf(extra, sizeof(extra), "%s-shm", path);
		unlink(extra);
	}
	free(lat);
	free(cpu);
	buf_release(&title);
	buf_release(&body);
	buf_release(&tags);
	return 0;
}
