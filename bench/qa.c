/*
 * make bench: quality inspection's rule engine (src/qa/, docs/qa.md) — 500
 * rules over 10⁴ transcripts of about 50 utterances, the figure:
 * contacts checked a second on one core. Pure C, one thread, no I/O: the
 * rules are compiled once (timed apart), the transcripts and the calls'
 * metrics are made in memory first, and what is timed is qa_run alone,
 * which normalises every utterance, walks it with the automaton, runs the
 * patterns and evaluates every rule.
 *
 * The rules are made like a center's rulebook, from a fixed seed: forbidden
 * phrases with their exclusions (QA-3), required wording in the opening and
 * the closing (CALL-3, keywords with mode none and a position), uncertain
 * answers as patterns (QA-4), lists of words in modes any / all / n_of,
 * order and boolean combinations, and the call's metrics (CALL-2, 4, 5, 7,
 * 8, 11, dead air, talk-over). The utterances are made of common Han
 * characters with punctuation, some in traditional characters, some
 * carrying the rules' words, so that hits happen as on real calls.
 *
 * Arguments: rules (500), calls (10000), utterances a call (50), runs (3).
 * It prints the compile time, the best and median run in calls a second
 * (CPU time of the process), and the hits found.
 * docs/performance.md records the figures.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rand.h"
#include "core/buf.h"
#include "qa/qa.h"


/* Common characters (UTF-8, 3 bytes each), and a few traditional ones. */
static const char pool[] =
	"的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主"
	"发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里"
	"如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些"
	"然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或"
	"但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题程展五"
	"果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组"
	"见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研空调冰箱洗"
	"衣维修安装售后服务费用预约师傅上门时间地址电话号码型号故障不制冷漏水噪音";
static const char *trad[] = {"請", "稍", "謝", "這", "個", "問", "題", "應", "該", "號",
			     "碼", "維", "修", "預", "約", "師", "傅", "門", "時", "間"};
static const char *punct[] = {"，", "。", "？", "！", "、", " ", ",", "."};

/* Phrases a rulebook names (QA-3, QA-4, CALL-3, CALL-8). */
static const char *phrases[] = {
	/* forbidden (QA-3, QA-4) */
	"喂",
	"说话啊",
	"你到底问什么",
	"不知道",
	"不归我们管",
	"我们就这规定",
	"你自己看",
	"没办法",
	"一般是",
	"应该是",
	/* other wording */
	"请稍等",
	"对不起",
	"谢谢",
	"请问",
	"帮您转接",
	"可以吗",
	"耽误您",
	"马上为您",
	"投诉",
	"12315",
	"退货",
	"上门",
	"师傅",
	"费用",
	"预约",
	"满意",
	/* the opening and the closing (CALL-3), which nearly every call says */
	"您好",
	"再见",
	"感谢您的来电",
	"工号",
};
#define NPHRASES ((int)(sizeof(phrases) / sizeof(phrases[0])))

static int npool;

/* The text of b, as a string of its own; b is emptied. */
static char *steal(struct buf *b)
{
	char *s = strdup(buf_str(b));

	buf_release(b);
	return s;
}

static void add_han(struct buf *b)
{
	int i = (int)rnd((uint32_t)npool);

	buf_append(b, pool + i * 3, 3);
}

/* A made-up word of 2-4 characters (the bulk of a rulebook's lists). */
static void add_word(struct buf *b)
{
	int n = 2 + (int)rnd(3);

	for (int i = 0; i < n; i++)
		add_han(b);
}

/* A word a rule looks for: one of the phrases, or a made-up one from a
 * small fixed set (seeded apart, so utterances can say them too). */
static char vocab[400][16];
#define NVOCAB ((int)(sizeof(vocab) / sizeof(vocab[0])))

static void make_vocab(void)
{
	for (int i = 0; i < NVOCAB; i++) {
		struct buf b = BUF_INIT;

		if (i < NPHRASES)
			buf_printf(&b, "%s", phrases[i]);
		else
			add_word(&b);
		snprintf(vocab[i], sizeof(vocab[i]), "%s", buf_str(&b));
		buf_release(&b);
	}
}

/* A word of a rule's list or of an utterance: some of them the phrases
 * (the forbidden ones, the first NFORBIDDEN, one in twelve for a list of
 * forbidden words; the others but the opening's and closing's, one in
 * three, for the rest), the others made up. */
#define NFORBIDDEN 10
#define NOPENING 4
enum { W_FORBIDDEN, W_OTHER, W_SAID };

static const char *word_of(int set)
{
	/* Each forbidden phrase in a few rules, not in every tenth one. */
	if (set == W_FORBIDDEN ? rnd(12) : rnd(3))
		return vocab[NPHRASES + rnd(NVOCAB - NPHRASES)];
	if (set == W_FORBIDDEN)
		return phrases[rnd(NFORBIDDEN)];
	if (set == W_OTHER)
		return phrases[NFORBIDDEN + rnd(NPHRASES - NFORBIDDEN - NOPENING)];
	return phrases[rnd(NPHRASES)];
}

static void words_json(struct buf *b, int n, int set)
{
	buf_printf(b, "[");
	for (int i = 0; i < n; i++)
		buf_printf(b, "%s\"%s\"", i ? "," : "", word_of(set));
	buf_printf(b, "]");
}

/* Rule i of the rulebook, as its JSON body. */
static char *make_rule(int i)
{
	struct buf b = BUF_INIT;
	int kind = i % 20;
	const char *sev[] = {"low", "medium", "high"};

	buf_printf(&b, "{\"name\":\"规则%d\",\"severity\":\"%s\",\"score\":%d,\"conditions\":[", i,
		   sev[rnd(3)], -(int)(1 + rnd(5)));
	if (kind < 8) {
		/* Forbidden words of the agent, with an exclusion now and then. */
		buf_printf(&b,
			   "{\"id\":\"a\",\"type\":\"keywords\",\"speaker\":\"agent\",\"words\":");
		words_json(&b, 1 + (int)rnd(8), W_FORBIDDEN);
		if (rnd(3) == 0) {
			buf_printf(&b, ",\"exclude\":");
			words_json(&b, 1 + (int)rnd(2), W_OTHER);
		}
		buf_printf(&b, ",\"better\":\"您好！\"}");
	} else if (kind < 10) {
		/* Required wording in the opening or the closing. */
		buf_printf(&b,
			   "{\"id\":\"a\",\"type\":\"keywords\",\"speaker\":\"agent\",\"mode\":"
			   "\"none\","
			   "\"position\":{\"from\":\"%s\",\"utterances\":%d},\"words\":",
			   kind == 8 ? "first" : "last", 1 + (int)rnd(2));
		buf_printf(&b, "[\"%s\"", kind == 8 ? "您好" : "再见");
		if (rnd(2))
			buf_printf(&b, ",\"%s\"", kind == 8 ? "工号" : "感谢您的来电");
		buf_printf(&b, "]}");
	} else if (kind < 13) {
		/* Patterns: uncertain answers, a number said, two words close. */
		static const char *pat[] = {"(一般|应该)(是|会|可以)", "你们?(自己|去)(看|查)",
					    "1[3-9]\\\\d{9}", "(不|没)(知道|办法|清楚)"};

		if (kind == 12)
			buf_printf(&b,
				   "{\"id\":\"a\",\"type\":\"regex\",\"speaker\":\"agent\","
				   "\"pattern\":"
				   "\"%s.{0,6}%s\"}",
				   word_of(W_OTHER), word_of(W_OTHER));
		else
			buf_printf(&b,
				   "{\"id\":\"a\",\"type\":\"regex\",\"speaker\":\"agent\","
				   "\"pattern\":"
				   "\"%s\",\"exclude\":\"一般来说\"}",
				   pat[rnd(4)]);
	} else if (kind < 15) {
		/* Lists in modes all and n_of. */
		int n = 2 + (int)rnd(4);

		buf_printf(&b, "{\"id\":\"a\",\"type\":\"keywords\",\"mode\":\"%s\",%s\"words\":",
			   kind == 13 ? "all" : "n_of", kind == 13 ? "" : "\"n\":2,");
		words_json(&b, n, W_OTHER);
		buf_printf(&b, "}");
	} else if (kind < 17) {
		/* Order and boolean: a wait not followed by thanks, a complaint
		 * without an apology. */
		buf_printf(&b,
			   "{\"id\":\"w\",\"type\":\"keywords\",\"speaker\":\"agent\",\"words\":");
		words_json(&b, 1 + (int)rnd(3), W_OTHER);
		buf_printf(
			&b,
			"},{\"id\":\"t\",\"type\":\"keywords\",\"speaker\":\"agent\",\"words\":");
		words_json(&b, 1 + (int)rnd(3), W_OTHER);
		buf_printf(&b, "},{\"id\":\"c\",\"type\":\"keywords\",\"speaker\":\"customer\","
			       "\"words\":");
		words_json(&b, 1 + (int)rnd(3), W_OTHER);
		buf_printf(
			&b,
			"},{\"id\":\"o\",\"type\":\"order\",\"cond\":\"w\",\"relation\":\"%s\","
			"\"other\":\"t\",\"utterances\":3}],\"when\":\"(w && !o) || (c && !t)\"}",
			kind == 15 ? "within" : "before");
		return steal(&b);
	} else {
		static const char *m[] = {
			"{\"id\":\"a\",\"type\":\"silence\",\"over_ms\":5000}",
			"{\"id\":\"a\",\"type\":\"speech_rate\",\"speaker\":\"agent\",\"min\":100,"
			"\"max\":200}",
			"{\"id\":\"a\",\"type\":\"talk_over\",\"over_ms\":1500}",
			"{\"id\":\"a\",\"type\":\"hold_silent\"}",
			"{\"id\":\"a\",\"type\":\"hold_total\"}",
			"{\"id\":\"a\",\"type\":\"agent_hung_up_first\"}",
			"{\"id\":\"a\",\"type\":\"rings\"}",
			"{\"id\":\"a\",\"type\":\"class_f_over\"}",
			"{\"id\":\"a\",\"type\":\"consent\",\"event\":\"transfer\",\"phrases\":["
			"\"帮您转接\","
			"\"可以吗\"]}",
			"{\"id\":\"a\",\"type\":\"consent\",\"event\":\"hold\",\"phrases\":["
			"\"请稍等\","
			"\"耽误您\"]}",
		};

		buf_printf(&b, "%s", m[rnd(10)]);
	}
	buf_printf(&b, "]}");
	return steal(&b);
}

/* One utterance's text: 8 to 40 characters (*n), a phrase or a rule's
 * word in one of twenty, traditional characters in one of ten; the
 * agent's first opens (CALL-3) and the last closes, nine times in ten. */
static char *make_text(int *count, int opening, int closing)
{
	struct buf b = BUF_INIT;
	int n = 8 + (int)rnd(33), tr = rnd(10) == 0;

	*count = n;
	if (opening && rnd(10))
		buf_printf(&b, "您好！客户服务中心，工号%d为您服务，", 1000 + (int)rnd(100));
	if (closing && rnd(10))
		buf_printf(&b, "感谢您的来电，再见！");

	for (int i = 0; i < n; i++) {
		uint32_t r = rnd(100);

		if (r < 8)
			buf_printf(&b, "%s", punct[rnd(8)]);
		else if (tr && r < 20)
			buf_printf(&b, "%s", trad[rnd(20)]);
		else
			add_han(&b);
		if (i == n / 2 && rnd(20) == 0)
			buf_printf(&b, "%s", word_of(W_SAID));
	}
	return steal(&b);
}

struct call {
	struct qa_contact c;
	struct qa_utt *utt;
	struct qa_span holds[2], dead_air[2], talk_over[2];
	struct qa_event events[1];
};

static void make_call(struct call *k, int nutt)
{
	int64_t t = 0;

	qa_contact_init(&k->c, QA_CALL);
	k->utt = calloc((size_t)nutt, sizeof(*k->utt));
	for (int u = 0; u < nutt; u++) {
		int n, agent = u % 2 == 0;
		int64_t len;

		k->utt[u].speaker = agent ? QA_AGENT : QA_CUSTOMER;
		k->utt[u].text = make_text(&n, u == 0, agent && u + 2 >= nutt);
		/* About 150 characters a minute (CALL-11), some faster or slower. */
		len = (int64_t)n * (300 + rnd(200)) + rnd(500);
		k->utt[u].start_ms = t;
		k->utt[u].end_ms = t + len;
		t += len + 200 + rnd(rnd(30) == 0 ? 8000 : 1500);
	}
	k->c.nutt = nutt;
	k->c.utt = k->utt;
	k->c.rings = rnd(10) == 0 ? 4 + (int)rnd(3) : 1 + (int)rnd(3);
	k->c.hangup = rnd(10) == 0 ? QA_HANGUP_AGENT : QA_HANGUP_CUSTOMER;
	k->c.end_ms = t;
	k->c.talk_ms = t;
	if (rnd(20) == 0)
		snprintf(k->c.contact_class, sizeof(k->c.contact_class), "F");
	if (rnd(5) == 0) {
		k->holds[0] = (struct qa_span){t / 3, 10000 + rnd(60000), QA_AGENT};
		k->c.nholds = 1;
		k->c.holds = k->holds;
	}
	/* The recording's measures: dead air and talk-over now and then. */
	k->c.ndead_air = 0;
	k->c.dead_air = k->dead_air;
	if (rnd(10) == 0)
		k->dead_air[k->c.ndead_air++] = (struct qa_span){t / 2, 5000 + rnd(5000), 0};
	k->c.ntalk_over = 0;
	k->c.talk_over = k->talk_over;
	if (rnd(10) == 0)
		k->talk_over[k->c.ntalk_over++] = (struct qa_span){t / 4, 1000 + rnd(2000), 0};
	if (rnd(10) == 0) {
		snprintf(k->events[0].kind, sizeof(k->events[0].kind), "transfer");
		k->events[0].at_ms = t - 5000;
		k->c.nevents = 1;
		k->c.events = k->events;
	}
}

static int64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int nrules = argc > 1 ? atoi(argv[1]) : 500, ncalls = argc > 2 ? atoi(argv[2]) : 10000;
	int nutt = argc > 3 ? atoi(argv[3]) : 50, runs = argc > 4 ? atoi(argv[4]) : 3;
	struct qa_rule_src *src;
	struct qa_engine *e = NULL;
	struct err_info ei = {0};
	struct call *calls;
	double rate[16];
	long hits = 0, matched = 0, chars = 0, score = 0;
	int64_t t0;

	if (nrules < 1 || ncalls < 1 || nutt < 1 || nutt > QA_UTT_MAX || runs < 1 || runs > 16)
		return 2;
	npool = (int)(sizeof(pool) - 1) / 3;
	make_vocab();
	src = calloc((size_t)nrules, sizeof(*src));
	calls = calloc((size_t)ncalls, sizeof(*calls));
	if (!src || !calls)
		return 1;
	for (int i = 0; i < nrules; i++) {
		char code[16];

		snprintf(code, sizeof(code), "b%d", i);
		src[i] = (struct qa_rule_src){i + 1, strdup(code), 1, make_rule(i)};
	}
	for (int i = 0; i < ncalls; i++)
		make_call(&calls[i], nutt);
	for (int u = 0; u < calls[0].c.nutt; u++)
		chars += (long)strlen(calls[0].utt[u].text);

	t0 = cpu_ns();
	if (qa_compile(src, nrules, &e, &ei) != 0) {
		fprintf(stderr, "bench/qa: the rules do not compile: %s: %s\n", ei.field,
			ei.message);
		return 1;
	}
	printf("== qa engine: %d rules over %d calls of %d utterances (about %ld bytes of text a "
	       "call), %d runs\n",
	       nrules, ncalls, nutt, chars, runs);
	printf("compile: %.1f ms CPU (traditional → simplified: %s)\n", (cpu_ns() - t0) / 1e6,
	       qa_t2s_ready() ? "on" : "OFF, libopencc-data missing");

	for (int r = 0; r < runs; r++) {
		t0 = cpu_ns();
		for (int i = 0; i < ncalls; i++) {
			struct qa_result res;

			if (qa_run(e, &calls[i].c, &res) != 0)
				return 1;
			if (r == 0) {
				hits += res.nhits;
				matched += res.matched;
				score += res.score;
			}
			qa_result_free(&res);
		}
		rate[r] = ncalls / ((cpu_ns() - t0) / 1e9);
	}
	qsort(rate, (size_t)runs, sizeof(rate[0]), cmp_double);
	printf("run: best %.0f calls/s, median %.0f calls/s on one core (%.3f ms a call)\n",
	       rate[runs - 1], rate[runs / 2], 1000.0 / rate[runs / 2]);
	printf("a call: %.1f rules matched, %.1f hits, score %.1f on average\n",
	       (double)matched / ncalls, (double)hits / ncalls, (double)score / ncalls);

	qa_free(e);
	for (int i = 0; i < nrules; i++) {
		free((char *)src[i].code);
		free((char *)src[i].body);
	}
	for (int i = 0; i < ncalls; i++) {
		for (int u = 0; u < calls[i].c.nutt; u++)
			free((char *)calls[i].utt[u].text);
		free(calls[i].utt);
	}
	free(src);
	free(calls);
	return 0;
}
