/* Unit tests of src/cust: rules (CUST-1..5, CALL-10, CALL-12, ROUTE-1) and storage. */
#include "testutil.h"

#include "core/clock.h"

#include "core/err.h"
#include "cust/cust.h"
#include "org/org.h"

/* 2026-06-15T00:00:00Z: a "now" for the rules. */
#define NOW 1781481600000LL

static struct customer customer(const char *surname, const char *title)
{
	struct customer c;

	memset(&c, 0, sizeof(c));
	snprintf(c.surname, sizeof(c.surname), "%s", surname);
	snprintf(c.title, sizeof(c.title), "%s", title);
	snprintf(c.kind, sizeof(c.kind), "app_user");
	return c;
}

static void add_phone(struct customer *c, const char *phone, const char *label)
{
	snprintf(c->phones[c->nphones].phone, sizeof(c->phones[0].phone), "%s", phone);
	snprintf(c->phones[c->nphones].label, sizeof(c->phones[0].label), "%s", label);
	c->nphones++;
}

static void assert_normalizes(const char *in, const char *want)
{
	char out[CUST_PHONE_DIGITS + 1];

	assert_int_equal(cust_phone_normalize(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void assert_not_a_phone(const char *in)
{
	char out[CUST_PHONE_DIGITS + 1];

	assert_int_equal(cust_phone_normalize(in, out, sizeof(out)), ERR_UNPROCESSABLE);
}

/* CUST-1: one number, one form, so a ringing call finds its customer. */
static void phone_normalization(void **state)
{
	(void)state;
	assert_normalizes("13812341234", "13812341234");
	assert_normalizes("138 1234 1234", "13812341234");
	assert_normalizes("138-1234-1234", "13812341234");
	assert_normalizes("+86 138 1234 1234", "13812341234");
	assert_normalizes("+8613812341234", "13812341234");
	assert_normalizes("0086 13812341234", "13812341234");
	/* The '+' of +86 lost on the way (a URL turns it into a space). */
	assert_normalizes(" 8613812341234", "13812341234");
	assert_normalizes("(010) 8888-1234", "01088881234");
	assert_normalizes("95555", "95555");
	assert_normalizes("110", "110");
	/* Another country keeps its code, as digits. */
	assert_normalizes("+1 415 555 0100", "14155550100");
	assert_not_a_phone("");
	assert_not_a_phone("12");
	assert_not_a_phone("+86");
	assert_not_a_phone("call me");
	assert_not_a_phone("138+1234 1234");
	assert_not_a_phone("138１２３４１２３４"); /* full-width digits are not digits */
	assert_not_a_phone("123456789012345678901");
	assert_normalizes("12345678901234567890", "12345678901234567890");
}

/* CUST-5: 王先生 / 王女士. */
static void address_by_surname(void **state)
{
	struct customer c = customer("王", "mr");
	char out[128];

	(void)state;
	cust_address_as(&c, out, sizeof(out));
	assert_string_equal(out, "王先生");
	snprintf(c.title, sizeof(c.title), "ms");
	cust_address_as(&c, out, sizeof(out));
	assert_string_equal(out, "王女士");
	snprintf(c.surname, sizeof(c.surname), "欧阳");
	cust_address_as(&c, out, sizeof(out));
	assert_string_equal(out, "欧阳女士");
	/* Without a surname: the name, else the title alone, else the bare surname. */
	c = customer("", "ms");
	snprintf(c.name, sizeof(c.name), "李娜");
	cust_address_as(&c, out, sizeof(out));
	assert_string_equal(out, "李娜");
	c.name[0] = '\0';
	cust_address_as(&c, out, sizeof(out));
	assert_string_equal(out, "女士");
	c = customer("张", "");
	cust_address_as(&c, out, sizeof(out));
	assert_string_equal(out, "张");
	c = customer("", "");
	cust_address_as(&c, out, sizeof(out));
	assert_string_equal(out, "");
	assert_string_equal(cust_title_word("mr"), "先生");
	assert_null(cust_title_word("dr"));
}

/* CUST-4: birthdays for greetings, with or without the year. */
static void birthday_rules(void **state)
{
	(void)state;
	assert_true(cust_birthday_valid("05-17", NOW));
	assert_true(cust_birthday_valid("02-29", NOW)); /* greeted on leap years */
	assert_true(cust_birthday_valid("12-31", NOW));
	assert_true(cust_birthday_valid("1990-05-17", NOW));
	assert_true(cust_birthday_valid("2000-02-29", NOW));
	assert_true(cust_birthday_valid("2026-06-15", NOW)); /* born today */
	assert_false(cust_birthday_valid("2026-06-16", NOW)); /* not born yet */
	assert_false(cust_birthday_valid("2027-01-01", NOW));
	assert_false(cust_birthday_valid("1999-02-29", NOW));
	assert_false(cust_birthday_valid("1900-02-29", NOW)); /* 1900 was no leap year */
	assert_false(cust_birthday_valid("1899-12-31", NOW));
	assert_false(cust_birthday_valid("0000-01-01", NOW));
	assert_false(cust_birthday_valid("13-01", NOW));
	assert_false(cust_birthday_valid("00-10", NOW));
	assert_false(cust_birthday_valid("04-31", NOW));
	assert_false(cust_birthday_valid("02-30", NOW));
	assert_false(cust_birthday_valid("5-17", NOW));
	assert_false(cust_birthday_valid("1990/05/17", NOW));
	/* "Today" is the center's: 20:00 UTC on 15 June is already 16 June in Shanghai. */
	assert_int_equal(clock_tz_set("Asia/Shanghai"), 0);
	assert_true(cust_birthday_valid("2026-06-16", NOW + 20 * 3600000LL));
	assert_false(cust_birthday_valid("2026-06-17", NOW + 20 * 3600000LL));
	assert_int_equal(clock_tz_set("UTC"), 0);
	assert_false(cust_birthday_valid("2026-06-16", NOW + 20 * 3600000LL));
	assert_false(cust_birthday_valid("1990-5-17x", NOW));
	assert_false(cust_birthday_valid("", NOW));
}

static void assert_invalid(const struct customer *c, const char *field)
{
	struct err_info ei;

	assert_int_equal(cust_validate(c, NOW, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, field);
}

static void assert_phone(const char *in, const char *want)
{
	struct err_info ei;
	char out[CUST_PHONE_DIGITS + 1] = "";

	if (cust_phone_check(in, out, sizeof(out), "phones", 0, &ei) != 0)
		fail_msg("%s: %s", in, ei.message);
	assert_string_equal(out, want);
}

/* Refused, with the English message saying what is wrong. */
static void assert_bad_phone(const char *in, const char *message)
{
	struct err_info ei;
	char out[CUST_PHONE_DIGITS + 1] = "";

	assert_int_equal(cust_phone_check(in, out, sizeof(out), "phone", 0, &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "phone");
	assert_string_equal(ei.message, message);
	assert_string_equal(out, "");
}

/* CUST-1: whole Chinese numbers only, said exactly what is wrong. */
static void phone_rules(void **state)
{
	struct err_info ei;
	char out[CUST_PHONE_DIGITS + 1];

	(void)state;
	/* Mobiles, with the country code written any way. */
	assert_phone("13812345678", "13812345678");
	assert_phone("+86 138-1234-5678", "13812345678");
	assert_phone("0086 13812345678", "13812345678");
	assert_phone("8613812345678", "13812345678");
	assert_phone("19912345678", "19912345678");
	assert_bad_phone("1381234567", "phone: a mobile number has 11 digits, not 10");
	assert_bad_phone("138123456789", "phone: a mobile number has 11 digits, not 12");
	assert_bad_phone("12812345678", "phone: a mobile number starts with 13 to 19");
	assert_bad_phone("12345", "phone: a mobile number has 11 digits, not 5");
	/* Landlines: 010 and 02x with 8 digits, 0xxx with 7 or 8. */
	assert_phone("010-62345678", "01062345678");
	assert_phone("(021) 2345 6789", "02123456789");
	assert_phone("0571-8888888", "05718888888");
	assert_phone("057188888888", "057188888888");
	assert_bad_phone("010-1234567", "phone: after area code 010 come 8 digits, not 7");
	assert_bad_phone("0571-888888", "phone: after area code 0571 come 7 or 8 digits, not 6");
	assert_bad_phone("010-02345678", "phone: a local number starts with 2 to 9");
	assert_bad_phone("0111234567", "phone: not an area code: 010, 02x or 0xxx (00 calls abroad)");
	assert_bad_phone("1234567", "phone: a mobile number has 11 digits, not 7");
	assert_bad_phone("2345678", "phone: a landline number needs its area code, e.g. 010 or 0571");
	assert_bad_phone("87654321", "phone: a landline number needs its area code, e.g. 010 or 0571");
	/* 400 and 800 numbers: 10 digits. */
	assert_phone("400-810-8888", "4008108888");
	assert_phone("800 820 8820", "8008208820");
	assert_bad_phone("400-810-888", "phone: a 400 or 800 number has 10 digits, not 9");
	/* Extensions after 转, ext, x, # or a last group after a whole landline. */
	assert_phone("010-62345678转123", "01062345678-123");
	assert_phone("010 62345678 ext. 45", "01062345678-45");
	assert_phone("0571-88888888-6", "057188888888-6");
	assert_phone("0571-8888888#6001", "05718888888-6001");
	assert_bad_phone("010-62345678转", "phone: an extension is 1 to 6 digits");
	assert_bad_phone("010-62345678 ext 1234567", "phone: an extension is 1 to 6 digits");
	/* Anything else is said to be wrong, not guessed at. */
	assert_bad_phone("call me", "phone: only digits, spaces, '-', '(' and ')', a leading '+' "
				    "and an extension after 转, ext or #");
	assert_bad_phone("+1 415 555 1234", "phone: only Chinese numbers: +86 or no country code");
	assert_bad_phone("+86", "phone: no digits");
	assert_bad_phone("", "phone: no digits");
	assert_bad_phone("95555", "phone: not a mobile (11 digits from 13), landline (area code "
				  "and number) or 400/800 number");
	/* The Chinese message says the same. */
	assert_int_equal(cust_phone_check("1381234567", out, sizeof(out), "phone", 0, &ei),
			 ERR_UNPROCESSABLE);
	assert_string_equal(ei.message_zh, "电话：手机号码应为 11 位，现为 10 位");
	/* Stored numbers fit the masking of today: head 3, tail 4. */
	assert_phone("010-62345678转123", "01062345678-123");
}

/* Every broken rule of a record is reported, one message a field. */
static void customer_rules_report_every_field(void **state)
{
	struct customer c = customer("王", "mr");
	struct err_info ei;

	(void)state;
	snprintf(c.email, sizeof(c.email), "wang@");
	c.vip_level = 12;
	add_phone(&c, "1381234", "");
	snprintf(c.name, sizeof(c.name), "\xe3\x80\x80 "); /* U+3000 and a space */
	assert_int_equal(cust_validate(&c, NOW, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "name");
	assert_int_equal(ei.nmore, 3);
	assert_string_equal(ei.more[0].field, "phones");
	assert_string_equal(ei.more[0].message, "phones: a mobile number has 11 digits, not 7");
	assert_string_equal(ei.more[1].field, "email");
	assert_string_equal(ei.more[2].field, "vip_level");
	assert_string_equal(ei.more[2].message_zh, "VIP 等级：0 至 9");
}

/* CUST-1..4: what a customer record may hold. */
static void customer_rules(void **state)
{
	struct customer c = customer("王", "mr"), bad;
	struct err_info ei;
	char long_name[300] = "";

	(void)state;
	assert_int_equal(cust_validate(&c, NOW, &ei), 0);
	/* A record nobody can name or reach is refused. */
	bad = customer("", "");
	assert_invalid(&bad, "name");
	add_phone(&bad, "13812341234", "");
	assert_int_equal(cust_validate(&bad, NOW, &ei), 0);
	bad = c;
	snprintf(bad.title, sizeof(bad.title), "dr");
	assert_invalid(&bad, "title");
	bad = c;
	snprintf(bad.kind, sizeof(bad.kind), "vip");
	assert_invalid(&bad, "kind");
	/* CUST-3: VIP levels 0..9. */
	bad = c;
	bad.vip_level = 10;
	assert_invalid(&bad, "vip_level");
	bad.vip_level = -1;
	assert_invalid(&bad, "vip_level");
	bad.vip_level = 9;
	assert_int_equal(cust_validate(&bad, NOW, &ei), 0);
	bad = c;
	snprintf(bad.email, sizeof(bad.email), "wang@example");
	assert_invalid(&bad, "email");
	snprintf(bad.email, sizeof(bad.email), "wang@example.com");
	assert_int_equal(cust_validate(&bad, NOW, &ei), 0);
	snprintf(bad.email, sizeof(bad.email), "wa ng@example.com");
	assert_invalid(&bad, "email");
	bad = c;
	snprintf(bad.birthday, sizeof(bad.birthday), "02-30");
	assert_invalid(&bad, "birthday");
	/* Each number once, and only digits are stored. */
	bad = c;
	add_phone(&bad, "13812341234", "手机");
	add_phone(&bad, "13812341234", "家");
	assert_invalid(&bad, "phones");
	bad = c;
	add_phone(&bad, "+8613812341234", "");
	assert_invalid(&bad, "phones");
	bad = c;
	bad.ntags = 1;
	snprintf(bad.tags[0], sizeof(bad.tags[0]), "  ");
	assert_invalid(&bad, "tags");
	/* 64 Chinese characters fit in a name, 65 do not: limits count characters. */
	bad = c;
	for (int i = 0; i < 64; i++)
		strcat(long_name, "客");
	snprintf(bad.name, sizeof(bad.name), "%s", long_name);
	assert_int_equal(cust_validate(&bad, NOW, &ei), 0);
	strcat(long_name, "户");
	snprintf(bad.name, sizeof(bad.name), "%s", long_name);
	assert_invalid(&bad, "name");
	bad = c;
	snprintf(bad.wechat, sizeof(bad.wechat), "wx\001id");
	assert_invalid(&bad, "wechat");
	bad = c;
	snprintf(bad.notes, sizeof(bad.notes), "第一行\n第二行");
	assert_int_equal(cust_validate(&bad, NOW, &ei), 0);
}

static void tags_and_diff(void **state)
{
	struct customer a = customer("王", "mr"), b;
	char *text;

	(void)state;
	assert_int_equal(cust_tag_add(&a, "洗车"), 1);
	assert_int_equal(cust_tag_add(&a, "投诉多"), 1);
	assert_int_equal(cust_tag_add(&a, "洗车"), 0); /* a set */
	text = cust_tags_text(&a);
	assert_string_equal(text, "[\"洗车\",\"投诉多\"]");
	b = customer("王", "mr");
	assert_int_equal(cust_tags_parse(&b, text), 0);
	free(text);
	assert_int_equal(b.ntags, 2);
	assert_int_equal(cust_diff(&a, &b), 0);
	b.vip_level = 3;
	add_phone(&b, "13812341234", "");
	snprintf(b.title, sizeof(b.title), "ms");
	assert_int_equal(cust_diff(&a, &b), CF_VIP | CF_PHONES | CF_TITLE);
	assert_string_equal(cust_field_name(CF_VIP), "vip_level");
	assert_string_equal(cust_field_name(CF_PHONES), "phones");
	assert_null(cust_field_name(CF_VIP | CF_NAME));
	assert_int_equal(cust_tags_parse(&b, "not json"), ERR_IO);
}

/* CUST-1, CUST-3: a merge fills gaps, unites tags and never demotes a VIP. */
static void merge_field_rules(void **state)
{
	struct customer into = customer("王", "mr"), from = customer("李", "ms");
	struct cust_merge_result res;
	struct err_info ei;

	(void)state;
	snprintf(into.email, sizeof(into.email), "wang@example.com");
	snprintf(into.birthday, sizeof(into.birthday), "05-17");
	cust_tag_add(&into, "洗车");
	into.vip_level = 2;
	snprintf(from.email, sizeof(from.email), "li@example.com");
	snprintf(from.wechat, sizeof(from.wechat), "wx_li");
	snprintf(from.birthday, sizeof(from.birthday), "1990-05-17");
	snprintf(from.name, sizeof(from.name), "李娜");
	cust_tag_add(&from, "洗车");
	cust_tag_add(&from, "商家");
	from.vip_level = 5;
	memset(&res, 0, sizeof(res));
	assert_int_equal(cust_merge_fields(&into, &from, &res, &ei), 0);
	assert_string_equal(into.surname, "王");                /* kept */
	assert_string_equal(into.email, "wang@example.com");    /* kept */
	assert_string_equal(into.wechat, "wx_li");              /* filled */
	assert_string_equal(into.name, "李娜");                 /* filled */
	assert_string_equal(into.birthday, "1990-05-17");       /* the fuller date */
	assert_int_equal(into.ntags, 2);
	assert_int_equal(res.tags_added, 1);
	assert_int_equal(into.vip_level, 5);
	assert_int_equal(res.old_vip, 2);
	assert_int_equal(res.filled, CF_NAME | CF_WECHAT | CF_BIRTHDAY);
	/* The higher level stays when the duplicate's is lower. */
	from.vip_level = 1;
	assert_int_equal(cust_merge_fields(&into, &from, &res, &ei), 0);
	assert_int_equal(into.vip_level, 5);
	/* Too many tags together is refused rather than dropping any. */
	into.ntags = 0;
	from.ntags = 0;
	for (int i = 0; i < CUST_TAGS_MAX; i++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "a%d", i);
		cust_tag_add(&into, tag);
		snprintf(tag, sizeof(tag), "b%d", i);
		cust_tag_add(&from, tag);
	}
	assert_int_equal(cust_merge_fields(&into, &from, &res, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "from_id");
}

static struct cust_contact contact(const char *channel, const char *direction)
{
	struct cust_contact c;

	memset(&c, 0, sizeof(c));
	snprintf(c.channel, sizeof(c.channel), "%s", channel);
	snprintf(c.direction, sizeof(c.direction), "%s", direction);
	c.started_at = NOW - 60000;
	c.agent_id = 1;
	return c;
}

static void assert_contact_invalid(const struct cust_contact *c, const char *field)
{
	struct err_info ei;

	assert_int_equal(cust_contact_validate(c, NOW, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, field);
}

/* CALL-10 (truthful record, 5W1H), CALL-12 (channels), ROUTE-1 (class letters). */
static void contact_rules(void **state)
{
	static const char *const ok[] = {"phone", "wechat", "weibo", "web_chat",
					 "email", "sms",    "visit"};
	struct cust_contact c = contact("phone", "in"), bad;
	struct err_info ei;
	char *text;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(cust_channel_valid(ok[i]));
	assert_false(cust_channel_valid("fax"));
	assert_int_equal(cust_contact_validate(&c, NOW, &ei), 0);
	bad = contact("fax", "in");
	assert_contact_invalid(&bad, "channel");
	bad = contact("phone", "sideways");
	assert_contact_invalid(&bad, "direction");
	/* ROUTE-1: the letter; sub-classes like A1 belong to work orders. */
	for (char k = 'A'; k <= 'F'; k++) {
		bad = c;
		bad.cls[0] = k;
		assert_int_equal(cust_contact_validate(&bad, NOW, &ei), 0);
	}
	assert_false(cust_class_valid("A1"));
	assert_false(cust_class_valid("G"));
	assert_false(cust_class_valid("a"));
	bad = c;
	snprintf(bad.cls, sizeof(bad.cls), "G");
	assert_contact_invalid(&bad, "class");
	/* CALL-10: truthful times. */
	bad = c;
	bad.ended_at = bad.started_at - 1;
	assert_contact_invalid(&bad, "ended_at");
	bad = c;
	bad.started_at = NOW + 3600 * 1000;
	assert_contact_invalid(&bad, "started_at");
	bad = c;
	bad.satisfaction = 6;
	assert_contact_invalid(&bad, "satisfaction");
	bad = c;
	snprintf(bad.phone, sizeof(bad.phone), "+8613812341234");
	assert_contact_invalid(&bad, "phone");
	/* The 5W1H round trip through its stored JSON. */
	bad = c;
	snprintf(bad.fivew[cust_fivew_index("who")], sizeof(bad.fivew[0]), "王先生");
	snprintf(bad.fivew[cust_fivew_index("what")], sizeof(bad.fivew[0]), "退款");
	text = cust_fivew_text(&bad);
	assert_string_equal(text, "{\"what\":\"退款\",\"who\":\"王先生\"}");
	assert_int_equal(cust_fivew_parse(&c, text), 0);
	free(text);
	assert_string_equal(c.fivew[1], "王先生");
	assert_string_equal(c.fivew[3], "退款");
	assert_string_equal(c.fivew[0], "");
	assert_int_equal(cust_fivew_index("whom"), -1);
}

/* A database with a department, an agent (id in *agent) and its department (*dept). */
static struct store *center(int64_t *agent, int64_t *dept)
{
	struct store *s = test_store_open();
	struct org_department d;
	struct org_person p;
	struct err_info ei;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "城市客服部");
	snprintf(d.kind, sizeof(d.kind), "city_service");
	assert_int_equal(org_department_insert(s, &d, 1, &ei), 0);
	memset(&p, 0, sizeof(p));
	snprintf(p.work_no, sizeof(p.work_no), "8101");
	snprintf(p.name, sizeof(p.name), "刘洋");
	p.roles = ROLE_AGENT;
	p.active = 1;
	assert_int_equal(org_person_insert(s, &p, 1, &ei), 0);
	*agent = p.id;
	*dept = d.id;
	return s;
}

static int64_t add_order(struct store *s, const char *number, int64_t customer_id, int64_t dept,
			 int64_t agent, int64_t at)
{
	int64_t id = 0;

	assert_int_equal(store_run(s,
				   "INSERT INTO work_order(number, class, state, customer_id,"
				   " department_id, first_agent_id, summary, created_at, updated_at)"
				   " VALUES (?, 'A1', 'new', ?, ?, ?, '无法支付', ?, ?) RETURNING id",
				   &id, "tiiiii", number, customer_id, dept, agent, at, at),
			 1);
	return id;
}

static int64_t add_contact(struct store *s, int64_t customer_id, const char *phone,
			   int64_t agent, int64_t at)
{
	struct cust_contact c = contact("phone", "in");
	struct err_info ei;

	c.customer_id = customer_id;
	snprintf(c.phone, sizeof(c.phone), "%s", phone);
	c.agent_id = agent;
	c.started_at = at;
	assert_int_equal(cust_contact_insert(s, &c, NOW, &ei), 0);
	return c.id;
}

static int64_t count(struct store *s, const char *sql, int64_t id)
{
	int64_t n = -1;

	assert_int_equal(store_run(s, sql, &n, "i", id), 1);
	return n;
}

/* CUST-1: each number belongs to one customer; CUST-3: every VIP change is kept. */
static void store_unique_phone_and_vip_history(void **state)
{
	int64_t agent, dept, owner = 0;
	struct store *s = center(&agent, &dept);
	struct customer a = customer("王", "mr"), b = customer("李", "ms"), got, old;
	struct err_info ei;

	(void)state;
	add_phone(&a, "13812341234", "手机");
	add_phone(&a, "01088881234", "办公室");
	a.vip_level = 2;
	assert_int_equal(cust_insert(s, &a, agent, "首单", NOW, &ei), 0);
	assert_true(a.id > 0);
	assert_int_equal(cust_get(s, a.id, &got), 0);
	assert_int_equal(got.nphones, 2);
	assert_string_equal(got.phones[0].phone, "01088881234"); /* same instant: by number */
	assert_int_equal(cust_phone_owner(s, "13812341234", &owner), 0);
	assert_int_equal(owner, a.id);
	assert_int_equal(count(s, "SELECT count(*) FROM customer_vip WHERE customer_id = ?", a.id),
			 1);

	/* Another customer cannot take a number: 409 naming phones. */
	add_phone(&b, "13812341234", "");
	assert_int_equal(cust_insert(s, &b, agent, NULL, NOW, &ei), ERR_CONFLICT);
	assert_string_equal(ei.field, "phones");
	assert_non_null(strstr(ei.message, "138****1234")); /* masked even here (CUST-2) */
	b.nphones = 0;
	add_phone(&b, "13900000000", "");
	assert_int_equal(cust_insert(s, &b, agent, NULL, NOW, &ei), 0);
	/* No VIP level, no history entry. */
	assert_int_equal(count(s, "SELECT count(*) FROM customer_vip WHERE customer_id = ?", b.id),
			 0);
	old = b;
	add_phone(&b, "01088881234", "");
	assert_int_equal(cust_update(s, &b, &old, agent, NULL, NOW + 1, &ei), ERR_CONFLICT);
	assert_string_equal(ei.field, "phones");

	/* Once a lets go of the number, b may have it. */
	old = a;
	a.nphones = 1;
	snprintf(a.phones[0].phone, sizeof(a.phones[0].phone), "13812341234");
	a.vip_level = 5;
	assert_int_equal(cust_update(s, &a, &old, agent, "升级", NOW + 2, &ei), 0);
	assert_int_equal(cust_get(s, b.id, &old), 0);
	assert_int_equal(cust_update(s, &b, &old, agent, NULL, NOW + 3, &ei), 0);
	assert_int_equal(cust_phone_owner(s, "01088881234", &owner), 0);
	assert_int_equal(owner, b.id);
	assert_int_equal(cust_get(s, a.id, &got), 0);
	assert_int_equal(got.nphones, 1);
	assert_string_equal(got.phones[0].label, "手机");
	assert_int_equal(got.vip_level, 5);
	assert_int_equal(count(s, "SELECT count(*) FROM customer_vip WHERE customer_id = ?", a.id),
			 2);
	assert_int_equal(count(s, "SELECT by_id FROM customer_vip WHERE customer_id = ?"
				  " ORDER BY id DESC LIMIT 1",
			       a.id),
			 agent);
	assert_int_equal(cust_get(s, 999, &got), ERR_NOTFOUND);
	test_store_close(s);
}

/* CUST-5: the screen pop finds the caller by number, with their latest history. */
static void store_lookup_and_history(void **state)
{
	int64_t agent, dept, order_ids[7];
	struct store *s = center(&agent, &dept);
	struct customer a = customer("王", "mr"), got;
	struct cust_history h;
	struct err_info ei;

	(void)state;
	add_phone(&a, "13812341234", "手机");
	assert_int_equal(cust_insert(s, &a, agent, NULL, NOW, &ei), 0);
	for (int i = 0; i < 7; i++) {
		char number[32];

		add_contact(s, a.id, "13812341234", agent, NOW - 10000 + i);
		snprintf(number, sizeof(number), "A1-20260615-%03d", i + 1);
		order_ids[i] = add_order(s, number, a.id, dept, agent, NOW + i);
	}
	assert_int_equal(cust_lookup(s, "+86 138 1234 1234", &got, &h), 0);
	assert_int_equal(got.id, a.id);
	assert_int_equal(got.nphones, 1);
	assert_string_equal(got.phones[0].phone, "13812341234");
	assert_int_equal(h.contacts_total, 7);
	assert_int_equal(h.orders_total, 7);
	assert_int_equal(h.ncontacts, CUST_RECENT);
	assert_int_equal(h.norders, CUST_RECENT);
	assert_true(h.contacts[0].id > h.contacts[1].id); /* newest first */
	assert_int_equal(h.orders[0].id, order_ids[6]);
	assert_string_equal(h.orders[0].number, "A1-20260615-007");
	assert_string_equal(h.orders[0].state, "new");
	assert_string_equal(h.orders[0].cls, "A1");
	assert_string_equal(h.contacts[0].channel, "phone");
	assert_int_equal(cust_lookup(s, "13900000000", &got, &h), ERR_NOTFOUND);
	assert_int_equal(cust_lookup(s, "not a number", &got, &h), ERR_NOTFOUND);
	assert_int_equal(cust_has_order_in_department(s, a.id, dept), 1);
	assert_int_equal(cust_has_order_in_department(s, a.id, dept + 1), 0);
	test_store_close(s);
}

/* CUST-1: a merge moves everything to the survivor; nothing is lost, old ids still lead there. */
static void store_merge_moves_everything(void **state)
{
	int64_t agent, dept, surviving = 0, c1, c2, c3, o1;
	struct store *s = center(&agent, &dept);
	struct customer a = customer("王", "mr"), b = customer("", ""), x = customer("赵", "mr");
	struct customer got, old;
	struct cust_merge_result res;
	struct cust_history h;
	struct err_info ei;

	(void)state;
	add_phone(&a, "13812341234", "手机");
	a.vip_level = 1;
	assert_int_equal(cust_insert(s, &a, agent, "首单", NOW, &ei), 0);
	add_phone(&b, "13900000000", "家");
	snprintf(b.wechat, sizeof(b.wechat), "wx_wang");
	cust_tag_add(&b, "洗车");
	b.vip_level = 3;
	assert_int_equal(cust_insert(s, &b, agent, "老客户", NOW, &ei), 0);
	c1 = add_contact(s, a.id, "13812341234", agent, NOW - 3000);
	c2 = add_contact(s, b.id, "13900000000", agent, NOW - 2000);
	c3 = add_contact(s, b.id, "13900000000", agent, NOW - 1000);
	o1 = add_order(s, "A1-1", b.id, dept, agent, NOW);

	assert_int_equal(store_begin(s), 0);
	assert_int_equal(cust_merge(s, a.id, b.id, agent, NOW + 10, &got, &res, &ei), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(res.phones, 1);
	assert_int_equal(res.contacts, 2);
	assert_int_equal(res.orders, 1);
	assert_int_equal(res.vip_history, 1);
	assert_int_equal(res.filled, CF_WECHAT);
	assert_int_equal(res.tags_added, 1);
	assert_int_equal(res.old_vip, 1);
	/* The survivor as it now is. */
	assert_int_equal(got.id, a.id);
	assert_int_equal(got.nphones, 2);
	assert_string_equal(got.wechat, "wx_wang");
	assert_int_equal(got.vip_level, 3);
	assert_int_equal(cust_get(s, a.id, &old), 0);
	assert_int_equal(old.vip_level, 3);
	assert_string_equal(old.tags[0], "洗车");
	/* Every contact and order now names the survivor. */
	assert_int_equal(count(s, "SELECT count(*) FROM contact WHERE customer_id = ?", a.id), 3);
	assert_int_equal(count(s, "SELECT count(*) FROM contact WHERE customer_id = ?", b.id), 0);
	assert_int_equal(count(s, "SELECT customer_id FROM work_order WHERE id = ?", o1), a.id);
	(void)c1;
	(void)c2;
	(void)c3;
	/* VIP history: both first levels, and the level the merge gave (CUST-3). */
	assert_int_equal(count(s, "SELECT count(*) FROM customer_vip WHERE customer_id = ?", a.id),
			 3);
	/* The duplicate stays, pointing at the survivor. */
	assert_int_equal(cust_get(s, b.id, &old), 0);
	assert_int_equal(old.merged_into, a.id);
	assert_int_equal(old.nphones, 0);
	assert_int_equal(cust_exists(s, b.id, &surviving), 0);
	assert_int_equal(surviving, a.id);
	assert_int_equal(cust_load(s, b.id, &old, &h), 0);
	assert_int_equal(old.id, a.id);
	assert_int_equal(h.contacts_total, 3);
	assert_int_equal(h.orders_total, 1);
	assert_int_equal(cust_lookup(s, "13900000000", &old, NULL), 0);
	assert_int_equal(old.id, a.id);
	/* A contact recorded with the old id lands on the survivor. */
	assert_int_equal(count(s, "SELECT customer_id FROM contact WHERE id = ?",
			       add_contact(s, b.id, "", agent, NOW)),
			 a.id);

	/* Refusals: into itself, into a merged one, a merged one again, unknown ids. */
	assert_int_equal(cust_merge(s, a.id, a.id, agent, NOW, &got, &res, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "from_id");
	assert_int_equal(cust_merge(s, b.id, a.id, agent, NOW, &got, &res, &ei), ERR_UNPROCESSABLE);
	assert_int_equal(cust_merge(s, a.id, b.id, agent, NOW, &got, &res, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "from_id");
	assert_int_equal(cust_merge(s, a.id, 999, agent, NOW, &got, &res, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "from_id");
	assert_int_equal(cust_merge(s, 999, a.id, agent, NOW, &got, &res, &ei), ERR_NOTFOUND);

	/* Merges never chain: merging the survivor away takes its duplicates along. */
	assert_int_equal(cust_insert(s, &x, agent, NULL, NOW, &ei), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(cust_merge(s, x.id, a.id, agent, NOW + 20, &got, &res, &ei), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(cust_get(s, b.id, &old), 0);
	assert_int_equal(old.merged_into, x.id);
	assert_int_equal(cust_exists(s, b.id, &surviving), 0);
	assert_int_equal(surviving, x.id);
	assert_int_equal(cust_exists(s, 999, &surviving), ERR_NOTFOUND);
	test_store_close(s);
}

struct seen {
	int n;
	int64_t ids[16];
};

static int seen_contact(void *ctx, const struct cust_contact *c)
{
	struct seen *v = ctx;

	if (v->n < 16)
		v->ids[v->n] = c->id;
	v->n++;
	return 0;
}

static int seen_customer(void *ctx, const struct customer *c)
{
	struct seen *v = ctx;

	if (v->n < 16)
		v->ids[v->n] = c->id;
	v->n++;
	return 0;
}

/* CALL-10: a contact attaches to the caller by number, never inventing a customer. */
static void store_contacts(void **state)
{
	int64_t agent, dept, k1, k2, k3;
	struct store *s = center(&agent, &dept);
	struct customer a = customer("王", "mr");
	struct cust_contact c = contact("phone", "in"), got;
	struct cust_contact_filter f = {.limit = 10};
	struct seen v = {0};
	struct err_info ei;

	(void)state;
	add_phone(&a, "13812341234", "");
	assert_int_equal(cust_insert(s, &a, agent, NULL, NOW, &ei), 0);
	c.agent_id = agent;
	snprintf(c.phone, sizeof(c.phone), "13812341234");
	snprintf(c.fivew[3], sizeof(c.fivew[3]), "退款");
	c.satisfaction = 5;
	assert_int_equal(cust_contact_insert(s, &c, NOW, &ei), 0);
	k1 = c.id;
	assert_int_equal(c.customer_id, a.id);
	k2 = add_contact(s, 0, "13700000000", agent, NOW - 5000);
	assert_int_equal(cust_contact_get(s, k2, &got), 0);
	assert_int_equal(got.customer_id, 0);
	assert_int_equal(count(s, "SELECT count(*) FROM customer WHERE id > ?", 0), 1);
	c = contact("wechat", "out");
	c.agent_id = agent;
	c.customer_id = 999;
	assert_int_equal(cust_contact_insert(s, &c, NOW, &ei), ERR_UNPROCESSABLE);
	assert_string_equal(ei.field, "customer_id");
	k3 = add_contact(s, a.id, "", agent, NOW - 100000);

	assert_int_equal(cust_contact_get(s, k1, &got), 0);
	assert_string_equal(got.fivew[3], "退款");
	assert_int_equal(got.satisfaction, 5);
	snprintf(got.cls, sizeof(got.cls), "E");
	got.ended_at = NOW;
	got.satisfaction = 0;
	assert_int_equal(cust_contact_update(s, &got, NOW, &ei), 0);
	assert_int_equal(cust_contact_get(s, k1, &got), 0);
	assert_string_equal(got.cls, "E");
	assert_int_equal(got.ended_at, NOW);
	assert_int_equal(got.satisfaction, 0);

	/* Newest first, filtered by customer and by time. */
	f.customer_id = a.id;
	assert_int_equal(cust_contact_list(s, &f, seen_contact, &v), 2);
	assert_int_equal(v.ids[0], k3);
	assert_int_equal(v.ids[1], k1);
	memset(&v, 0, sizeof(v));
	f.customer_id = 0;
	f.from = NOW - 60000;
	assert_int_equal(cust_contact_list(s, &f, seen_contact, &v), 2);
	assert_int_equal(v.ids[0], k2);
	memset(&v, 0, sizeof(v));
	f.from = 0;
	f.limit = 1;
	f.before_id = k3;
	assert_int_equal(cust_contact_list(s, &f, seen_contact, &v), 1);
	assert_int_equal(v.ids[0], k2);
	test_store_close(s);
}

static void store_customer_list(void **state)
{
	int64_t agent, dept;
	struct store *s = center(&agent, &dept);
	struct customer a = customer("王", "mr"), b = customer("李", "ms"), m = customer("王", "");
	struct cust_filter f = {.limit = 10};
	struct cust_merge_result res;
	struct customer got;
	struct seen v = {0};
	struct err_info ei;

	(void)state;
	snprintf(a.email, sizeof(a.email), "Wang@Example.com");
	add_phone(&a, "13812341234", "");
	assert_int_equal(cust_insert(s, &a, agent, NULL, NOW, &ei), 0);
	snprintf(b.kind, sizeof(b.kind), "merchant");
	b.vip_level = 4;
	assert_int_equal(cust_insert(s, &b, agent, NULL, NOW, &ei), 0);
	assert_int_equal(cust_insert(s, &m, agent, NULL, NOW, &ei), 0);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(cust_merge(s, a.id, m.id, agent, NOW, &got, &res, &ei), 0);
	assert_int_equal(store_commit(s), 0);
	/* Merged records are left out of lists. */
	assert_int_equal(cust_list(s, &f, seen_customer, &v), 2);
	f.q = "王";
	memset(&v, 0, sizeof(v));
	assert_int_equal(cust_list(s, &f, seen_customer, &v), 1);
	assert_int_equal(v.ids[0], a.id);
	f.q = "wang@example";
	assert_int_equal(cust_list(s, &f, seen_customer, &v), 1);
	f.q = NULL;
	f.kind = "merchant";
	memset(&v, 0, sizeof(v));
	assert_int_equal(cust_list(s, &f, seen_customer, &v), 1);
	assert_int_equal(v.ids[0], b.id);
	f.kind = NULL;
	f.vip_min = 5;
	assert_int_equal(cust_list(s, &f, seen_customer, &v), 0);
	f.vip_min = 0;
	f.after_id = a.id;
	memset(&v, 0, sizeof(v));
	assert_int_equal(cust_list(s, &f, seen_customer, &v), 1);
	assert_int_equal(v.ids[0], b.id);
	test_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phone_normalization),
		cmocka_unit_test(address_by_surname),
		cmocka_unit_test(birthday_rules),
		cmocka_unit_test(customer_rules),
		cmocka_unit_test(phone_rules),
		cmocka_unit_test(customer_rules_report_every_field),
		cmocka_unit_test(tags_and_diff),
		cmocka_unit_test(merge_field_rules),
		cmocka_unit_test(contact_rules),
		cmocka_unit_test(store_unique_phone_and_vip_history),
		cmocka_unit_test(store_lookup_and_history),
		cmocka_unit_test(store_merge_moves_everything),
		cmocka_unit_test(store_contacts),
		cmocka_unit_test(store_customer_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
