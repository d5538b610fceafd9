/*
 * seed — fills a kefu database with work orders for benchmarks.
 *
 * usage: seed DB N
 *
 * Adds N orders spread over the year before now, as the engine would have
 * left them: most archived, a few thousand open with running SLA clocks
 * (some overdue), each with a Chinese summary made of the phrases agents
 * type, indexed for search. The database must hold the demo center
 * (kefu init --demo). A benchmark tool only: kefu itself never runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "store/store.h"

static const char *const phrases[] = {
	"车辆损伤", "左前门划痕", "洗护师迟到", "退款未到账", "无法支付",   "APP闪退",
	"订单未生成", "服务态度差", "车没洗干净", "商家纠纷",   "收不到验证码", "预约时间变更",
	"后备箱未清洁", "轮毂有污渍", "要求赔偿",   "重复扣款",   "优惠券无法使用", "联系不上商家",
	"VPP消费纠纷", "会员积分错误", "发票问题",   "投诉洗护师", "雨天取消订单", "上门时间太晚",
};
static const char *const places[] = {"朝阳区", "海淀区", "浦东新区", "天河区", "南山区",
				     "武侯区", "西湖区", "江汉区"};
static const char *const classes[] = {"A1", "A1", "A1", "A1", "A2", "B", "C", "D", "E", "E"};
static const char *const levels[] = {"Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"};

static unsigned long long rng = 88172645463325252ULL;

static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int64_t id_of(struct store *s, const char *sql, const char *key)
{
	int64_t id = 0;

	store_run(s, sql, &id, "t", key);
	return id;
}

int main(int argc, char **argv)
{
	struct store_opts o = {NULL, 10000, STORE_NORMAL};
	struct store *s = NULL;
	int64_t now = clock_now_ms(), depts[4], owners[4], agents[6], base = 0;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: seed DB N\n");
		return 2;
	}
	n = atol(argv[2]);
	o.path = argv[1];
	clock_tz_set("Asia/Shanghai");
	if (store_open(&s, &o) < 0 || store_migrate(s, NULL, NULL) < 0)
		return 1;
	depts[0] = id_of(s, "SELECT id FROM department WHERE name = ?", "城市客服部");
	depts[1] = id_of(s, "SELECT id FROM department WHERE name = ?", "集团市场部");
	depts[2] = id_of(s, "SELECT id FROM department WHERE name = ?", "市场运营部");
	depts[3] = id_of(s, "SELECT id FROM department WHERE name = ?", "客服中心");
	owners[0] = id_of(s, "SELECT id FROM person WHERE work_no = ?", "2001");
	owners[1] = id_of(s, "SELECT id FROM person WHERE work_no = ?", "3001");
	owners[2] = id_of(s, "SELECT id FROM person WHERE work_no = ?", "4001");
	owners[3] = id_of(s, "SELECT id FROM person WHERE work_no = ?", "8101");
	for (int i = 0; i < 6; i++) {
		char w[8];

		snprintf(w, sizeof(w), "810%d", i + 1);
		agents[i] = id_of(s, "SELECT id FROM person WHERE work_no = ?", w);
	}
	if (!depts[0] || !owners[0] || !agents[0]) {
		fprintf(stderr, "seed: the database needs the demo center (kefu init --demo)\n");
		return 1;
	}
	store_run(s, "SELECT coalesce(max(id), 0) FROM work_order", &base, "");
	for (long i = 0; i < n; i++) {
		int64_t id = base + i + 1, created = now - 365LL * 86400000 + (int64_t)(i * (365.0 * 86400000 / (double)n));
		const char *cls = classes[next(10)];
		int k = cls[0] == 'A' ? 0 : cls[0] == 'B' ? 2 : cls[0] == 'E' ? 3 : (int)next(4);
		int open = n - i <= 5000; /* the newest orders are still open */
		char number[40], summary[256], body[320];
		const char *level = cls[0] == 'A' || cls[0] == 'D' ? levels[next(4)] : NULL;

		if (i % 20000 == 0) {
			if (i)
				store_commit(s);
			store_begin(s);
		}
		snprintf(number, sizeof(number), "%s-%08d-%06lld", cls, clock_local_ymd(created),
			 (long long)id);
		snprintf(summary, sizeof(summary), "%s%s，%s，客户%s", places[next(8)],
			 phrases[next(24)], phrases[next(24)], next(2) ? "情绪激动" : "要求尽快处理");
		store_run(s,
			  "INSERT INTO work_order(id, number, class, level, onsite, state,"
			  " department_id, owner_id, first_agent_id, summary, created_at, updated_at,"
			  " dispatched_at, archived_at, archive_month) VALUES"
			  " (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  NULL, "ittttiiitiiiii", id, number, cls, level,
			  open ? "dispatched" : "archived", depts[k], owners[k], agents[next(6)],
			  summary, created, created, created, open ? (int64_t)0 : created + 3600000,
			  open ? (int64_t)0 : (int64_t)(clock_local_ymd(created) / 100));
		snprintf(body, sizeof(body), "%s %s", number, summary);
		store_run(s, "INSERT INTO wo_search(rowid, body) VALUES (?, ?)", NULL, "it", id, body);
		if (open) {
			/* A tenth of the open orders have missed their callback. */
			int64_t due = now + (next(10) == 0 ? -600000 : 3600000 * (int64_t)(1 + next(48)));

			store_run(s,
				  "INSERT INTO wo_sla(order_id, metric, state, started_at, due_at,"
				  " warn_at, warned, breached) VALUES (?, 'resolve', 'running', ?, ?, ?,"
				  " ?, ?)",
				  NULL, "iiiiii", id, created, due, due - 600000, (int64_t)(due < now),
				  (int64_t)(due < now));
		}
	}
	store_commit(s);
	store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE);");
	store_close(s);
	printf("seed: %ld orders\n", n);
	return 0;
}
