/*
 * The demo center of the rulebooks (ORG-1): a 客服中心 with a manager, a
 * supervisor and six agents, and the departments that receive work orders,
 * each with a responsible person and staff. Everyone has a direct superior
 * except the general manager at the top of the chain. Every password is
 * random and shown once.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "org/org.h"
#include "store/store.h"

struct demo_dept {
	const char *name, *kind;
};

static const struct demo_dept depts[] = {
	{"总经办", "office"},        {"客服中心", "center"},     {"城市客服部", "city_service"},
	{"集团市场部", "group_market"}, {"市场运营部", "market_ops"}, {"媒介部", "media"},
	{"技术部", "tech"},          {"人事部", "hr"},
};

struct demo_person {
	const char *work_no, *name, *phone, *dept, *superior;
	unsigned roles;
	const char *skills[3];
	int head; /* the department's responsible person */
};

/* Admin and manager come first: their passwords are the ones people need first. */
static const struct demo_person people[] = {
	{"admin", "系统管理员", NULL, "技术部", "6001", ROLE_ADMIN, {NULL}, 0},
	{"8001", "李静", "13800008001", "客服中心", "1001", ROLE_MANAGER, {"supervising"}, 1},
	{"1001", "王建国", "13800001001", "总经办", NULL, ROLE_OFFICE, {NULL}, 1},
	{"1002", "林芳", "13800001002", "总经办", "1001", ROLE_OFFICE | ROLE_STAFF, {NULL}, 0},
	{"8002", "张敏", "13800008002", "客服中心", "8001", ROLE_SUPERVISOR | ROLE_AGENT,
	 {"supervising", "tech_service"}, 0},
	{"8101", "刘洋", "13800008101", "客服中心", "8002", ROLE_AGENT, {"tech_service"}, 0},
	{"8102", "陈晨", "13800008102", "客服中心", "8002", ROLE_AGENT,
	 {"tech_service", "callback_outbound"}, 0},
	{"8103", "杨帆", "13800008103", "客服中心", "8002", ROLE_AGENT, {"market_consult"}, 0},
	{"8104", "赵磊", "13800008104", "客服中心", "8002", ROLE_AGENT,
	 {"market_consult", "callback_outbound"}, 0},
	{"8105", "黄丽", "13800008105", "客服中心", "8002", ROLE_AGENT, {"callback_outbound"}, 0},
	{"8106", "周婷", "13800008106", "客服中心", "8002", ROLE_AGENT,
	 {"tech_service", "market_consult"}, 0},
	{"8301", "钱雯", "13800008301", "客服中心", "8001", ROLE_QA, {NULL}, 0},
	{"2001", "孙强", "13800002001", "城市客服部", "1001", ROLE_STAFF, {NULL}, 1},
	{"2002", "吴刚", "13800002002", "城市客服部", "2001", ROLE_STAFF, {NULL}, 0},
	{"2003", "郑涛", "13800002003", "城市客服部", "2001", ROLE_STAFF, {NULL}, 0},
	{"3001", "冯博", "13800003001", "集团市场部", "1001", ROLE_STAFF, {NULL}, 1},
	{"3002", "何静", "13800003002", "集团市场部", "3001", ROLE_STAFF, {NULL}, 0},
	{"4001", "许诺", "13800004001", "市场运营部", "1001", ROLE_STAFF, {NULL}, 1},
	{"4002", "邓超", "13800004002", "市场运营部", "4001", ROLE_STAFF, {NULL}, 0},
	{"5001", "曹雪", "13800005001", "媒介部", "1001", ROLE_STAFF, {NULL}, 1},
	{"5002", "彭亮", "13800005002", "媒介部", "5001", ROLE_STAFF, {NULL}, 0},
	{"6001", "韩梅", "13800006001", "技术部", "1001", ROLE_STAFF, {NULL}, 1},
	{"6002", "蒋伟", "13800006002", "技术部", "6001", ROLE_STAFF, {NULL}, 0},
	{"7001", "朱丹", "13800007001", "人事部", "1001", ROLE_HR | ROLE_STAFF, {NULL}, 1},
	{"7002", "秦月", "13800007002", "人事部", "7001", ROLE_HR | ROLE_STAFF, {NULL}, 0},
};

#define NPEOPLE (sizeof(people) / sizeof(people[0]))

static int64_t id_of(struct store *s, const char *work_no)
{
	struct org_person p;

	return work_no && org_person_by_work_no(s, work_no, &p) == 0 ? p.id : 0;
}

int org_demo_create(struct store *s, const struct audit_actor *who, int64_t now,
		    const char *pwhash_cost,
		    void (*show)(void *ctx, const struct org_person *p, const char *password),
		    void *ctx)
{
	char passwords[NPEOPLE][17], hash[AUTH_HASH_MAX];
	struct org_person made[NPEOPLE];
	struct err_info ei = {0};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(depts) / sizeof(depts[0]); i++) {
		struct org_department d;

		memset(&d, 0, sizeof(d));
		snprintf(d.name, sizeof(d.name), "%s", depts[i].name);
		snprintf(d.kind, sizeof(d.kind), "%s", depts[i].kind);
		rc = org_department_insert(s, &d, now, &ei);
		if (rc == 0)
			rc = audit_append(s, who, now, "department.create", "department", d.id, "ok",
					  NULL);
	}
	/* People first without superiors, since a superior may come later in the list. */
	for (size_t i = 0; rc == 0 && i < NPEOPLE; i++) {
		struct org_person *p = &made[i];
		struct org_department d;

		memset(p, 0, sizeof(*p));
		snprintf(p->work_no, sizeof(p->work_no), "%s", people[i].work_no);
		snprintf(p->name, sizeof(p->name), "%s", people[i].name);
		snprintf(p->phone, sizeof(p->phone), "%s", people[i].phone ? people[i].phone : "");
		rc = org_department_by_name(s, people[i].dept, &d);
		if (rc < 0)
			break;
		p->department_id = d.id;
		p->roles = people[i].roles;
		p->active = 1;
		/* ORG-4: the demo agents have passed their exam and been confirmed. */
		p->certified = (people[i].roles & ROLE_AGENT) != 0;
		for (int k = 0; k < 3 && people[i].skills[k]; k++)
			snprintf(p->skills[p->nskills++], ORG_SKILL_MAX + 1, "%s",
				 people[i].skills[k]);
		auth_password_random(passwords[i]);
		rc = auth_password_hash(passwords[i], pwhash_cost, hash);
		if (rc == 0)
			rc = org_person_add(s, who, p, hash, 1, now, NULL, &ei);
		if (rc == 0 && people[i].head) {
			d.head_id = p->id;
			rc = org_department_update(s, &d, now, &ei);
		}
	}
	for (size_t i = 0; rc == 0 && i < NPEOPLE; i++) {
		made[i].superior_id = id_of(s, people[i].superior);
		if (made[i].superior_id)
			rc = org_person_update(s, &made[i], now, &ei);
	}
	for (size_t i = 0; rc == 0 && show && i < NPEOPLE; i++)
		show(ctx, &made[i], passwords[i]);
	return rc;
}
