#include "auth/auth.h"

#include <sodium.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"

#define N SCOPE_NONE
#define S SCOPE_SELF
#define D SCOPE_DEPT
#define A SCOPE_ALL

/*
 * The policy. Columns follow the role bits (enum auth_role): admin, manager,
 * supervisor, agent, staff, hr, office, qa (质检员). A row that
 * leaves out the last columns gives them nothing (N is 0). Least privilege: staff see only
 * their own department (the records they must act on); only the manager
 * certifies people for duty (ORG-4); only admin grants admin.
 */
static const unsigned char policy[ACT_COUNT][AUTH_ROLE_COUNT] = {
	/*                     adm man sup agt stf hr  off qa */
	[ACT_PUBLIC] = {A, A, A, A, A, A, A, A},
	[ACT_SELF] = {S, S, S, S, S, S, S, S},
	[ACT_ORG_READ] = {A, A, A, A, D, A, A, A},
	[ACT_PERSON_WRITE] = {A, A, N, N, N, A, N},
	[ACT_PERSON_ROLES] = {A, A, N, N, N, N, N},
	[ACT_GRANT_ADMIN] = {A, N, N, N, N, N, N},
	[ACT_PERSON_CERTIFY] = {N, A, N, N, N, N, N},
	[ACT_PASSWORD_RESET] = {A, N, N, N, N, N, N},
	[ACT_PHONE_VIEW] = {A, A, N, N, N, A, N},
	[ACT_DEPT_WRITE] = {A, A, N, N, N, N, N},
	[ACT_AUDIT_READ] = {A, A, N, N, N, N, N},
	/* CUST-2, SEC-1: customer data only for those who serve customers; IT and HR have none. */
	[ACT_CUST_READ] = {N, A, A, A, N, N, N},
	[ACT_CUST_WRITE] = {N, A, A, A, N, N, N},
	[ACT_CUST_REVEAL] = {N, A, A, A, D, N, N},
	[ACT_CUST_MERGE] = {N, A, A, N, N, N, N},
	/* PIPL: a customer's data on request is the manager's act alone. */
	[ACT_CUST_EXPORT] = {N, A, N, N, N, N, N},
	[ACT_CUST_ERASE] = {N, A, N, N, N, N, N},
	[ACT_CONTACT_WRITE] = {N, A, A, A, N, N, N},
	[ACT_ORDER_CREATE] = {N, A, A, A, N, N, N},
	[ACT_ORDER_READ] = {N, A, A, A, D, N, A},
	/* Self: the order's owner and the people it was escalated to (WO-4). */
	[ACT_ORDER_WORK] = {N, A, A, S, S, S, S},
	[ACT_ORDER_MANAGE] = {N, A, A, N, N, N, N},
	[ACT_CALLBACK] = {N, A, A, A, N, N, N},
	[ACT_WO_CONFIG] = {A, A, N, N, N, N, N},
	[ACT_REPORT_READ] = {N, A, A, N, N, N, A},
	/* SEC-2: exports are a permission of their own. */
	[ACT_EXPORT] = {N, A, N, N, N, N, N},
	/* Issue 5, ORG-2/3, CALL-15: the hotline's agents and who watches them. */
	[ACT_AGENT_STATE] = {N, S, S, S, N, N, N},
	[ACT_ACD_READ] = {N, A, A, N, N, N, A, N},
	[ACT_ACD_MANAGE] = {N, A, A, N, N, N, N},
	[ACT_SIP_ADMIN] = {A, A, N, N, N, N, N},
	/* QA-1: the manager, supervisors and quality inspectors listen to every
	 * call; agents to their own. */
	[ACT_CALL_RECORDING] = {N, A, A, S, N, N, N, A},
	/* The call log: who watches the agents, and quality inspectors, who read
	 * the calls they inspect without the wallboard's live view of the seats. */
	[ACT_CALL_READ] = {N, A, A, N, N, N, A, A},
	[ACT_HOTLINE_CONFIG] = {A, A, N, N, N, N, N},
	/* Seed 003: the agent attaches at the desk, the department's staff with their
	 * report; the uploader, a supervisor or the manager removes one. */
	[ACT_ATTACHMENT_ADD] = {N, A, A, A, D, N, N},
	[ACT_ATTACHMENT_DELETE] = {N, A, A, S, S, N, N},
	/* Issue 14, WFM-1: agents see the shifts; the supervisor and the manager plan
	 * them (the manager and supervisor work office hours themselves). */
	[ACT_WFM_READ] = {N, A, A, A, N, N, N},
	[ACT_WFM_CONFIG] = {N, A, A, N, N, N, N},
	[ACT_WFM_PLAN] = {N, A, A, N, N, N, N},
	/* WFM-3: after publication the roster changes only by the manager (and
	 * approved swaps and leave); working outside it needs the manager's
	 * approval, which the supervisor may also give; agents ask for themselves. */
	[ACT_WFM_ROSTER_AMEND] = {N, A, N, N, N, N, N},
	[ACT_WFM_OUTSIDE_ASK] = {N, A, A, S, N, N, N},
	[ACT_WFM_OUTSIDE_DECIDE] = {N, A, A, N, N, N, N},
	/* The roster's .xlsx: the supervisor and the manager who plan it print it. */
	[ACT_WFM_EXPORT] = {N, A, A, N, N, N, N},
	/* WFM-6, WFM-7: the duty persons of a change sign its log; agents only for
	 * the shifts they are on (decided by the handler from the roster). */
	[ACT_HANDOVER] = {N, A, A, S, N, N, N},
	/* WFM-5: the supervisor and the manager keep attendance and excuse; an agent
	 * sees their own days. */
	[ACT_WFM_ATTEND_READ] = {N, A, A, S, N, N, N},
	[ACT_WFM_ATTEND_EXCUSE] = {N, A, A, N, N, N, N},
	/* WFM-3, WFM-4: whoever is rostered asks for their own leave and swaps and signs
	 * the swaps asked of them; the supervisor and the manager decide. */
	[ACT_WFM_REQUEST] = {N, S, S, S, N, N, N},
	[ACT_WFM_DECIDE] = {N, A, A, N, N, N, N},
	/* QA-1, QA-5: the manager, supervisors and quality inspectors review calls;
	 * the templates and sampling are the QA inspector's and the manager's; an
	 * agent sees and appeals their own assessments (supervisors take calls too);
	 * appeals go to the supervisor, then to qa or the manager (the handler
	 * decides which level each may decide). */
	[ACT_QA_REVIEW] = {N, A, A, N, N, N, N, A},
	[ACT_QA_CONFIG] = {N, A, N, N, N, N, N, A},
	[ACT_QA_READ] = {N, A, A, S, N, N, N, A},
	[ACT_QA_APPEAL] = {N, N, S, S, N, N, N, N},
	[ACT_QA_DECIDE] = {N, A, A, N, N, N, N, A},
	/* Issue 15, QA-1: the manager, supervisors and quality inspectors see every
	 * automatic check, an agent their own; the rules are the center's standard,
	 * read by all who serve customers, changed by the quality inspectors,
	 * the supervisors who lead them and the manager; transcripts come from the center's own recogniser, through
	 * an account IT or QA holds. */
	[ACT_QA_CHECK_READ] = {N, A, A, S, N, N, N, A},
	[ACT_QA_RULE_READ] = {N, A, A, A, N, N, N, A},
	[ACT_QA_RULE_WRITE] = {N, A, A, N, N, N, N, A},
	[ACT_QA_TRANSCRIPT] = {A, N, N, N, N, N, N, A},
	/* QA-2: the supervisor drafts and sends the day's report to the manager;
	 * the manager and the quality inspectors read them. QA-5: agents see
	 * their own figures. */
	[ACT_QA_DAILY_READ] = {N, A, A, N, N, N, N, A},
	[ACT_QA_DAILY_WRITE] = {N, N, A, N, N, N, N, N},
	[ACT_QA_AGENTS_READ] = {N, A, A, S, N, N, N, A},
	[ACT_QA_EXPORT] = {N, A, A, N, N, N, N, A},
	[ACT_KB_READ] = {A, A, A, A, A, A, A, A},
	[ACT_KB_EDIT] = {N, A, A, N, N, N, N, A},
	[ACT_KB_REVIEW] = {N, A, A, N, N, N, N, N},
	[ACT_KB_SETUP] = {N, A, A, N, N, N, N, N},
	[ACT_KB_REPORT] = {N, A, A, N, N, N, N, A},
	[ACT_OUT_CALL] = {N, A, A, A, N, N, N, N},
	[ACT_OUT_READ] = {N, A, A, S, N, N, N, A},
	[ACT_OUT_MANAGE] = {N, A, A, N, N, N, N, N},
	/* Issue 18: agents answer their own conversations, supervisors every queue's;
	 * quality inspectors read them (QA-1); accounts hold secrets: IT and the manager. */
	[ACT_CHAN_READ] = {N, A, A, S, N, N, N, A},
	[ACT_CHAN_REPLY] = {N, A, A, A, N, N, N, N},
	[ACT_CHAN_SUPERVISE] = {N, A, A, N, N, N, N, N},
	[ACT_CHAN_MANAGE] = {A, A, N, N, N, N, N, N},
	/* Issue 19, MTG-1: the manager and supervisors call meetings, mark attendance and
	 * keep the minutes and action items; agents and quality inspectors see the
	 * meetings they attend; anyone may own an action item and mark it done. */
	[ACT_MTG_READ] = {N, A, A, S, N, N, N, S},
	[ACT_MTG_MANAGE] = {N, A, A, N, N, N, N, N},
	[ACT_MTG_ACTION_DONE] = {N, A, A, S, S, S, S, S},
	/* LED-1: work logs are entered by agents (and everyone of the center
	 * writes their own), kept by the supervisor: read and commented by the
	 * supervisors and the manager. Unannounced inspections are theirs too. */
	[ACT_MTG_LOG_WRITE] = {N, S, S, S, N, N, N, S},
	[ACT_MTG_LOG_READ] = {N, A, A, S, N, N, N, S},
	[ACT_MTG_LOG_COMMENT] = {N, A, A, N, N, N, N, N},
	[ACT_MTG_INSPECT] = {N, A, A, N, N, N, N, N},
	/* Issue 19, PERF-1, PERF-3: the supervisors record praise and compute the
	 * month with the manager, who alone sets the weights, changes a computed
	 * reward and closes the month; HR reads the evaluation and the ledger and
	 * takes the payout sheet; an agent sees only their own month and lines. */
	[ACT_PERF_READ] = {N, A, A, S, N, A, N, N},
	[ACT_PERF_PRAISE] = {N, A, A, N, N, N, N, N},
	[ACT_PERF_COMPUTE] = {N, A, A, N, N, N, N, N},
	[ACT_PERF_MANAGE] = {N, A, N, N, N, N, N, N},
	[ACT_PERF_LEDGER] = {N, A, A, S, N, A, N, N},
	[ACT_PERF_EXPORT] = {N, A, N, N, N, A, N, N},
	/* Issue 19 (PERF-2, PERF-4, PERF-5): each step of a case by its role. */
	[ACT_PERF_CASE_READ] = {N, A, A, S, N, A, A, N},
	[ACT_PERF_PENALTY] = {N, A, A, N, N, N, N, N},
	[ACT_PERF_RESPOND] = {N, S, S, S, N, N, N, N},
	[ACT_PERF_CASE_MANAGE] = {N, A, N, N, N, N, N, N},
	[ACT_PERF_ESCALATION] = {N, N, N, N, N, A, N, N},
	[ACT_PERF_PROPOSE] = {A, A, A, A, A, A, A, A},
	[ACT_PERF_PROPOSAL_REVIEW] = {N, N, A, N, N, N, N, N},
	[ACT_PERF_PROPOSAL_PAY] = {N, N, N, N, N, A, N, N},
	[ACT_PERF_GRIEVANCE_SUBMIT] = {N, N, A, N, N, N, N, N},
	[ACT_PERF_GRIEVANCE_REVIEW] = {N, A, N, N, N, N, N, N},
	[ACT_PERF_GRIEVANCE_VERIFY] = {N, N, N, N, N, A, N, N},
	[ACT_PERF_GRIEVANCE_DECIDE] = {N, N, N, N, N, N, A, N},
	/* Issue 19, training: everyone reads the programme; supervisors and the
	 * manager run it; a trainee sees their own exams; trainers (who may come
	 * from other departments, seed 000 上岗资质考试) mark the exams given to
	 * them; a practical's panel is drawn from every department. */
	[ACT_TRN_READ] = {A, A, A, A, A, A, A, A},
	[ACT_TRN_MANAGE] = {N, A, A, N, N, N, N, N},
	[ACT_TRN_EXAM] = {N, A, A, S, S, S, S, S},
	[ACT_TRN_MARK] = {N, A, A, N, A, A, N, A},
	[ACT_TRN_PANEL] = {N, A, A, A, A, A, A, A},
	/* Issue 20: the manager schedules reports and may open every delivered file. */
	[ACT_REPORT_SCHEDULE] = {N, A, N, N, N, N, N, N},
	/* Issue 20 (RPT-1): an agent reads their own row, a supervisor their department's. */
	[ACT_REPORT_AGENTS] = {N, A, D, S, N, N, N, N},
};

#undef N
#undef S
#undef D
#undef A

static const char *const action_names[ACT_COUNT] = {
	"public",
	"self",
	"org.read",
	"person.write",
	"person.roles",
	"person.grant_admin",
	"person.certify",
	"person.password_reset",
	"person.phone_view",
	"department.write",
	"audit.read",
	"customer.read",
	"customer.write",
	"customer.reveal",
	"customer.merge",
	"customer.export",
	"customer.erase",
	"contact.write",
	"order.create",
	"order.read",
	"order.work",
	"order.manage",
	"callback",
	"wo.config",
	"report.read",
	"export",
	"agent.state",
	"acd.read",
	"acd.manage",
	"sip.admin",
	"call.recording",
	"call.read",
	"hotline.config",
	"attachment.add",
	"attachment.delete",
	"wfm.read",
	"wfm.config",
	"wfm.plan",
	"wfm.roster_amend",
	"wfm.outside_ask",
	"wfm.outside_decide",
	"wfm.export",
	"handover",
	"wfm.attendance.read",
	"wfm.attendance.excuse",
	"wfm.request",
	"wfm.decide",
	"qa.review",
	"qa.config",
	"qa.read",
	"qa.appeal",
	"qa.decide",
	"qa.check.read",
	"qa.rule.read",
	"qa.rule.write",
	"qa.transcript",
	"qa.daily.read",
	"qa.daily.write",
	"qa.agents.read",
	"qa.export",
	"kb.read",
	"kb.edit",
	"kb.review",
	"kb.setup",
	"kb.report",
	"out.call",
	"out.read",
	"out.manage",
	"chan.read",
	"chan.reply",
	"chan.supervise",
	"chan.manage",
	"mtg.read",
	"mtg.manage",
	"mtg.action_done",
	"mtg.log.write",
	"mtg.log.read",
	"mtg.log.comment",
	"mtg.inspect",
	"perf.read",
	"perf.praise",
	"perf.compute",
	"perf.manage",
	"perf.ledger",
	"perf.export",
	"perf.case.read",
	"perf.penalty",
	"perf.respond",
	"perf.case.manage",
	"perf.escalation",
	"perf.propose",
	"perf.proposal.review",
	"perf.proposal.pay",
	"perf.grievance.submit",
	"perf.grievance.review",
	"perf.grievance.verify",
	"perf.grievance.decide",
	"trn.read",
	"trn.manage",
	"trn.exam",
	"trn.mark",
	"trn.panel",
	"report.schedule",
	"report.agents",
};

const char *auth_action_name(enum auth_action a)
{
	return a < ACT_COUNT ? action_names[a] : "unknown";
}

enum auth_scope auth_scope(const struct principal *p, enum auth_action a)
{
	enum auth_scope best = SCOPE_NONE;

	if (a >= ACT_COUNT)
		return SCOPE_NONE;
	if (a == ACT_PUBLIC)
		return SCOPE_ALL;
	if (!p || !p->person_id)
		return SCOPE_NONE;
	for (int i = 0; i < AUTH_ROLE_COUNT; i++)
		if ((p->roles & (1u << i)) && policy[a][i] > best)
			best = policy[a][i];
	return best;
}

int auth_authorize(const struct principal *p, enum auth_action a, const struct auth_target *t)
{
	enum auth_scope scope;

	if (a == ACT_PUBLIC)
		return 0;
	if (!p || !p->person_id)
		return ERR_AUTH;
	scope = auth_scope(p, a);
	if (scope == SCOPE_NONE)
		return ERR_FORBIDDEN;
	if (!t || scope == SCOPE_ALL)
		return 0;
	/* The record is in scope through its department or because it is the person's own. */
	if (scope >= SCOPE_DEPT && t->department_id && t->department_id == p->department_id)
		return 0;
	if (t->person_id && t->person_id == p->person_id)
		return 0;
	return ERR_FORBIDDEN;
}

static void cost_limits(const char *cost, unsigned long long *ops, size_t *mem)
{
	if (strcmp(cost, "moderate") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_MEMLIMIT_MODERATE;
	} else if (strcmp(cost, "min") == 0) {
		*ops = crypto_pwhash_OPSLIMIT_MIN;
		*mem = crypto_pwhash_MEMLIMIT_MIN;
	} else {
		*ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	}
}

int auth_password_hash(const char *password, const char *cost, char out[AUTH_HASH_MAX])
{
	unsigned long long ops;
	size_t mem;

	_Static_assert(crypto_pwhash_STRBYTES <= AUTH_HASH_MAX, "hash buffer too small");
	cost_limits(cost, &ops, &mem);
	if (crypto_pwhash_str_alg(out, password, strlen(password), ops, mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ERR_NOMEM;
	return 0;
}

int auth_password_verify(const char *hash, const char *password)
{
	if (!hash || !*hash)
		return ERR_AUTH;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : ERR_AUTH;
}

void auth_password_random(char out[17])
{
	/* No 0/O, 1/l/I: initial passwords are read off a screen or a note. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

	for (int i = 0; i < 16; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[16] = '\0';
}

int auth_password_acceptable(const char *password, const char **why)
{
	size_t len = strlen(password);

	if (!utf8_valid(password, len)) {
		*why = "password: not valid text";
		return ERR_UNPROCESSABLE;
	}
	if (utf8_len(password) < AUTH_PASSWORD_MIN) {
		*why = "password: at least 10 characters";
		return ERR_UNPROCESSABLE;
	}
	if (len > AUTH_PASSWORD_MAX) {
		*why = "password: at most 128 bytes";
		return ERR_UNPROCESSABLE;
	}
	return 0;
}

void auth_token_new(char out[AUTH_TOKEN_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void auth_token_hash(const char *token, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int auth_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}
