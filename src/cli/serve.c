/*
 * kefu serve: opens the database pool, starts the HTTP server and waits for
 * SIGINT or SIGTERM. Signals are blocked in every thread and taken here
 * with sigwait(), so no handler runs in the middle of a request. On a
 * signal the server stops taking connections, lets requests in flight
 * finish, and checkpoints the WAL into the database file. With sip_listen
 * set, the SIP thread (src/sip/) starts after the HTTP server, running the
 * call engine (src/call/), and stops first; the recording writer
 * (src/rec/, when recordings_dir is set) starts before it, linking each
 * recording to its call through the engine, and stops after it, so every
 * call the SIP thread ends at shutdown is still written, fsynced and
 * linked.
 *
 * It also wires the modules together, so no lower one includes a higher
 * one: the list of route tables the server answers with, the scheduler's
 * ticks (src/sched/), what the end of a session does (the agent's seat,
 * ORG-3), what an agent's going ready must pass (the roster, WFM-3),
 * what the server does when it stops (ending event streams), and the call
 * engine that the SIP thread runs and the recording writer links to.
 *
 * Under systemd (Type=notify, etc/kefu.service.in; issue 22) it tells the
 * manager through sd_notify(3): READY=1 once it serves, RELOADING=1 and
 * READY=1 around a SIGHUP's reload, STOPPING=1 when it stops, STATUS= all
 * along; with WatchdogSec set it sends WATCHDOG=1 every half of the
 * period, but only while the readiness /healthz reports holds (database
 * writable, scheduler and SIP thread turning), so a kefu that is alive but
 * stuck is restarted. Outside systemd (no NOTIFY_SOCKET) these are no-ops.
 * SIGHUP reads the configuration anew and applies the keys that can change
 * while serving (config_reload); a file that does not read or validate
 * leaves the running configuration as it was, and the log says why.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "acd/acd.h"
#include "auth/auth.h"
#include "call/call.h"
#include "chan/chan.h"
#include "chan/chan_wx.h"
#include "chan/chan_webchat.h"
#include "chan/chan_mail.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/log.h"
#include "cust/cust.h"
#include "export/export.h"
#include "pipl/pipl.h"
#include "handover/handover.h"
#include "http/http.h"
#include "ivr/ivr.h"
#include "kb/kb.h"
#include "login/login.h"
#include "mtg/mtg.h"
#include "perf/perf.h"
#include "notify/notify.h"
#include "org/org.h"
#include "out/out.h"
#include "perf/perf.h"
#include "qa/qa.h"
#include "rec/rec.h"
#include "qa/qa.h"
#include "report/report.h"
#include "sched/sched.h"
#include "sip/sip.h"
#include "store/store.h"
#include "perf/perf.h"
#include "trn/trn.h"
#include "wfm/wfm.h"
#include "wo/wo.h"
#include "wo/wo_config.h"

static const char usage[] =
	"usage: kefu serve [--listen HOST:PORT] [--db PATH] [--config FILE] [--test-clock]\n";

/* Every module's routes, in the order requests are matched. */
const struct route *const cli_route_tables[] = {
	login_routes,  org_routes, http_audit_routes, http_misc_routes,
	cust_routes,   wo_routes,  wo_config_routes,  report_routes, report_call_routes,
	report_form_routes, report_sched_routes, /* issue 20: forms, scheduled reports */
	notify_routes, acd_routes, acd_live_routes,   sip_routes,
	call_routes,   rec_routes, ivr_routes,	      ivr_notice_routes,
	wfm_routes,    wfm_roster_routes, wfm_sheet_routes, wfm_attend_routes,
	handover_routes, wfm_leave_routes, call_guide_routes, qa_review_routes, qa_routes,
	qa_report_routes, kb_routes, kb_search_routes, kb_scripts_routes, out_routes,
	out_campaign_routes, out_test_routes, chan_routes, chan_mail_routes,
	chan_wx_routes, chan_sms_routes,
	chan_webchat_routes, /* issue 18: the web chat's public routes */
	mtg_routes, /* issue 19: meetings, work logs, inspections */
	perf_routes,	     /* issue 19: the month's evaluation and the ledger */
	perf_case_routes,    /* issue 19: penalties, proposals, the grievance award */
	trn_routes, trn_exam_routes, /* issue 19: training and exams */
	report_complaint_routes, report_callback_routes, /* issue 20: RPT-2, CB-3 */
	pipl_routes, /* issue 22: a customer's data exported or erased on request */
	report_agent_routes,	     /* issue 20: the agents' work statistics */
	NULL,
};

/* The scheduler's ticks (src/sched/); arg is the settings. */
static int tick_orders(struct store *s, int64_t now, void *arg)
{
	(void)arg;
	return wo_tick(s, now);
}

static int tick_agents(struct store *s, int64_t now, void *arg)
{
	const struct config *cfg = arg;

	return acd_tick(s, now, cfg->busy_max_min);
}

/* WFM-2: reminders and the alert of next month's roster's publication deadline. */
static int tick_roster(struct store *s, int64_t now, void *arg)
{
	(void)arg;
	return wfm_roster_tick(s, now);
}

/* Expired sessions end here, not only at their next use; their seats log out (ORG-3). */
static int tick_sessions(struct store *s, int64_t now, void *arg)
{
	const struct config *cfg = arg;

	return auth_session_expire(s, now, (int64_t)cfg->session_idle_min * 60000);
}

/* WFM-6, WFM-7: the handover's reminders, draft, snapshot and alert. */
static int tick_handover(struct store *s, int64_t now, void *arg)
{
	(void)arg;
	return handover_tick(s, now);
}

/* CALL-2/4/6/7: the live guidance's prompts, written to the calls as they come due. */
static int tick_call_guide(struct store *s, int64_t now, void *arg)
{
	(void)arg;
	return call_guide_tick(s, now);
}

static int tick_retention(struct store *s, int64_t now, void *arg)
{
	int n = wo_retention(s, now);

	(void)arg;
	if (n > 0)
		log_info("sched: anonymised %d archived orders (WO-7)", n);
	return n;
}

/* The forms of the modules below cli, in the order the forms page lists them. */
static const struct export_form *const forms[] = {
	&wfm_roster_form, &wfm_attend_form,	 &wfm_swap_form, &handover_log_form,
	&handover_records_form, &trn_plan_form, &qa_daily_form, &out_test_form,
	&perf_payout_form,
};

/*
 * Registers what lower modules cause in higher ones, before any thread
 * starts: every second the work orders' deadline clocks, the agents'
 * (CALL-15, wrap-up), expired sessions, the handover (WFM-6, WFM-7) and the
 * calls' live guidance (CALL-2/4/6/7) and the quality check of ended calls
 * (issue 15), in that order; hourly the retention job (WO-7); every minute
 * the roster's publication deadline (WFM-2); a session's end logs the
 * agent's seat out; the wallboard's live figures carry the calls' guidance
 * and the calls out (acd_live_add_extra); every second the daily
 * answer-rate test's scheduled calls (LED-2);
 * an agent's going ready asks the roster (WFM-3: not outside one's shift
 * unapproved). (The
 * server's stop ends the event streams itself: the hub is part of http.)
 */
static int wire(const struct config *cfg)
{
	void *arg = (void *)cfg;
	int rc = sched_add("wo_tick", tick_orders, arg, 0);

	if (rc == 0)
		rc = sched_add("acd_tick", tick_agents, arg, 0);
	if (rc == 0)
		rc = sched_add("session expiry", tick_sessions, arg, 0);
	if (rc == 0)
		rc = sched_add("handover_tick", tick_handover, arg, 0);
	if (rc == 0)
		rc = sched_add("call_guide_tick", tick_call_guide, arg, 0);
	/* The wallboard shows the calls' guidance and the calls out. */
	if (rc == 0)
		rc = acd_live_add_extra(call_guide_live);
	if (rc == 0)
		rc = acd_live_add_extra(out_live_extra);
	if (rc == 0)
		rc = sched_add("retention", tick_retention, arg, 3600000);
	/* Issue 20: the reports' summaries of closed days (report.h). */
	if (rc == 0)
		rc = sched_add("report_sum_tick", report_sum_tick, NULL, 0);
	/* The work-order report's summary kind "wo" and its form (report_wo_store.c). */
	if (rc == 0)
		rc = report_wo_kind_add();
	if (rc == 0)
		rc = report_forms_add();
	/* Issue 20 (LED-2): the forms kefu keeps, in the center's registry the
	 * forms page, GET /api/forms/{code}.xlsx and the scheduled reports use;
	 * the scheduled reports made as they fall due, every minute, and sent
	 * by email through the email channel's SMTP. */
	for (size_t i = 0; rc == 0 && i < sizeof(forms) / sizeof(forms[0]); i++)
		rc = export_form_add(forms[i]);
	if (rc == 0)
		rc = sched_add("report_sched_tick", report_sched_tick, arg, 60000);
	report_set_mailer(chan_mail_send_file);
	/* Issue 20: the call report's summary and its two forms (LED-2). */
	if (rc == 0) {
		report_call_kind.arg = arg;
		rc = report_kind_add(&report_call_kind);
	}
	if (rc == 0)
		rc = export_form_add(&report_call_sheet_form);
	if (rc == 0)
		rc = export_form_add(&report_call_stats_form);
	/* Issue 20: complaint statistics and the callback report, their forms (LED-2). */
	if (rc == 0)
		rc = report_complaint_wire();
	if (rc == 0)
		rc = report_callback_wire();
	/* Issue 20 (RPT-1, LED-2): the agents' work statistics, their summary,
	 * their form, and the QA score only qa/ computes. */
	if (rc == 0)
		rc = report_kind_add(&report_agent_kind);
	if (rc == 0)
		rc = export_form_add(&report_agent_form);
	if (rc == 0)
		report_agent_qa_set(qa_agent_scores);
	/* Issue 22: the daily backup at backup_at, on a thread of its own. */
	if (rc == 0)
		rc = sched_add("backup", cli_backup_tick, arg, 60000);
	if (rc == 0)
		rc = sched_add("wfm roster deadline", tick_roster, arg, 60000);
	if (rc == 0)
		rc = sched_add("wfm_leave_tick", wfm_leave_tick, NULL, 60000);
	/* Issue 15: every answered call checked once it ended and its recording
	 * is linked; transcripts' rechecks (QA-3, QA-4, CALL-2..8, CALL-11). */
	if (rc == 0)
		rc = sched_add("qa_tick", qa_tick, arg, 0);
	/* QA-1, QA-5: the week's sample and the must-review picks, every minute
	 * (after the checker, whose fatal and high-severity hits it reads). */
	if (rc == 0)
		rc = sched_add("qa_review_tick", qa_review_tick, NULL, 60000);
	/* Issue 17: dropped calls' and after-hours callers' call-backs (CALL-6,
	 * CALL-10) and the progressive campaigns' calls, every round. */
	if (rc == 0)
		rc = sched_add("out_tick", out_tick, arg, 0);
	/* LED-2: the daily answer-rate test's scheduled calls, as their times come. */
	if (rc == 0)
		rc = sched_add("out_test_tick", out_test_tick, arg, 0);
	/* Issue 18, email: each account's mail fetched by IMAP as its poll_sec comes
	 * round (the tick looks every round, before chan_tick routes what came);
	 * replies sent by SMTP through the adapter. */
	if (rc == 0)
		rc = sched_add("chan_mail_tick", chan_mail_tick, NULL, 0);
	if (rc == 0)
		rc = chan_adapter_add(&chan_mail_adapter);
	/* Issue 18: conversations routed to agents, late ones told (CALL-12), idle
	 * chats closed and agents' replies sent, every round. */
	if (rc == 0)
		rc = sched_add("chan_tick", chan_tick, arg, 0);
	chan_files_setup(cfg->attachments_dir, cfg->attachment_max);
	chan_send_files_dir(cfg->attachments_dir);
	/* Issue 18: WeChat, Weibo and SMS send through their adapters; the
	 * morning's birthday greetings by SMS (CUST-4). */
	if (rc == 0)
		rc = chan_wx_adapters_add();
	if (rc == 0)
		rc = sched_add("chan_sms_birthday_tick", chan_sms_birthday_tick, NULL, 60000);
	/* Issue 18, WO-5: the customer texted on the order events a template names. */
	if (rc == 0)
		rc = sched_add("chan_sms_notice_tick", chan_sms_notice_tick, NULL, 0);
	/* Issue 18: WeChat's unionids looked up, pictures and voices fetched, off the webhooks. */
	if (rc == 0)
		rc = sched_add("chan_wx_tick", chan_wx_tick, NULL, 0);
	/* Issue 18: the web chat "sends" by waking its visitors' streams; chats no
	 * agent took in time become web messages (CALL-12). */
	if (rc == 0)
		rc = chan_adapter_add(&chan_webchat_adapter);
	if (rc == 0)
		rc = sched_add("chan_webchat_tick", chan_webchat_tick, NULL, 0);
	/* Issue 19, MTG-1: the schedules' meetings, notices a day ahead and
	 * due action items' reminders, every minute; late and absent
	 * attendances feed perf's penalty proposals (PERF-5). */
	if (rc == 0)
		rc = sched_add("mtg_tick", mtg_tick, NULL, 60000);
	perf_add_source(&mtg_perf_source);
	/* Issue 19 (PERF-5): the registered sources' absences become penalty
	 * proposals, every minute. */
	if (rc == 0)
		rc = sched_add("perf_case_tick", perf_case_tick, NULL, 60000);
	/* Issue 19: next month's training plan reminded (TRN-3) and exams whose
	 * time is up submitted (TRN-2), every minute (an answer after the deadline
	 * is refused at once; the submission is dated at the deadline); training
	 * sessions' late and absent marks and the agents' training figures feed
	 * the people ledger. */
	if (rc == 0)
		rc = sched_add("trn_tick", trn_tick, NULL, 60000);
	perf_add_source(&trn_perf_source);
	auth_on_session_end(acd_session_ended, acd_live_wake);
	acd_on_ready(wfm_ready_check);
	/* Issue 18: an agent's live chats go back to their queue when the seat logs
	 * out; an order made from a conversation's contact is linked to it. */
	acd_on_logged_out(chan_agent_logged_out);
	wo_on_created(chan_order_made);
	/* Issue 22: readiness includes the SIP thread's loop, when SIP runs. */
	if (rc == 0)
		rc = http_health_add("sip", sip_idle_ms, SIP_STALLED_MS);
	return rc;
}

/* SIGHUP: the configuration read anew; see config_reload. */
static void reload(struct config *live, int argc, char **argv)
{
	struct config fresh;
	char err[512], applied[512], restart[512];

	sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
	if (cli_config_read(argc, argv, &fresh, err, sizeof(err)) < 0) {
		log_error("serve: SIGHUP: the configuration was not reloaded, the running one is "
			  "kept: %s",
			  err);
		sd_notify(0, "READY=1\nSTATUS=serving; the last reload failed (see the log)");
		return;
	}
	if (fresh.tls_cert[0])
		fresh.cookie_secure = 1;
	config_reload(live, &fresh, applied, sizeof(applied), restart, sizeof(restart));
	log_info("serve: SIGHUP: configuration reloaded; applied=\"%s\"", applied);
	if (restart[0])
		log_warn("serve: SIGHUP: changed but only applied at the next start: restart=\"%s\"",
			 restart);
	sd_notify(0, "READY=1\nSTATUS=serving; configuration reloaded");
}

/*
 * systemd's watchdog: fed only while the server is ready, so that a kefu
 * whose database, scheduler or SIP thread is stuck is restarted after
 * WatchdogSec. The readiness check borrows a connection of the pool.
 */
static void watchdog(struct store_pool *pool, int *was_ready)
{
	struct store *s = store_pool_get(pool);
	int ready = http_health_check(s, NULL);

	store_pool_put(pool, s);
	if (ready)
		sd_notify(0, *was_ready ? "WATCHDOG=1" : "WATCHDOG=1\nSTATUS=serving");
	else if (*was_ready) {
		log_warn("serve: not ready (see /healthz); the watchdog is not fed");
		sd_notify(0, "STATUS=not ready: see /healthz");
	}
	*was_ready = ready;
}

/*
 * Waits for SIGINT or SIGTERM, which it returns; meanwhile feeds the
 * watchdog every half of WATCHDOG_USEC and reloads on SIGHUP.
 */
static int serve_until_stopped(const sigset_t *sigs, struct config *cfg, struct store_pool *pool,
			       int argc, char **argv)
{
	uint64_t wd_usec = 0;
	int64_t period_ns, next;
	int ready = 1;

	if (sd_watchdog_enabled(0, &wd_usec) <= 0)
		wd_usec = 0;
	period_ns = (int64_t)wd_usec * 1000 / 2;
	next = clock_mono_ns() + period_ns;
	for (;;) {
		int sig;

		if (period_ns) {
			int64_t left = next - clock_mono_ns();
			struct timespec ts;

			if (left <= 0) {
				watchdog(pool, &ready);
				next += period_ns;
				continue;
			}
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
			sig = sigtimedwait(sigs, NULL, &ts);
			if (sig < 0)
				continue; /* EAGAIN: the watchdog is due; EINTR: wait again */
		} else if (sigwait(sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			reload(cfg, argc, argv);
		else
			return sig;
	}
}

static int loopback(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "[::1]:", 6) == 0 ||
	       strncmp(listen, "localhost:", 10) == 0;
}

int cmd_serve(int argc, char **argv)
{
	struct app app;
	struct cli c;
	struct store *s = NULL;
	struct http_server *srv = NULL;
	sigset_t sigs;
	char bound[128], sip_bound[128];
	int rc, sig = 0;

	rc = cli_setup(&c, argc, argv, usage);
	if (rc)
		return rc;
	/* Served over HTTPS, the session cookie never goes out in the clear. */
	if (c.cfg.tls_cert[0])
		c.cfg.cookie_secure = 1;
	if (c.test_clock && !loopback(c.cfg.listen)) {
		fprintf(stderr, "kefu: --test-clock is only for a server on loopback\n");
		return 2;
	}
	/* One server per database: kefu restore and a second serve see the
	 * lock and stay off it. It is held until the process ends. */
	rc = cli_lock_db(c.cfg.db);
	if (rc == ERR_CONFLICT) {
		fprintf(stderr, "kefu: %s is in use by another kefu serve\n", c.cfg.db);
		return 1;
	}
	if (rc < 0)
		log_warn("serve: cannot lock %s.lock; restore cannot tell it is in use", c.cfg.db);
	/* Migrations run once, on one connection, before the pool opens. */
	if (cli_open_store(&c, &s) < 0)
		return 1;
	/* The knowledge base's index, when it is empty but articles are
	 * published (the first start after an upgrade, a restored backup). */
	rc = kb_search_reindex_all(s);
	if (rc > 0)
		log_info("serve: indexed %d knowledge base articles for search", rc);
	else if (rc < 0)
		log_warn("serve: the knowledge base's search index could not be rebuilt");
	store_close(s);

	if (wire(&c.cfg) < 0)
		return 1;
	memset(&app, 0, sizeof(app));
	app.cfg = &c.cfg;
	app.routes = cli_route_tables;
	app.test_clock = c.test_clock;
	{
		char pw[17];

		auth_password_random(pw);
		if (auth_password_hash(pw, c.cfg.pwhash, app.dummy_hash) < 0)
			return 1;
	}
	{
		const struct store_opts so = {
			c.cfg.db, c.cfg.busy_timeout_ms,
			(enum store_durability)store_durability_parse(c.cfg.durability)};

		/* One per worker, one for the scheduler, one for each kind of
		 * event stream's thread (the notifications and the wallboard's
		 * live figures), and with SIP on one for the SIP thread and one
		 * for the recording writer, and one for the watchdog's
		 * readiness check: nobody waits for a connection. */
		int size = c.cfg.threads + 4 + (c.cfg.sip_listen[0] ? 2 : 0);

		if (store_pool_open(&app.pool, &so, size) < 0) {
			log_error("serve: cannot open database %s", c.cfg.db);
			return 1;
		}
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = http_start(&app, &srv, bound, sizeof(bound));
	if (rc < 0) {
		store_pool_close(app.pool);
		return 1;
	}
	/*
	 * With the test clock, tests drive the scheduler through
	 * POST /api/test/clock so that nothing fires at a moment they did not choose.
	 */
	if (!c.test_clock && sched_start(app.pool) < 0) {
		http_stop(srv);
		store_pool_close(app.pool);
		return 1;
	}
	log_info("serve: listening on %s://%s/ (database %s, time zone %s%s)",
		 c.cfg.tls_cert[0] ? "https" : "http", bound, c.cfg.db, clock_tz_name(),
		 c.test_clock ? ", test clock" : "");
	/* SIP (agents' phones and the hotline's calls) only when sip_listen is
	 * set; it logs its address. Calls are recorded by the writer, which
	 * must run before calls come. */
	if (c.cfg.sip_listen[0] &&
	    (rec_start(&c.cfg, app.pool, call_rec_link) < 0 ||
	     sip_start(&c.cfg, app.pool, &call_engine, sip_bound, sizeof(sip_bound)) < 0)) {
		rec_stop();
		sched_stop();
		http_stop(srv);
		store_pool_close(app.pool);
		return 1;
	}
	sd_notifyf(0, "READY=1\nSTATUS=serving on %s://%s/%s%s", c.cfg.tls_cert[0] ? "https" : "http",
		   bound, c.cfg.sip_listen[0] ? ", SIP on udp:" : "",
		   c.cfg.sip_listen[0] ? sip_bound : "");
	sig = serve_until_stopped(&sigs, &c.cfg, app.pool, argc, argv);
	sd_notify(0, "STOPPING=1\nSTATUS=stopping: finishing requests in flight");
	log_info("serve: %s received, finishing requests in flight",
		 sig == SIGINT ? "SIGINT" : "SIGTERM");
	sip_stop();
	rec_stop();
	sched_stop();
	http_stop(srv);
	s = store_pool_get(app.pool);
	store_checkpoint(s);
	store_pool_put(app.pool, s);
	store_pool_close(app.pool);
	log_info("serve: stopped");
	return 0;
}
