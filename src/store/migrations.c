#include "store/migrations.h"

/*
 * 1: people and organisation (ORG-1..4), sessions and login throttling,
 * and the audit log. Instants are UTC milliseconds in INTEGER columns.
 */
static const char m1[] = "CREATE TABLE department ("
			 " id INTEGER PRIMARY KEY,"
			 " name TEXT NOT NULL UNIQUE,"
			 " kind TEXT NOT NULL,"
			 " parent_id INTEGER REFERENCES department(id),"
			 " head_id INTEGER REFERENCES person(id),"
			 " created_at INTEGER NOT NULL,"
			 " updated_at INTEGER NOT NULL);"
			 "CREATE TABLE person ("
			 " id INTEGER PRIMARY KEY,"
			 " work_no TEXT NOT NULL UNIQUE,"
			 " name TEXT NOT NULL,"
			 " phone TEXT,"
			 " department_id INTEGER REFERENCES department(id),"
			 " superior_id INTEGER REFERENCES person(id),"
			 " roles INTEGER NOT NULL DEFAULT 0,"
			 " active INTEGER NOT NULL DEFAULT 1,"
			 " certified INTEGER NOT NULL DEFAULT 0,"
			 " password_hash TEXT,"
			 " must_change_password INTEGER NOT NULL DEFAULT 0,"
			 " created_at INTEGER NOT NULL,"
			 " updated_at INTEGER NOT NULL);"
			 "CREATE INDEX person_department ON person(department_id);"
			 "CREATE INDEX person_superior ON person(superior_id);"
			 "CREATE TABLE skill ("
			 " code TEXT PRIMARY KEY,"
			 " name TEXT NOT NULL);"
			 "INSERT INTO skill(code, name) VALUES"
			 " ('tech_service', '技术服务'),"
			 " ('market_consult', '市场咨询'),"
			 " ('callback_outbound', '回访呼出'),"
			 " ('supervising', '班长席');"
			 "CREATE TABLE person_skill ("
			 " person_id INTEGER NOT NULL REFERENCES person(id),"
			 " skill TEXT NOT NULL REFERENCES skill(code),"
			 " PRIMARY KEY (person_id, skill));"
			 "CREATE TABLE session ("
			 " id INTEGER PRIMARY KEY,"
			 " token_hash TEXT NOT NULL UNIQUE,"
			 " person_id INTEGER NOT NULL REFERENCES person(id),"
			 " csrf_token TEXT NOT NULL,"
			 " created_at INTEGER NOT NULL,"
			 " last_seen_at INTEGER NOT NULL,"
			 " expires_at INTEGER NOT NULL,"
			 " address TEXT);"
			 "CREATE INDEX session_person ON session(person_id);"
			 "CREATE INDEX session_expires ON session(expires_at);"
			 "CREATE TABLE login_failure ("
			 " id INTEGER PRIMARY KEY,"
			 " key TEXT NOT NULL,"
			 " at INTEGER NOT NULL);"
			 "CREATE INDEX login_failure_key ON login_failure(key, at);"
			 "CREATE TABLE login_lock ("
			 " key TEXT PRIMARY KEY,"
			 " locked_until INTEGER NOT NULL);"
			 "CREATE TABLE audit ("
			 " id INTEGER PRIMARY KEY,"
			 " at INTEGER NOT NULL,"
			 " actor_id INTEGER,"
			 " actor TEXT NOT NULL,"
			 " address TEXT,"
			 " action TEXT NOT NULL,"
			 " entity TEXT,"
			 " entity_id TEXT,"
			 " outcome TEXT NOT NULL,"
			 " detail TEXT);"
			 "CREATE INDEX audit_at ON audit(at);"
			 "CREATE INDEX audit_actor ON audit(actor_id, id);"
			 "CREATE INDEX audit_entity ON audit(entity, entity_id, id);"
			 "CREATE INDEX audit_action ON audit(action, id);"
			 "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
			 " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
			 "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
			 " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;";

/*
 * 2: customers (CUST-1..5), contacts (CALL-10) and work orders (ROUTE,
 * WO, CB): the rule tables a manager edits (classes and deadlines WO-2,
 * levels WO-3, the complaint catalogue WO-3/WO-10, routing ROUTE-2,
 * settings), the orders with their responsible people, events, SLA clocks
 * and SLA event log, center callbacks, notifications and the search index.
 */
static const char m2[] =
	"CREATE TABLE customer ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT,"
	" surname TEXT,"
	" title TEXT,"
	" kind TEXT NOT NULL DEFAULT 'app_user',"
	" wechat TEXT,"
	" weibo TEXT,"
	" email TEXT,"
	" birthday TEXT,"
	" vip_level INTEGER NOT NULL DEFAULT 0,"
	" tags TEXT NOT NULL DEFAULT '[]',"
	" notes TEXT,"
	" merged_into INTEGER REFERENCES customer(id),"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX customer_wechat ON customer(wechat);"
	"CREATE INDEX customer_merged ON customer(merged_into);"
	"CREATE TABLE customer_phone ("
	" phone TEXT PRIMARY KEY,"
	" customer_id INTEGER NOT NULL REFERENCES customer(id),"
	" label TEXT,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX customer_phone_customer ON customer_phone(customer_id);"
	"CREATE TABLE customer_vip ("
	" id INTEGER PRIMARY KEY,"
	" customer_id INTEGER NOT NULL REFERENCES customer(id),"
	" level INTEGER NOT NULL,"
	" at INTEGER NOT NULL,"
	" by_id INTEGER REFERENCES person(id),"
	" reason TEXT);"
	"CREATE INDEX customer_vip_customer ON customer_vip(customer_id, at);"
	"CREATE TABLE contact ("
	" id INTEGER PRIMARY KEY,"
	" channel TEXT NOT NULL,"
	" direction TEXT NOT NULL,"
	" customer_id INTEGER REFERENCES customer(id),"
	" phone TEXT,"
	" agent_id INTEGER NOT NULL REFERENCES person(id),"
	" started_at INTEGER NOT NULL,"
	" ended_at INTEGER,"
	" class TEXT,"
	" fivew TEXT,"
	" summary TEXT,"
	" satisfaction INTEGER,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX contact_customer ON contact(customer_id, id);"
	"CREATE INDEX contact_agent ON contact(agent_id, id);"
	"CREATE INDEX contact_started ON contact(started_at);"

	"CREATE TABLE wo_class ("
	" code TEXT PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" callback_min INTEGER,"
	" onsite_min INTEGER,"
	" report_same_day INTEGER NOT NULL DEFAULT 0,"
	" resolve_min INTEGER,"
	" warn_pct INTEGER NOT NULL DEFAULT 80,"
	" escalate_min INTEGER NOT NULL DEFAULT 30,"
	" updated_at INTEGER NOT NULL);"
	"INSERT INTO wo_class(code, name, callback_min, onsite_min, report_same_day,"
	" resolve_min, updated_at) VALUES"
	" ('A1', '用户投诉', 10, 60, 1, 1440, 0),"
	" ('A2', '商家投诉', 30, 4320, 1, 4320, 0),"
	" ('B', '意向商家', 30, NULL, 1, 1440, 0),"
	" ('C', '媒体来电', 30, NULL, 1, 1440, 0),"
	" ('D', '二次投诉', 10, 60, 1, 1440, 0),"
	" ('E', '咨询', NULL, NULL, 0, 1440, 0),"
	" ('F', '骚扰电话', NULL, NULL, 0, NULL, 0);"
	"CREATE TABLE wo_level ("
	" code TEXT PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" onsite INTEGER NOT NULL,"
	" rank INTEGER NOT NULL);"
	"INSERT INTO wo_level(code, name, onsite, rank) VALUES"
	" ('Ⅰ', '情绪稳定，不涉及纠纷，无须现场处理', 0, 1),"
	" ('Ⅱ', '负面情绪较重，不涉及纠纷，无须现场处理', 0, 2),"
	" ('Ⅲ', '情绪稳定，涉及业务纠纷，需要现场处理', 1, 3),"
	" ('Ⅳ', '负面情绪较重，需要现场处理', 1, 4);"
	"CREATE TABLE wo_complaint ("
	" code TEXT PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" class TEXT NOT NULL REFERENCES wo_class(code),"
	" level TEXT REFERENCES wo_level(code),"
	" department_kind TEXT,"
	" script TEXT,"
	" active INTEGER NOT NULL DEFAULT 1,"
	" updated_at INTEGER NOT NULL);"
	"INSERT INTO wo_complaint(code, name, class, level, department_kind, script, updated_at)"
	" VALUES"
	" ('tech_verify_code', '收不到验证码，无法注册', 'A1', 'Ⅰ', NULL,"
	"  '手机收不到验证码可能是由于短信网关拥堵或出现异常，您可以过段时间再次尝试获取验证码。', "
	"0),"
	" ('tech_app_crash', '软件闪退或出现错误代码', 'A1', 'Ⅰ', 'tech',"
	"  '您遇到的问题我们已经记录并报备技术部门，技术部门会尽快修复，届时我们会电话通知您。', "
	"0),"
	" ('pay_failed', '无法支付', 'A1', 'Ⅰ', NULL,"
	"  '请问您使用什么支付方式呢？有提示余额不足吗？建议您更换支付方式。', 0),"
	" ('pay_no_order', '支付后不生成订单', 'A1', 'Ⅱ', NULL,"
	"  '非常抱歉，请您提供当时注册软件的手机号码，这边为您查询。', 0),"
	" ('refund_request', '申请退款', 'A1', 'Ⅰ', NULL,"
	"  '订单显示未使用状态的，点击申请退款按钮即可；已经消费的订单是无法申请退款的。', 0),"
	" ('refund_used', '已消费订单执意退款', 'A1', 'Ⅱ', 'market_ops',"
	"  "
	"'您的问题我们已经记录并报备市场部门，市场部门会尽快与商家联系核实，届时我们会电话通知您。'"
	", 0),"
	" ('refund_not_arrived', '退款不成功', 'A1', 'Ⅰ', NULL,"
	"  '退款原路退回：APP账户余额立即到账；支付宝、微信余额1-2个工作日；银行卡2-7个工作日。', "
	"0),"
	" ('svc_no_taker', '无人接单', 'A1', 'Ⅱ', NULL,"
	"  '非常抱歉让您久等了，我们这边马上为您联系商家接单，请您稍后留意。', 0),"
	" ('svc_no_show', '有人接单无人服务', 'A1', 'Ⅱ', NULL,"
	"  '非常抱歉让您久等了，我们会马上联系商家安排洗护师为您上门服务，请您耐心等待。', 0),"
	" ('svc_attitude', '洗护师服务态度问题', 'A1', 'Ⅱ', 'city_service',"
	"  '您反映的问题已经记录下来，我们将在10分钟内安排客服人员与您联系，请您稍作等候。', 0),"
	" ('svc_not_clean', '车没洗干净', 'A1', 'Ⅲ', NULL,"
	"  '您的问题我已经了解，请您放心我们会尽快查证处理，给您一个满意的答复。', 0),"
	" ('merchant_chat', '商家在线客服沟通不畅', 'A1', 'Ⅰ', NULL, NULL, 0),"
	" ('merchant_dispute', '与车行商家产生纠纷', 'A1', 'Ⅲ', NULL, NULL, 0),"
	" ('vpp_dispute', '使用VPP消费产生纠纷', 'A1', 'Ⅲ', NULL, NULL, 0),"
	" ('vehicle_damage', '洗车过程中车辆损伤', 'A1', 'Ⅳ', NULL, NULL, 0),"
	" ('merchant_complaint', '联盟商家投诉', 'A2', 'Ⅲ', NULL, NULL, 0);"
	"CREATE TABLE wo_route ("
	" id INTEGER PRIMARY KEY,"
	" class TEXT NOT NULL REFERENCES wo_class(code),"
	" onsite INTEGER,"
	" target TEXT NOT NULL,"
	" department_kind TEXT,"
	" department_id INTEGER REFERENCES department(id),"
	" owner_id INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL);"
	"INSERT INTO wo_route(class, onsite, target, department_kind, updated_at) VALUES"
	" ('A1', 1, 'department', 'city_service', 0),"
	" ('A1', 0, 'center', NULL, 0),"
	" ('A2', NULL, 'department', 'group_market', 0),"
	" ('B', NULL, 'department', 'market_ops', 0),"
	" ('C', NULL, 'department', 'media', 0),"
	" ('D', NULL, 'subject_superior', NULL, 0),"
	" ('E', NULL, 'center', NULL, 0),"
	" ('F', NULL, 'close', NULL, 0);"
	"CREATE TABLE wo_setting ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"INSERT INTO wo_setting(key, value, updated_at) VALUES"
	" ('second_complaint_days', 30, 0),"
	" ('callback_due_min', 120, 0),"
	" ('callback_retry_min', 120, 0),"
	" ('promise_order_min', 240, 0),"
	" ('promise_complaint_min', 1440, 0),"
	" ('promise_answer_min', 180, 0),"
	" ('retention_years', 3, 0);"

	"CREATE TABLE work_order ("
	" id INTEGER PRIMARY KEY,"
	" number TEXT NOT NULL UNIQUE,"
	" class TEXT NOT NULL,"
	" level TEXT,"
	" complaint TEXT,"
	" onsite INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL,"
	" customer_id INTEGER REFERENCES customer(id),"
	" subject_id INTEGER REFERENCES person(id),"
	" department_id INTEGER REFERENCES department(id),"
	" owner_id INTEGER REFERENCES person(id),"
	" first_agent_id INTEGER NOT NULL REFERENCES person(id),"
	" parent_id INTEGER REFERENCES work_order(id),"
	" related_id INTEGER REFERENCES work_order(id),"
	" summary TEXT NOT NULL,"
	" report TEXT,"
	" close_reason TEXT,"
	" escalation_level INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" dispatched_at INTEGER,"
	" reported_at INTEGER,"
	" archived_at INTEGER,"
	" archive_month INTEGER,"
	" anonymised INTEGER NOT NULL DEFAULT 0,"
	" version INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX wo_dept ON work_order(department_id, id);"
	"CREATE INDEX wo_owner ON work_order(owner_id, id);"
	"CREATE INDEX wo_first_agent ON work_order(first_agent_id, id);"
	/* The working views list open orders newest first: these stay small and ordered. */
	"CREATE INDEX wo_open_dept ON work_order(department_id, id) WHERE state IN"
	" ('new', 'dispatched', 'accepted', 'in_progress', 'reported', 'reopened');"
	"CREATE INDEX wo_open_first_agent ON work_order(first_agent_id, id) WHERE state IN"
	" ('new', 'dispatched', 'accepted', 'in_progress', 'reported', 'reopened');"
	"CREATE INDEX wo_open_escalated ON work_order(id) WHERE escalation_level > 0 AND state IN"
	" ('new', 'dispatched', 'accepted', 'in_progress', 'reported', 'reopened');"
	"CREATE INDEX wo_customer ON work_order(customer_id, id);"
	"CREATE INDEX wo_state ON work_order(state, id);"
	"CREATE INDEX wo_archive ON work_order(archive_month, id);"
	"CREATE INDEX wo_created ON work_order(created_at);"
	"CREATE TABLE wo_counter ("
	" day INTEGER NOT NULL,"
	" class TEXT NOT NULL,"
	" n INTEGER NOT NULL,"
	" PRIMARY KEY (day, class));"
	"CREATE TABLE order_contact ("
	" order_id INTEGER NOT NULL REFERENCES work_order(id),"
	" contact_id INTEGER NOT NULL REFERENCES contact(id),"
	" role TEXT NOT NULL,"
	" PRIMARY KEY (order_id, contact_id));"
	"CREATE INDEX order_contact_contact ON order_contact(contact_id);"
	"CREATE TABLE wo_responsible ("
	" order_id INTEGER NOT NULL REFERENCES work_order(id),"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" reason TEXT NOT NULL,"
	" level INTEGER NOT NULL,"
	" added_at INTEGER NOT NULL,"
	" PRIMARY KEY (order_id, person_id));"
	"CREATE INDEX wo_responsible_person ON wo_responsible(person_id, order_id);"
	"CREATE TABLE wo_event ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES work_order(id),"
	" at INTEGER NOT NULL,"
	" actor_id INTEGER,"
	" kind TEXT NOT NULL,"
	" from_state TEXT,"
	" to_state TEXT,"
	" detail TEXT);"
	"CREATE INDEX wo_event_order ON wo_event(order_id, id);"
	"CREATE TABLE wo_sla ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES work_order(id),"
	" metric TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" started_at INTEGER NOT NULL,"
	" due_at INTEGER NOT NULL,"
	" warn_at INTEGER NOT NULL,"
	" warned INTEGER NOT NULL DEFAULT 0,"
	" breached INTEGER NOT NULL DEFAULT 0,"
	" met_at INTEGER,"
	" paused_at INTEGER,"
	" next_escalation_at INTEGER);"
	"CREATE INDEX wo_sla_order ON wo_sla(order_id, metric);"
	"CREATE INDEX wo_sla_warn ON wo_sla(warn_at) WHERE state = 'running' AND warned = 0;"
	"CREATE INDEX wo_sla_due ON wo_sla(due_at) WHERE state = 'running' AND breached = 0;"
	"CREATE INDEX wo_sla_overdue ON wo_sla(order_id) WHERE state = 'running' AND breached = 1;"
	"CREATE INDEX wo_sla_escalate ON wo_sla(next_escalation_at)"
	" WHERE next_escalation_at IS NOT NULL;"
	"CREATE TABLE wo_sla_event ("
	" id INTEGER PRIMARY KEY,"
	" sla_id INTEGER NOT NULL REFERENCES wo_sla(id),"
	" order_id INTEGER NOT NULL REFERENCES work_order(id),"
	" metric TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" detail TEXT);"
	"CREATE INDEX wo_sla_event_order ON wo_sla_event(order_id, id);"
	"CREATE INDEX wo_sla_event_at ON wo_sla_event(at);"
	"CREATE TABLE wo_callback ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES work_order(id),"
	" state TEXT NOT NULL,"
	" due_at INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" excluded_id INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" closed_at INTEGER);"
	"CREATE INDEX wo_callback_queue ON wo_callback(state, due_at);"
	"CREATE INDEX wo_callback_order ON wo_callback(order_id);"
	"CREATE TABLE wo_callback_attempt ("
	" id INTEGER PRIMARY KEY,"
	" callback_id INTEGER NOT NULL REFERENCES wo_callback(id),"
	" order_id INTEGER NOT NULL REFERENCES work_order(id),"
	" agent_id INTEGER NOT NULL REFERENCES person(id),"
	" at INTEGER NOT NULL,"
	" outcome TEXT NOT NULL,"
	" note TEXT,"
	" follow_up_id INTEGER REFERENCES work_order(id));"
	"CREATE INDEX wo_callback_attempt_order ON wo_callback_attempt(order_id, id);"
	"CREATE TABLE notification ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" at INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" order_id INTEGER REFERENCES work_order(id),"
	" text TEXT NOT NULL,"
	" read_at INTEGER);"
	"CREATE INDEX notification_person ON notification(person_id, id);"
	"CREATE VIRTUAL TABLE wo_search USING fts5(body, tokenize = 'kefu_cjk');";

/*
 * 3: the hotline (issue 5). Agents' status (ORG-2/3, CALL-15) with its log,
 * and the SIP side: agents' digest credentials and their phones'
 * registrations. Each block belongs to its module: acd (src/acd/), sip
 * (src/sip/).
 */
static const char m3[] =
	/* -- acd: agent status, set by the agent or kept by the system -- */
	"CREATE TABLE agent_state ("
	" person_id INTEGER PRIMARY KEY REFERENCES person(id),"
	" status TEXT NOT NULL CHECK (status IN ('logged_out', 'ready', 'busy', 'break',"
	"  'ringing', 'talking', 'wrap_up')),"
	" reason TEXT,"
	" since INTEGER NOT NULL,"
	" wrap_until INTEGER,"
	" busy_alerted INTEGER NOT NULL DEFAULT 0,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX agent_state_busy ON agent_state(since)"
	" WHERE status = 'busy' AND busy_alerted = 0;"
	"CREATE INDEX agent_state_wrap ON agent_state(wrap_until) WHERE status = 'wrap_up';"
	"CREATE TABLE agent_state_log ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" at INTEGER NOT NULL,"
	" from_status TEXT,"
	" to_status TEXT NOT NULL,"
	" reason TEXT,"
	" by_id INTEGER REFERENCES person(id));"
	"CREATE INDEX agent_state_log_person ON agent_state_log(person_id, at);"
	/* -- sip: digest credentials (HA1, what digest auth needs) and registrations -- */
	"CREATE TABLE sip_credential ("
	" person_id INTEGER PRIMARY KEY REFERENCES person(id),"
	" realm TEXT NOT NULL,"
	" ha1 TEXT NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE sip_registration ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" contact TEXT NOT NULL,"
	" source TEXT NOT NULL,"
	" user_agent TEXT,"
	" registered_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" UNIQUE (person_id, contact));"
	"CREATE INDEX sip_registration_expires ON sip_registration(expires_at);";

/*
 * 4: the hotline's calls (issue 5, src/call/call_store.c): one row per call
 * and its event log (invite, answered, prompt, digit, invalid, no_input,
 * route, ended), each event with a JSON detail.
 */
static const char m4[] =
	"CREATE TABLE call ("
	" id INTEGER PRIMARY KEY,"
	" sip_call_id TEXT NOT NULL,"
	" caller TEXT NOT NULL,"
	" called TEXT NOT NULL,"
	" started_at INTEGER NOT NULL,"
	" answered_at INTEGER,"
	" ended_at INTEGER,"
	" ended_by TEXT CHECK (ended_by IN ('caller', 'kefu')),"
	" route TEXT,"
	" digits TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX call_started ON call(started_at);"
	"CREATE TABLE call_event ("
	" id INTEGER PRIMARY KEY,"
	" call_id INTEGER NOT NULL REFERENCES call(id),"
	" at INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" detail TEXT);"
	"CREATE INDEX call_event_call ON call_event(call_id, id);";

/*
 * 5: queues and connected calls (issue 5). The hotline's queues (one per
 * skill, ORG-2, or any seat when skill is NULL) with their strategy and
 * limits; per call: the queue and when it entered it, the agent and when
 * they answered (connected_at), the outcome, who hung up first (CALL-5),
 * the contact it became, the satisfaction digit (CALL-3), the recording
 * and the compliance metrics (JSON, CALL-2/4/5/6/7, dead air, talk-over).
 * A caller who leaves a number after the maximum wait is an acd_callback.
 * ended_by stays who ended the caller's SIP dialog ('caller' or 'kefu').
 */
static const char m5[] =
	"CREATE TABLE acd_queue ("
	" code TEXT PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" skill TEXT REFERENCES skill(code),"
	" strategy TEXT NOT NULL DEFAULT 'longest_idle'"
	"  CHECK (strategy IN ('longest_idle', 'round_robin', 'ring_all')),"
	" max_wait_sec INTEGER NOT NULL DEFAULT 120 CHECK (max_wait_sec BETWEEN 10 AND 3600),"
	" announce_sec INTEGER NOT NULL DEFAULT 30 CHECK (announce_sec BETWEEN 0 AND 600),"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO acd_queue(code, name, skill) VALUES"
	" ('market_consult', '业务咨询', 'market_consult'),"
	" ('tech_service', '业务办理', 'tech_service'),"
	" ('complaint', '投诉', 'supervising'),"
	" ('agent', '人工服务', NULL);"
	"ALTER TABLE call ADD COLUMN queue TEXT;"
	"ALTER TABLE call ADD COLUMN queued_at INTEGER;"
	"ALTER TABLE call ADD COLUMN agent_id INTEGER REFERENCES person(id);"
	"ALTER TABLE call ADD COLUMN connected_at INTEGER;"
	"ALTER TABLE call ADD COLUMN outcome TEXT;"
	"ALTER TABLE call ADD COLUMN hangup_first TEXT"
	" CHECK (hangup_first IN ('caller', 'agent', 'kefu'));"
	"ALTER TABLE call ADD COLUMN contact_id INTEGER REFERENCES contact(id);"
	"ALTER TABLE call ADD COLUMN survey INTEGER CHECK (survey BETWEEN 1 AND 5);"
	"ALTER TABLE call ADD COLUMN recording TEXT;"
	"ALTER TABLE call ADD COLUMN recording_ms INTEGER;"
	"ALTER TABLE call ADD COLUMN metrics TEXT;"
	"CREATE INDEX call_queued ON call(queued_at) WHERE queued_at IS NOT NULL;"
	"CREATE INDEX call_waiting ON call(queued_at)"
	" WHERE queued_at IS NOT NULL AND connected_at IS NULL AND ended_at IS NULL;"
	"CREATE INDEX call_agent ON call(agent_id, id) WHERE agent_id IS NOT NULL;"
	"ALTER TABLE contact ADD COLUMN call_id INTEGER REFERENCES call(id);"
	"CREATE TABLE acd_callback ("
	" id INTEGER PRIMARY KEY,"
	" call_id INTEGER NOT NULL REFERENCES call(id),"
	" queue TEXT NOT NULL,"
	" phone TEXT NOT NULL,"
	" requested_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),"
	" handled_by INTEGER REFERENCES person(id),"
	" handled_at INTEGER,"
	" note TEXT);"
	"CREATE INDEX acd_callback_open ON acd_callback(requested_at) WHERE state = 'open';";

/*
 * 6: the hotline's menu, opening hours and their versions (issue 5,
 * src/ivr/ivr_store.c). ivr_node is the menu tree (CALL-1): a choice of the
 * root (parent_id NULL) or of a sub-menu, its digit unique on its level,
 * its action and, for a queue, the acd_queue it goes to; position orders
 * the choices of a level for the editor. hotline_setting is one row: the
 * welcome and root menu prompts, "always open" (WFM-1: staffed 24 h, so on
 * by default), the prompt played when closed, and a version per document
 * that every save moves on (a stale PUT is 409). hotline_hours are weekly
 * ranges in local minutes of the day (closes before opens runs past
 * midnight), hotline_closed_day holidays and hotline_open_day make-up
 * working days (调休) with the weekday whose hours they keep. Dates are
 * local 'YYYY-MM-DD'.
 */
static const char m6[] =
	"CREATE TABLE ivr_node ("
	" id INTEGER PRIMARY KEY,"
	" parent_id INTEGER REFERENCES ivr_node(id) ON DELETE CASCADE,"
	" digit TEXT NOT NULL CHECK (length(digit) = 1 AND digit BETWEEN '0' AND '9'),"
	" label TEXT NOT NULL,"
	" action TEXT NOT NULL CHECK (action IN ('queue', 'menu', 'announce_hangup')),"
	" queue TEXT REFERENCES acd_queue(code),"
	" prompt TEXT NOT NULL,"
	" position INTEGER NOT NULL,"
	" CHECK ((action = 'queue') = (queue IS NOT NULL)));"
	"CREATE UNIQUE INDEX ivr_node_digit ON ivr_node(COALESCE(parent_id, 0), digit);"
	"CREATE INDEX ivr_node_parent ON ivr_node(parent_id);"
	"INSERT INTO ivr_node(parent_id, digit, label, action, queue, prompt, position) VALUES"
	" (NULL, '1', '业务咨询', 'queue', 'market_consult', 'transfer', 0),"
	" (NULL, '2', '业务办理', 'queue', 'tech_service', 'transfer', 1),"
	" (NULL, '3', '投诉', 'queue', 'complaint', 'transfer', 2),"
	" (NULL, '0', '人工服务', 'queue', 'agent', 'to_agent', 3);"
	"CREATE TABLE hotline_setting ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" welcome_prompt TEXT NOT NULL DEFAULT 'welcome',"
	" menu_prompt TEXT NOT NULL DEFAULT 'menu',"
	" always_open INTEGER NOT NULL DEFAULT 1 CHECK (always_open IN (0, 1)),"
	" closed_prompt TEXT NOT NULL DEFAULT 'out_of_hours',"
	" menu_version INTEGER NOT NULL DEFAULT 1,"
	" menu_updated_at INTEGER NOT NULL DEFAULT 0,"
	" hours_version INTEGER NOT NULL DEFAULT 1,"
	" hours_updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO hotline_setting(id) VALUES (1);"
	"CREATE TABLE hotline_hours ("
	" id INTEGER PRIMARY KEY,"
	" weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
	" opens INTEGER NOT NULL CHECK (opens BETWEEN 0 AND 1439),"
	" closes INTEGER NOT NULL CHECK (closes BETWEEN 1 AND 1440 AND closes <> opens));"
	"CREATE TABLE hotline_closed_day ("
	" day TEXT PRIMARY KEY,"
	" name TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE hotline_open_day ("
	" day TEXT PRIMARY KEY,"
	" name TEXT NOT NULL DEFAULT '',"
	" as_weekday INTEGER NOT NULL DEFAULT 1 CHECK (as_weekday BETWEEN 1 AND 7));";

/*
 * 7: the call an agent's phone rings for or talks on, kept with the
 * agent's state, for the screen-pop (GET /api/me/call asks every second or
 * two during a call): ring-all offers one call to several agents while the
 * call names only the last, and a transferred call still names the agent
 * who passed it on.
 */
static const char m7[] = "ALTER TABLE agent_state ADD COLUMN call_id INTEGER REFERENCES call(id);";

/*
 * 8: the hotline's emergency announcements (seed 002 §4.3: prepare for a
 * mass SMS campaign or an outage; seed 003 第十九条): a notice the hotline
 * plays after the welcome, before the menu, while now is in [starts_at,
 * ends_at), and whose wording (口径) the workbench shows every agent. The
 * audio is the WAV callers hear: spoken from the text when saved (source
 * text) or uploaded (source recording). Each row has its own version (a
 * stale PUT is 409). Of several notices whose windows hold now, the one
 * that started last plays (ties: the newest row).
 */
static const char m8[] =
	"CREATE TABLE hotline_notice ("
	" id INTEGER PRIMARY KEY,"
	" text TEXT NOT NULL CHECK (length(text) > 0),"
	" source TEXT NOT NULL CHECK (source IN ('text', 'recording')),"
	" starts_at INTEGER NOT NULL,"
	" ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),"
	" audio BLOB NOT NULL,"
	" audio_ms INTEGER NOT NULL,"
	" version INTEGER NOT NULL DEFAULT 1,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX hotline_notice_window ON hotline_notice(ends_at, starts_at);";

/*
 * 9: files attached to work orders and contacts (seed 003: photos of the
 * damage, documents, the on-site report). The bytes live in
 * attachments_dir under their SHA-256 (src/att/); a row belongs to exactly
 * one order or one contact.
 */
static const char m9[] =
	"CREATE TABLE attachment ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER REFERENCES work_order(id),"
	" contact_id INTEGER REFERENCES contact(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('photo', 'document', 'onsite_report')),"
	" filename TEXT NOT NULL,"
	" mime TEXT NOT NULL,"
	" size INTEGER NOT NULL CHECK (size > 0),"
	" sha256 TEXT NOT NULL,"
	" uploaded_by INTEGER NOT NULL REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" CHECK ((order_id IS NULL) <> (contact_id IS NULL)));"
	"CREATE INDEX attachment_order ON attachment(order_id) WHERE order_id IS NOT NULL;"
	"CREATE INDEX attachment_contact ON attachment(contact_id) WHERE contact_id IS NOT NULL;"
	"CREATE INDEX attachment_sha256 ON attachment(sha256);";

/*
 * 10: the order search index held each report as JSON, so its keys
 * ("solution", "effect") matched every reported order (issue 12). Every
 * order still indexed (anonymised ones are not) is indexed again from its
 * texts, as wo_search_put does now.
 */
static const char m10[] =
	"UPDATE wo_search SET body = (SELECT w.number || ' ' || w.summary"
	" || ' ' || ifnull(json_extract(nullif(w.report, ''), '$.solution'), '')"
	" || ' ' || ifnull(json_extract(nullif(w.report, ''), '$.effect'), '')"
	" || ' ' || ifnull(json_extract(nullif(w.report, ''), '$.remaining'), '')"
	" || ' ' || ifnull(w.close_reason, '') FROM work_order w WHERE w.id = wo_search.rowid)"
	" WHERE rowid IN (SELECT id FROM work_order);";

/*
 * 11: a reassigned owner's responsibility ends rather than lasting beside
 * the new owner's (issue 12): kept, with when it ended, for the history.
 */
static const char m11[] = "ALTER TABLE wo_responsible ADD COLUMN ended_at INTEGER;";

/*
 * 12: the number to call the customer on, for an order with a callback
 * deadline but no customer on record (issue 12). Digits only; masked in
 * every answer, shown whole only with an audited reason.
 */
static const char m12[] = "ALTER TABLE work_order ADD COLUMN phone TEXT;";

/*
 * 13: third parties (seed 002 §5): outside companies responsible for some
 * complaints (a contractor, a merchant), kept as config; a route may pass
 * a class's orders to one; wo_referral records each order passed on, when
 * and by whom, the answer they gave, and when the center relayed it to
 * the customer.
 */
static const char m13[] =
	"CREATE TABLE wo_third_party ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK (kind IN ('contractor', 'merchant', 'carrier', 'other')),"
	" contact TEXT,"
	" active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	" updated_at INTEGER NOT NULL);"
	"ALTER TABLE wo_route ADD COLUMN third_party_id INTEGER REFERENCES wo_third_party(id);"
	"CREATE TABLE wo_referral ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER NOT NULL REFERENCES work_order(id),"
	" third_party_id INTEGER NOT NULL REFERENCES wo_third_party(id),"
	" note TEXT,"
	" referred_at INTEGER NOT NULL,"
	" referred_by INTEGER REFERENCES person(id),"
	" answer TEXT,"
	" answered_at INTEGER,"
	" answered_by INTEGER REFERENCES person(id),"
	" relay_note TEXT,"
	" relayed_at INTEGER,"
	" relayed_by INTEGER REFERENCES person(id));"
	"CREATE INDEX wo_referral_order ON wo_referral(order_id, id);";

/*
 * 14: shifts (issue 14, src/wfm/). wfm_shift_type: the shift types as data
 * (WFM-1), one or two segments in minutes of the local day (an end at or
 * before its start runs past midnight), paid and break minutes, colour,
 * office hours (行政班, the manager's and supervisor's); seeded with the
 * three shifts of the 24-hour center and 行政班. wfm_setting: the service
 * level target, shrinkage, the forecast's history and the handling time
 * used when the call log has none. wfm_forecast_override: the supervisor's
 * edits of the forecast per queue ('' for all queues), local date and half
 * hour.
 */
static const char m14[] =
	"CREATE TABLE wfm_shift_type ("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" seg1_start INTEGER NOT NULL CHECK (seg1_start BETWEEN 0 AND 1439),"
	" seg1_end INTEGER NOT NULL CHECK (seg1_end BETWEEN 1 AND 1440),"
	" seg2_start INTEGER CHECK (seg2_start BETWEEN 0 AND 1439),"
	" seg2_end INTEGER CHECK (seg2_end BETWEEN 1 AND 1440),"
	" paid_min INTEGER NOT NULL CHECK (paid_min > 0),"
	" break_min INTEGER NOT NULL DEFAULT 0 CHECK (break_min >= 0),"
	" colour TEXT NOT NULL,"
	" office INTEGER NOT NULL DEFAULT 0 CHECK (office IN (0, 1)),"
	" active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	" created_at INTEGER NOT NULL DEFAULT 0,"
	" updated_at INTEGER NOT NULL DEFAULT 0,"
	" CHECK ((seg2_start IS NULL) = (seg2_end IS NULL)));"
	"INSERT INTO wfm_shift_type(code, name, seg1_start, seg1_end, paid_min, break_min, colour,"
	" office) VALUES"
	" ('early', '早班', 480, 960, 450, 30, '#f5a623', 0),"
	" ('middle', '中班', 960, 1440, 450, 30, '#4a90e2', 0),"
	" ('night', '夜班', 0, 480, 450, 30, '#7b61ff', 0),"
	" ('office', '行政班', 510, 1050, 480, 60, '#8c8c8c', 1);"
	"CREATE TABLE wfm_setting ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO wfm_setting(key, value) VALUES"
	" ('sl_target_pct', 80), ('sl_target_sec', 20), ('shrinkage_pct', 30),"
	" ('history_weeks', 8), ('default_aht_sec', 180);"
	"CREATE TABLE wfm_forecast_override ("
	" queue TEXT NOT NULL DEFAULT '',"
	" day TEXT NOT NULL,"
	" interval INTEGER NOT NULL CHECK (interval BETWEEN 0 AND 47),"
	" contacts INTEGER NOT NULL CHECK (contacts >= 0),"
	" updated_by INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (queue, day, interval));";

/*
 * 15: the duty roster (WFM-2, WFM-3) and leave (WFM-4), src/wfm/.
 * wfm_roster: one row per month ('YYYY-MM') with its state (draft until
 * published) and the last version filed. wfm_roster_entry: the month's
 * grid, one shift type per agent and local day; a day without a row is a
 * rest day; skill is the seat the agent covers that day (ORG-2), NULL for
 * any of theirs. Each publication files the whole grid as an immutable
 * version (wfm_roster_version with its rows in wfm_roster_version_entry,
 * the 排班表 history). wfm_leave: an agent's leave over whole local days,
 * asked, approved or not; approved leave blocks rostering; an emergency
 * leave is recorded by the supervisor from a phone call and its paperwork
 * is due afterwards.
 */
static const char m15[] =
	"CREATE TABLE wfm_roster ("
	" month TEXT PRIMARY KEY,"
	" state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published')),"
	" version INTEGER NOT NULL DEFAULT 0,"
	" published_at INTEGER,"
	" published_by INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE wfm_roster_entry ("
	" day TEXT NOT NULL,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" shift_type_id INTEGER NOT NULL REFERENCES wfm_shift_type(id),"
	" skill TEXT REFERENCES skill(code),"
	" updated_by INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (day, person_id));"
	"CREATE INDEX wfm_roster_entry_person ON wfm_roster_entry(person_id, day);"
	"CREATE TABLE wfm_roster_version ("
	" id INTEGER PRIMARY KEY,"
	" month TEXT NOT NULL,"
	" version INTEGER NOT NULL,"
	" filed_at INTEGER NOT NULL,"
	" filed_by INTEGER REFERENCES person(id),"
	" reason TEXT,"
	" UNIQUE (month, version));"
	"CREATE TABLE wfm_roster_version_entry ("
	" version_id INTEGER NOT NULL REFERENCES wfm_roster_version(id),"
	" day TEXT NOT NULL,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" shift_type_id INTEGER NOT NULL REFERENCES wfm_shift_type(id),"
	" skill TEXT,"
	" PRIMARY KEY (version_id, day, person_id));"
	"CREATE TABLE wfm_leave ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('annual', 'sick', 'personal', 'compensatory')),"
	" first_day TEXT NOT NULL,"
	" last_day TEXT NOT NULL CHECK (last_day >= first_day),"
	" reason TEXT,"
	" state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected', 'cancelled')),"
	" emergency INTEGER NOT NULL DEFAULT 0 CHECK (emergency IN (0, 1)),"
	" paperwork_due INTEGER,"
	" paperwork_at INTEGER,"
	" requested_by INTEGER REFERENCES person(id),"
	" requested_at INTEGER NOT NULL,"
	" decided_by INTEGER REFERENCES person(id),"
	" decided_at INTEGER,"
	" decision_note TEXT,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX wfm_leave_person ON wfm_leave(person_id, first_day);"
	"CREATE INDEX wfm_leave_approved ON wfm_leave(first_day, last_day) WHERE state = 'approved';";

/*
 * 16: the roster's workings (issue 14, src/wfm/wfm_roster_*.c). A cell the
 * supervisor set by hand is pinned: a proposal keeps it. wfm_roster_notice:
 * the publication deadline's reminders and alert (WFM-2), one row per
 * month, kind and local day they were sent, so a tick never repeats one.
 * wfm_outside_work: working outside one's rostered shift (WFM-3), asked by
 * the agent or granted by the supervisor or manager directly, for a span
 * [from_at, to_at) in UTC ms.
 */
static const char m16[] =
	"ALTER TABLE wfm_roster_entry ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0"
	" CHECK (pinned IN (0, 1));"
	"CREATE TABLE wfm_roster_notice ("
	" month TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('reminder', 'alert')),"
	" day TEXT NOT NULL,"
	" sent_at INTEGER NOT NULL,"
	" PRIMARY KEY (month, kind, day));"
	"CREATE TABLE wfm_outside_work ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" from_at INTEGER NOT NULL,"
	" to_at INTEGER NOT NULL CHECK (to_at > from_at),"
	" reason TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'rejected')),"
	" requested_by INTEGER NOT NULL REFERENCES person(id),"
	" requested_at INTEGER NOT NULL,"
	" decided_by INTEGER REFERENCES person(id),"
	" decided_at INTEGER,"
	" decision_note TEXT);"
	"CREATE INDEX wfm_outside_work_person ON wfm_outside_work(person_id, to_at);"
	"CREATE INDEX wfm_outside_work_state ON wfm_outside_work(state, id);";

/*
 * 17: swaps and leave (WFM-3, WFM-4), src/wfm/wfm_leave*.c. wfm_swap: the
 * 调班申请单, agent A's request to exchange shifts with agent B (A's on
 * a_day for B's on b_day) or to have B cover A's shift, with the shifts as
 * they were when asked, B's counter-signature and the supervisor's
 * decision. wfm_leave.paperwork_overdue_at: when the agent and
 * the supervisors were told that an emergency leave's paperwork is overdue
 * (once).
 */
static const char m17[] =
	"CREATE TABLE wfm_swap ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('exchange', 'cover')),"
	" requester_id INTEGER NOT NULL REFERENCES person(id),"
	" partner_id INTEGER NOT NULL REFERENCES person(id),"
	" a_day TEXT NOT NULL,"
	" a_shift_type_id INTEGER NOT NULL REFERENCES wfm_shift_type(id),"
	" a_skill TEXT,"
	" b_day TEXT,"
	" b_shift_type_id INTEGER REFERENCES wfm_shift_type(id),"
	" b_skill TEXT,"
	" reason TEXT,"
	" state TEXT NOT NULL CHECK (state IN ('asked', 'signed', 'approved', 'rejected',"
	" 'declined', 'cancelled')),"
	" asked_at INTEGER NOT NULL,"
	" signed_at INTEGER,"
	" decided_by INTEGER REFERENCES person(id),"
	" decided_at INTEGER,"
	" decision_note TEXT,"
	" updated_at INTEGER NOT NULL,"
	" CHECK ((kind = 'exchange') = (b_day IS NOT NULL AND b_shift_type_id IS NOT NULL)),"
	" CHECK (requester_id <> partner_id));"
	"CREATE INDEX wfm_swap_requester ON wfm_swap(requester_id, id);"
	"CREATE INDEX wfm_swap_partner ON wfm_swap(partner_id, id);"
	"CREATE INDEX wfm_swap_open ON wfm_swap(state) WHERE state IN ('asked', 'signed');"
	"ALTER TABLE wfm_leave ADD COLUMN paperwork_overdue_at INTEGER;"
	"CREATE INDEX wfm_leave_paperwork ON wfm_leave(paperwork_due)"
	" WHERE emergency = 1 AND paperwork_at IS NULL;";

/*
 * 18: attendance (WFM-5, src/wfm/wfm_attend*.c). wfm_attend_excuse: a
 * supervisor's excuse of an agent's local day (a disaster, a late shuttle
 * bus), one per agent and day, with its reason; the day's late, early or
 * absence then count as excused. The index agent_state_away serves the
 * CALL-15 tick, which since this migration looks for spells away in busy
 * and break alike (src/acd/).
 */
static const char m18[] =
	"CREATE TABLE wfm_attend_excuse ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" day TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (person_id, day));"
	"CREATE INDEX wfm_attend_excuse_day ON wfm_attend_excuse(day);"
	"CREATE INDEX agent_state_away ON agent_state(since)"
	" WHERE status IN ('busy', 'break') AND busy_alerted = 0;";

/*
 * 19: the handover (交接班, WFM-6, WFM-7), src/handover/. handover: one per
 * change of shift (change_at), the outgoing and incoming shift instances
 * (type and the local day each began), the window of the incoming shift,
 * the state (draft, out_signed: locked by the outgoing duty person, signed:
 * the incoming one signed too), the shift's notes, both signatures with the
 * incoming remark, when the snapshot of the live state at the change was
 * taken and how many items are flagged (WFM-7). handover_item: the log's
 * items, collected by kefu (an order, escalation, callback, request or
 * notice by its id) or added by hand; whether it is in the log, whether it
 * was open at the change, whether it is flagged. handover_reminder: each
 * reminder and alert sent, once per change.
 */
static const char m19[] =
	"CREATE TABLE handover ("
	" id INTEGER PRIMARY KEY,"
	" change_at INTEGER NOT NULL UNIQUE,"
	" prev_at INTEGER NOT NULL,"
	" next_at INTEGER NOT NULL CHECK (next_at > change_at),"
	" out_type_id INTEGER NOT NULL REFERENCES wfm_shift_type(id),"
	" out_day TEXT NOT NULL,"
	" in_type_id INTEGER NOT NULL REFERENCES wfm_shift_type(id),"
	" in_day TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'out_signed', 'signed')),"
	" notes TEXT NOT NULL DEFAULT '',"
	" out_by INTEGER REFERENCES person(id),"
	" out_at INTEGER,"
	" in_by INTEGER REFERENCES person(id),"
	" in_at INTEGER,"
	" in_remark TEXT NOT NULL DEFAULT '',"
	" snapshot_at INTEGER,"
	" flagged INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX handover_out_by ON handover(out_by, change_at);"
	"CREATE INDEX handover_in_by ON handover(in_by, change_at);"
	"CREATE TABLE handover_item ("
	" id INTEGER PRIMARY KEY,"
	" handover_id INTEGER NOT NULL REFERENCES handover(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('order', 'escalation', 'callback', 'request',"
	"  'notice', 'manual')),"
	" ref_id INTEGER,"
	" title TEXT NOT NULL,"
	" link TEXT NOT NULL DEFAULT '',"
	" due_at INTEGER,"
	" included INTEGER NOT NULL DEFAULT 1 CHECK (included IN (0, 1)),"
	" at_change INTEGER NOT NULL DEFAULT 0 CHECK (at_change IN (0, 1)),"
	" flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),"
	" added_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" CHECK ((kind = 'manual') = (ref_id IS NULL)));"
	"CREATE INDEX handover_item_handover ON handover_item(handover_id, id);"
	"CREATE UNIQUE INDEX handover_item_ref ON handover_item(handover_id, kind, ref_id)"
	" WHERE ref_id IS NOT NULL;"
	"CREATE TABLE handover_reminder ("
	" change_at INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" sent_at INTEGER NOT NULL,"
	" PRIMARY KEY (change_at, kind));";


/*
 * 20: quality inspection (质检, issue 15), src/qa/: the shared contract of
 * the rule engine, the automatic check and the review. qa_rule: one rule of
 * the automatic inspection by its stable code, whether it is on, and its
 * current version; qa_rule_version: every version's body as JSON (the
 * conditions, the boolean expression, score, severity, fatal; docs/qa.md),
 * never changed once written, so a check names the version it used and a
 * change never rescores what was closed (QA-3, QA-4). qa_transcript: the
 * words of one contact (a call's utterances from the speech recogniser or a
 * center's own ASR, a chat's messages), one per contact. qa_check: the
 * automatic check of one contact (100 % of them): the agent, when the
 * contact happened, its score (100 plus the matched rules' scores, at most
 * 100 and at least 0, 0 when a fatal rule matched), whether a transcript
 * was part of it, the counts of hits and of high-severity hits; redone when
 * a transcript arrives. qa_hit: each hit with what explains it: the rule and
 * version, where in the transcript (utterance, character offset and length)
 * or the metric that failed, the time in the recording, the words matched
 * and the better wording to show (QA-3).
 */
static const char m20[] =
	"CREATE TABLE qa_rule ("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	" version INTEGER NOT NULL CHECK (version >= 1),"
	" seeded INTEGER NOT NULL DEFAULT 0 CHECK (seeded IN (0, 1)),"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE qa_rule_version ("
	" rule_id INTEGER NOT NULL REFERENCES qa_rule(id),"
	" version INTEGER NOT NULL,"
	" body TEXT NOT NULL,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (rule_id, version));"
	"CREATE TABLE qa_transcript ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('call', 'chat', 'email', 'message', 'summary')),"
	" ref_id INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (kind, ref_id));"
	"CREATE TABLE qa_check ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('call', 'chat', 'email', 'message', 'summary')),"
	" ref_id INTEGER NOT NULL,"
	" agent_id INTEGER REFERENCES person(id),"
	" contact_at INTEGER NOT NULL,"
	" checked_at INTEGER NOT NULL,"
	" transcript INTEGER NOT NULL DEFAULT 0 CHECK (transcript IN (0, 1)),"
	" score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),"
	" fatal INTEGER NOT NULL DEFAULT 0 CHECK (fatal IN (0, 1)),"
	" hits INTEGER NOT NULL DEFAULT 0,"
	" high INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (kind, ref_id));"
	"CREATE INDEX qa_check_agent ON qa_check(agent_id, contact_at);"
	"CREATE INDEX qa_check_at ON qa_check(contact_at);"
	"CREATE TABLE qa_hit ("
	" id INTEGER PRIMARY KEY,"
	" check_id INTEGER NOT NULL REFERENCES qa_check(id) ON DELETE CASCADE,"
	" rule_id INTEGER NOT NULL REFERENCES qa_rule(id),"
	" rule_version INTEGER NOT NULL,"
	" severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),"
	" score INTEGER NOT NULL,"
	" fatal INTEGER NOT NULL DEFAULT 0 CHECK (fatal IN (0, 1)),"
	" utterance INTEGER,"
	" char_offset INTEGER,"
	" char_len INTEGER,"
	" at_ms INTEGER,"
	" text TEXT NOT NULL DEFAULT '',"
	" better TEXT);"
	"CREATE INDEX qa_hit_check ON qa_hit(check_id);"
	"CREATE INDEX qa_hit_rule ON qa_hit(rule_id, check_id);";

/*
 * 21: scorecards, sampling, review and appeals of quality inspection (质检,
 * QA-1, QA-5; src/qa/qa_review*.c). qa_scorecard: a scorecard template by
 * name, its current version and whether it is the one new assessments use;
 * qa_scorecard_item: the items of each version, never changed once written
 * (an assessment names the version it was scored on), each in one of the
 * QA-5 dimensions (attitude, quality, skill, efficiency, satisfaction) with
 * its label, points, weight and whether it is fatal (致命项: failing it makes
 * the assessment 0). Seeded: 通话质检评分表 from seed 004's five dimensions
 * and the call rules. qa_plan: the weekly sampling per agent, regular and
 * for new hires (by ratio in percent or by count). qa_review_setting: the appeal
 * windows, who counts as a new hire, the low-satisfaction threshold, the
 * sampling seed. qa_assessment: one per contact picked (by the weekly
 * sample, a must-review reason, or by hand), its reviewer, scorecard
 * version, state (open, draft, closed, appealed), item scores (a JSON array
 * in the items' order), total, fatal, comment, the appeal deadline and the
 * final score after appeals. qa_comment: a reviewer's remark at a time in
 * the call. qa_appeal: an agent's appeal (level 1 to the supervisor, level
 * 2 to the QA inspector or the manager) with its decision. qa_sample_run:
 * the weeks already sampled.
 */
static const char m21[] =
	"CREATE TABLE qa_scorecard ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" version INTEGER NOT NULL CHECK (version >= 1),"
	" is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),"
	" active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX qa_scorecard_default ON qa_scorecard(is_default) WHERE is_default = 1;"
	"CREATE TABLE qa_scorecard_item ("
	" scorecard_id INTEGER NOT NULL REFERENCES qa_scorecard(id),"
	" version INTEGER NOT NULL,"
	" pos INTEGER NOT NULL,"
	" dimension TEXT NOT NULL"
	"  CHECK (dimension IN ('attitude', 'quality', 'skill', 'efficiency', 'satisfaction')),"
	" label TEXT NOT NULL,"
	" max_points INTEGER NOT NULL CHECK (max_points BETWEEN 1 AND 100),"
	" weight INTEGER NOT NULL CHECK (weight BETWEEN 0 AND 100),"
	" fatal INTEGER NOT NULL DEFAULT 0 CHECK (fatal IN (0, 1)),"
	" PRIMARY KEY (scorecard_id, version, pos));"
	"CREATE TABLE qa_scorecard_version ("
	" scorecard_id INTEGER NOT NULL REFERENCES qa_scorecard(id),"
	" version INTEGER NOT NULL,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (scorecard_id, version));"
	"INSERT INTO qa_scorecard(id, name, version, is_default, created_at, updated_at)"
	" VALUES (1, '通话质检评分表', 1, 1, 0, 0);"
	"INSERT INTO qa_scorecard_version(scorecard_id, version, created_at) VALUES (1, 1, 0);"
	"INSERT INTO qa_scorecard_item(scorecard_id, version, pos, dimension, label, max_points,"
	" weight, fatal) VALUES"
	" (1, 1, 1, 'attitude', '开场白规范：您好、报工号、询问需求', 10, 10, 0),"
	" (1, 1, 2, 'attitude', '礼貌用语：称呼“您”，使用您好、请、谢谢、对不起', 10, 10, 0),"
	" (1, 1, 3, 'attitude', '服务禁语、辱骂客户', 1, 0, 1),"
	" (1, 1, 4, 'attitude', '先于客户挂断电话', 1, 0, 1),"
	" (1, 1, 5, 'quality', '结束语规范：询问其他需要、致谢、邀请评价', 10, 10, 0),"
	" (1, 1, 6, 'quality', '语速适中，一次只问一个问题', 10, 10, 0),"
	" (1, 1, 7, 'quality', '答复确定，不说“一般是”“应该是”', 10, 10, 0),"
	" (1, 1, 8, 'skill', '准确理解问题，给出解决方案', 20, 20, 0),"
	" (1, 1, 9, 'skill', '如实记录服务类型与5W1H', 10, 10, 0),"
	" (1, 1, 10, 'efficiency', '保持等待规范：先征得同意，每15秒回应，不超过2分钟', 10, 10, 0),"
	" (1, 1, 11, 'satisfaction', '客户满意度', 10, 10, 0);"
	"CREATE TABLE qa_plan ("
	" code TEXT PRIMARY KEY CHECK (code IN ('regular', 'new_hire')),"
	" mode TEXT NOT NULL CHECK (mode IN ('ratio', 'count')),"
	" ratio_pct INTEGER NOT NULL DEFAULT 0 CHECK (ratio_pct BETWEEN 0 AND 100),"
	" count INTEGER NOT NULL DEFAULT 0 CHECK (count BETWEEN 0 AND 1000),"
	" updated_at INTEGER NOT NULL);"
	"INSERT INTO qa_plan(code, mode, ratio_pct, count, updated_at) VALUES"
	" ('regular', 'ratio', 5, 0, 0), ('new_hire', 'ratio', 20, 0, 0);"
	"CREATE TABLE qa_review_setting ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"INSERT INTO qa_review_setting(key, value, updated_at) VALUES"
	" ('appeal_days', 3, 0), ('appeal2_days', 3, 0), ('new_hire_days', 90, 0),"
	" ('low_survey', 2, 0), ('must_review', 1, 0), ('sample_seed', 20261207, 0);"
	"CREATE TABLE qa_assessment ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('call', 'chat', 'email', 'message', 'summary')),"
	" ref_id INTEGER NOT NULL,"
	" agent_id INTEGER NOT NULL REFERENCES person(id),"
	" reviewer_id INTEGER REFERENCES person(id),"
	" scorecard_id INTEGER NOT NULL REFERENCES qa_scorecard(id),"
	" scorecard_version INTEGER NOT NULL,"
	" reason TEXT NOT NULL CHECK (reason IN ('sample', 'new_hire', 'complaint', 'escalation',"
	"  'class_f', 'low_survey', 'high_hits', 'fatal_check', 'manual')),"
	" must INTEGER NOT NULL DEFAULT 0 CHECK (must IN (0, 1)),"
	" contact_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'draft', 'closed', 'appealed')),"
	" scores TEXT NOT NULL DEFAULT '[]',"
	" total INTEGER CHECK (total BETWEEN 0 AND 100),"
	" fatal INTEGER NOT NULL DEFAULT 0 CHECK (fatal IN (0, 1)),"
	" comment TEXT NOT NULL DEFAULT '',"
	" final_score INTEGER CHECK (final_score BETWEEN 0 AND 100),"
	" appeals INTEGER NOT NULL DEFAULT 0 CHECK (appeals BETWEEN 0 AND 2),"
	" appeal_until INTEGER,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" closed_at INTEGER,"
	" UNIQUE (kind, ref_id));"
	"CREATE INDEX qa_assessment_open ON qa_assessment(must DESC, contact_at)"
	" WHERE state IN ('open', 'draft');"
	"CREATE INDEX qa_assessment_agent ON qa_assessment(agent_id, id);"
	"CREATE TABLE qa_comment ("
	" id INTEGER PRIMARY KEY,"
	" assessment_id INTEGER NOT NULL REFERENCES qa_assessment(id),"
	" at_ms INTEGER NOT NULL CHECK (at_ms >= 0),"
	" text TEXT NOT NULL,"
	" author_id INTEGER NOT NULL REFERENCES person(id),"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX qa_comment_assessment ON qa_comment(assessment_id, at_ms);"
	"CREATE TABLE qa_appeal ("
	" id INTEGER PRIMARY KEY,"
	" assessment_id INTEGER NOT NULL REFERENCES qa_assessment(id),"
	" level INTEGER NOT NULL CHECK (level IN (1, 2)),"
	" agent_id INTEGER NOT NULL REFERENCES person(id),"
	" reason TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'decided')),"
	" old_score INTEGER NOT NULL,"
	" decision TEXT CHECK (decision IN ('upheld', 'changed', 'rejected')),"
	" new_score INTEGER CHECK (new_score BETWEEN 0 AND 100),"
	" decision_reason TEXT,"
	" decided_by INTEGER REFERENCES person(id),"
	" decided_at INTEGER,"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (assessment_id, level));"
	"CREATE INDEX qa_appeal_pending ON qa_appeal(level, id) WHERE state = 'pending';"
	"CREATE TABLE qa_sample_run ("
	" week_start INTEGER PRIMARY KEY,"
	" ran_at INTEGER NOT NULL,"
	" picked INTEGER NOT NULL);";

/*
 * 22: the automatic check's own bookkeeping (issue 15, src/qa/qa_engine.c).
 * qa_setting: the checker's cursor over the call log (every call with an
 * id up to call_cursor is checked or was never answered), so a tick costs
 * the calls since the oldest one not yet ready, never the whole table; and
 * how long an ended call waits for its recording before it is checked
 * without it (recording_wait_min). qa_recheck: contacts whose transcript
 * arrived or was replaced since their check, redone by the next tick.
 */
static const char m22[] =
	"CREATE TABLE qa_setting ("
	" key TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL);"
	"INSERT INTO qa_setting(key, value) VALUES ('call_cursor', 0), ('recording_wait_min', 10);"
	"CREATE TABLE qa_recheck ("
	" kind TEXT NOT NULL,"
	" ref_id INTEGER NOT NULL,"
	" queued_at INTEGER NOT NULL,"
	" PRIMARY KEY (kind, ref_id));";

/*
 * 23: the daily quality-anomaly report (质量异常分析日报表, QA-2), src/qa/
 * qa_report*.c. qa_daily: one per local day of the center (YYYY-MM-DD), a
 * draft the supervisor edits (anomaly: 异常描述, causes: 原因分析, measures:
 * 改进措施) until it is sent to the manager; figures is the JSON snapshot of
 * the day's figures taken at send (a draft's figures are computed when read),
 * sent_to the JSON array of the people it went to. A sent report is read-only
 * and kept.
 */
static const char m23[] =
	"CREATE TABLE qa_daily ("
	" id INTEGER PRIMARY KEY,"
	" day TEXT NOT NULL UNIQUE,"
	" state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'sent')),"
	" figures TEXT,"
	" anomaly TEXT NOT NULL DEFAULT '',"
	" causes TEXT NOT NULL DEFAULT '',"
	" measures TEXT NOT NULL DEFAULT '',"
	" author_id INTEGER REFERENCES person(id),"
	" sent_to TEXT,"
	" sent_at INTEGER,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" CHECK ((state = 'sent') = (sent_at IS NOT NULL AND figures IS NOT NULL)));"
	"CREATE INDEX qa_daily_state ON qa_daily(state, day);";

/*
 * 24: the knowledge base and scripts (知识库, 话术; issue 16, src/kb/).
 * kb_article: one article or script (kind), its working copy's state and
 * the number of its newest version (version) and of the version agents see
 * (published_version, null until first published): editing a published
 * article makes a new version that goes through review while agents keep
 * reading the published one. slot says what a script is for (opening,
 * closing, complaint answer, outbound, callback, addressing, forbidden
 * phrases); source names the rulebook and section a seeded one was
 * transcribed from, source_order_id the archived order a draft was
 * proposed from (WO-9). Visibility: roles and departments are JSON arrays,
 * empty for everyone; public marks what the web-chat widget may show.
 * The counters (views, uses, helpful, unhelpful) feed ranking and the
 * usage report. kb_version: every saved version's content (title, body in
 * Markdown, tags, what it applies to as JSON), the history and the diff.
 * kb_applies: the published version's classes, complaint types and
 * channels, the desk's lookup. kb_event: the workflow's log (submitted,
 * approved, rejected, retired, restored) with comments. kb_feedback: one
 * vote per person and article. kb_search_log: every agent search with its
 * number of results (the report of searches that found nothing).
 * kb_synonym: the center's synonym groups. kb_attachment: images and PDFs
 * of an article, the bytes in att's content-addressed store. kb_fts: the
 * published content, searchable (kefu_cjk) with the titles' and tags'
 * pinyin initials in their own column, rowid = article id.
 */
static const char m24[] =
	"CREATE TABLE kb_category ("
	" id INTEGER PRIMARY KEY,"
	" parent_id INTEGER REFERENCES kb_category(id),"
	" name TEXT NOT NULL,"
	" position INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" UNIQUE (parent_id, name));"
	"CREATE TABLE kb_article ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('article', 'script')),"
	" slot TEXT,"
	" title TEXT NOT NULL,"
	" category_id INTEGER REFERENCES kb_category(id),"
	" state TEXT NOT NULL DEFAULT 'draft'"
	"  CHECK (state IN ('draft', 'review', 'published', 'retired')),"
	" version INTEGER NOT NULL DEFAULT 1,"
	" published_version INTEGER,"
	" owner_id INTEGER REFERENCES person(id),"
	" review_due TEXT,"
	" roles TEXT NOT NULL DEFAULT '[]',"
	" departments TEXT NOT NULL DEFAULT '[]',"
	" public INTEGER NOT NULL DEFAULT 0,"
	" source TEXT,"
	" source_order_id INTEGER REFERENCES work_order(id),"
	" views INTEGER NOT NULL DEFAULT 0,"
	" uses INTEGER NOT NULL DEFAULT 0,"
	" helpful INTEGER NOT NULL DEFAULT 0,"
	" unhelpful INTEGER NOT NULL DEFAULT 0,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" published_at INTEGER);"
	"CREATE INDEX kb_article_state ON kb_article(state, kind, id);"
	"CREATE INDEX kb_article_category ON kb_article(category_id);"
	"CREATE INDEX kb_article_review_due ON kb_article(review_due) WHERE published_version IS NOT NULL;"
	"CREATE UNIQUE INDEX kb_article_source_order ON kb_article(source_order_id)"
	" WHERE source_order_id IS NOT NULL;"
	"CREATE TABLE kb_version ("
	" article_id INTEGER NOT NULL REFERENCES kb_article(id),"
	" version INTEGER NOT NULL,"
	" title TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" tags TEXT NOT NULL DEFAULT '[]',"
	" applies TEXT NOT NULL DEFAULT '{}',"
	" note TEXT,"
	" author_id INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (article_id, version));"
	"CREATE TABLE kb_applies ("
	" article_id INTEGER NOT NULL REFERENCES kb_article(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('class', 'complaint', 'channel')),"
	" code TEXT NOT NULL,"
	" PRIMARY KEY (article_id, kind, code));"
	"CREATE INDEX kb_applies_code ON kb_applies(kind, code);"
	"CREATE TABLE kb_event ("
	" id INTEGER PRIMARY KEY,"
	" article_id INTEGER NOT NULL REFERENCES kb_article(id),"
	" version INTEGER NOT NULL,"
	" action TEXT NOT NULL,"
	" person_id INTEGER REFERENCES person(id),"
	" at INTEGER NOT NULL,"
	" comment TEXT);"
	"CREATE INDEX kb_event_article ON kb_event(article_id, id);"
	"CREATE TABLE kb_feedback ("
	" article_id INTEGER NOT NULL REFERENCES kb_article(id),"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),"
	" comment TEXT,"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (article_id, person_id));"
	"CREATE TABLE kb_search_log ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" person_id INTEGER REFERENCES person(id),"
	" query TEXT NOT NULL,"
	" results INTEGER NOT NULL,"
	" article_id INTEGER REFERENCES kb_article(id));"
	"CREATE INDEX kb_search_log_at ON kb_search_log(at);"
	"CREATE TABLE kb_synonym ("
	" word TEXT PRIMARY KEY,"
	" group_id INTEGER NOT NULL);"
	"CREATE INDEX kb_synonym_group ON kb_synonym(group_id);"
	"CREATE TABLE kb_attachment ("
	" id INTEGER PRIMARY KEY,"
	" article_id INTEGER NOT NULL REFERENCES kb_article(id),"
	" filename TEXT NOT NULL,"
	" mime TEXT NOT NULL,"
	" size INTEGER NOT NULL CHECK (size > 0),"
	" sha256 TEXT NOT NULL,"
	" uploaded_by INTEGER NOT NULL REFERENCES person(id),"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX kb_attachment_article ON kb_attachment(article_id);"
	"CREATE VIRTUAL TABLE kb_fts USING fts5(title, body, tags, initials, tokenize = 'kefu_cjk');";

/*
 * 25: calls out (issue 17, src/call/call_out.c). A call gets its direction
 * ('out': kefu called the customer; its caller column is still the
 * customer's number, so the screen-pop, the contact and the masks treat
 * both directions alike) and whether the customer's leg dropped while the
 * agent was talking (CALL-6: the agent calls back). call_out is both the
 * engine's queue of requests and the log of attempts: the HTTP side
 * inserts a request, the SIP thread claims it (state requested → agent →
 * dialing → talking → ended) and sets the engine's result; agent_id is
 * NULL only for the daily answer-rate test (LED-2). number is the real
 * number and never leaves the server; dial is what went to the trunk.
 */
static const char m25[] =
	"ALTER TABLE call ADD COLUMN direction TEXT NOT NULL DEFAULT 'in'"
	" CHECK (direction IN ('in', 'out'));"
	"ALTER TABLE call ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0 CHECK (dropped IN (0, 1));"
	"CREATE TABLE call_out ("
	" id INTEGER PRIMARY KEY,"
	" agent_id INTEGER REFERENCES person(id),"
	" number TEXT NOT NULL,"
	" dial TEXT,"
	" customer_id INTEGER REFERENCES customer(id),"
	" purpose TEXT NOT NULL,"
	" ref_id INTEGER,"
	" state TEXT NOT NULL DEFAULT 'requested'"
	"  CHECK (state IN ('requested', 'agent', 'dialing', 'talking', 'ended')),"
	" result TEXT,"
	" cancel INTEGER NOT NULL DEFAULT 0 CHECK (cancel IN (0, 1)),"
	" call_id INTEGER REFERENCES call(id),"
	" requested_by INTEGER REFERENCES person(id),"
	" requested_at INTEGER NOT NULL,"
	" agent_at INTEGER,"
	" answered_at INTEGER,"
	" ended_at INTEGER);"
	"CREATE INDEX call_out_live ON call_out(state) WHERE state <> 'ended';"
	"CREATE INDEX call_out_agent ON call_out(agent_id, requested_at);"
	"CREATE INDEX call_out_ref ON call_out(purpose, ref_id);"
	"CREATE INDEX call_direction ON call(direction, started_at);";

/*
 * 26: calls out above the engine (issue 17, src/out/). out_settings is one
 * row: the outbound hours as local minutes [open_min, close_min) (no calls
 * at night), the daily cap of attempts per agent, how soon a dropped call's
 * call-back is due (CALL-6), how long after the next opening an after-hours
 * caller's call-back is due (CALL-10), and the retries of a task. out_dnc is
 * the do-not-call list; out_outcome the agent's outcome of one attempt
 * (once); out_task a number to call that is not an order's callback
 * (dropped, afterhours, campaign), its attempts counted when placed and
 * last_call_out_id the latest; out_campaign and its agents (CB-3, CUST-3,
 * CUST-4). The partial indexes on call let the ticks find dropped calls and
 * calls that came after hours without reading the whole log.
 */
static const char m26[] =
	"CREATE TABLE out_settings ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" open_min INTEGER NOT NULL DEFAULT 540 CHECK (open_min BETWEEN 0 AND 1440),"
	" close_min INTEGER NOT NULL DEFAULT 1200 CHECK (close_min BETWEEN 0 AND 1440),"
	" daily_cap INTEGER NOT NULL DEFAULT 200 CHECK (daily_cap BETWEEN 1 AND 10000),"
	" dropped_due_min INTEGER NOT NULL DEFAULT 5 CHECK (dropped_due_min BETWEEN 0 AND 1440),"
	" afterhours_due_min INTEGER NOT NULL DEFAULT 30"
	"  CHECK (afterhours_due_min BETWEEN 0 AND 1440),"
	" max_attempts INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 20),"
	" retry_gap_min INTEGER NOT NULL DEFAULT 30 CHECK (retry_gap_min BETWEEN 1 AND 10080),"
	" updated_at INTEGER NOT NULL DEFAULT 0,"
	" updated_by INTEGER REFERENCES person(id));"
	"INSERT INTO out_settings(id) VALUES (1);"
	"CREATE TABLE out_dnc ("
	" id INTEGER PRIMARY KEY,"
	" number TEXT NOT NULL UNIQUE,"
	" reason TEXT,"
	" added_by INTEGER REFERENCES person(id),"
	" at INTEGER NOT NULL);"
	"CREATE TABLE out_outcome ("
	" call_out_id INTEGER PRIMARY KEY REFERENCES call_out(id),"
	" outcome TEXT NOT NULL,"
	" note TEXT,"
	" next_at INTEGER,"
	" by_id INTEGER REFERENCES person(id),"
	" at INTEGER NOT NULL);"
	"CREATE TABLE out_campaign ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('callback_yesterday', 'vip_care', 'churn', 'birthday',"
	"  'custom')),"
	" script_id INTEGER REFERENCES kb_article(id),"
	" mode TEXT NOT NULL DEFAULT 'preview' CHECK (mode IN ('preview', 'progressive')),"
	" deadline INTEGER,"
	" state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'running', 'paused', 'done')),"
	" note TEXT,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE out_campaign_agent ("
	" campaign_id INTEGER NOT NULL REFERENCES out_campaign(id),"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" PRIMARY KEY (campaign_id, person_id));"
	"CREATE INDEX out_campaign_agent_person ON out_campaign_agent(person_id);"
	"CREATE TABLE out_task ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('dropped', 'afterhours', 'campaign')),"
	" campaign_id INTEGER REFERENCES out_campaign(id),"
	" customer_id INTEGER REFERENCES customer(id),"
	" number TEXT NOT NULL,"
	" name TEXT,"
	" agent_id INTEGER REFERENCES person(id),"
	" due_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled', 'failed')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" last_result TEXT,"
	" last_call_out_id INTEGER REFERENCES call_out(id),"
	" call_id INTEGER REFERENCES call(id),"
	" note TEXT,"
	" created_at INTEGER NOT NULL,"
	" done_at INTEGER);"
	"CREATE INDEX out_task_open ON out_task(due_at) WHERE state = 'open';"
	"CREATE INDEX out_task_agent ON out_task(agent_id, due_at) WHERE state = 'open';"
	"CREATE INDEX out_task_campaign ON out_task(campaign_id, state);"
	"CREATE UNIQUE INDEX out_task_call ON out_task(call_id, kind) WHERE call_id IS NOT NULL;"
	"CREATE UNIQUE INDEX out_task_member ON out_task(campaign_id, number)"
	" WHERE campaign_id IS NOT NULL;"
	"CREATE INDEX call_dropped ON call(started_at) WHERE dropped = 1;"
	"CREATE INDEX call_closed ON call(started_at) WHERE outcome = 'closed';";

/*
 * 27: the daily answer-rate
 * test (每日接通率测试表, LED-2; src/out/out_test*.c). out_test_settings is
 * one row: whether the schedule runs, its times of day in the center's
 * zone ("09:00,14:30"), the keys the test call presses through the IVR and
 * how long it waits for an agent before "not answered". out_test is one
 * row per test call: the call_out request it placed (purpose 'test'), the
 * local day and the scheduled minute of that day it was for (NULL: a
 * manager's test now; the unique index is how the tick never places one
 * slot twice), the keys and wait it was placed with (the engine reads
 * them by call_out_id), who asked (NULL: the schedule). call_out gets an
 * index on requested_at for the day's outbound figures.
 */
static const char m27[] =
	"CREATE TABLE out_test_settings ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
	" times TEXT NOT NULL DEFAULT '',"
	" keys TEXT NOT NULL DEFAULT '',"
	" wait_sec INTEGER NOT NULL DEFAULT 60 CHECK (wait_sec BETWEEN 10 AND 600),"
	" updated_by INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO out_test_settings(id) VALUES (1);"
	"CREATE TABLE out_test ("
	" id INTEGER PRIMARY KEY,"
	" call_out_id INTEGER NOT NULL UNIQUE REFERENCES call_out(id),"
	" day INTEGER NOT NULL,"
	" slot INTEGER CHECK (slot BETWEEN 0 AND 1439),"
	" keys TEXT NOT NULL DEFAULT '',"
	" wait_sec INTEGER NOT NULL,"
	" requested_by INTEGER REFERENCES person(id),"
	" at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX out_test_slot ON out_test(day, slot) WHERE slot IS NOT NULL;"
	"CREATE INDEX out_test_day ON out_test(day, at);"
	"CREATE INDEX call_out_requested ON call_out(requested_at);";

/*
 * 28: every channel in one inbox (issue 18, src/chan/). chan_settings is
 * one row of the center's channel rules (CALL-12's deadlines, the chat
 * capacity of an agent). chan_account is one configured inbox of a
 * channel (an email box, a web-chat site, a WeChat official account, a
 * Weibo account, an SMS provider): its config is the adapter's own JSON
 * with its secrets, which the API never gives back. conv is a
 * conversation with the customer on one account: peer is the channel's
 * address of the customer (an email address, an openid, a phone number,
 * a web-chat visitor), and one account has at most one conversation per
 * peer that is not resolved. conv_msg is one message in or out, an
 * internal note or an event line; ext_id is the channel's own id of a
 * message, unique per account, so a webhook delivered twice or a mail
 * fetched twice is stored once. conv_fts indexes the messages' text with
 * the CJK tokenizer, so one- and two-character words are found.
 * Quality inspection's cursor over resolved conversations is two more
 * qa_setting rows.
 */
static const char m28[] =
	"CREATE TABLE chan_settings ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" chat_capacity INTEGER NOT NULL DEFAULT 5 CHECK (chat_capacity BETWEEN 1 AND 20),"
	" chat_first_reply_sec INTEGER NOT NULL DEFAULT 60"
	"  CHECK (chat_first_reply_sec BETWEEN 10 AND 3600),"
	" email_reply_min INTEGER NOT NULL DEFAULT 480 CHECK (email_reply_min BETWEEN 10 AND 10080),"
	" message_same_day INTEGER NOT NULL DEFAULT 1 CHECK (message_same_day IN (0, 1)),"
	" message_cutoff_min INTEGER NOT NULL DEFAULT 1020"
	"  CHECK (message_cutoff_min BETWEEN 0 AND 1439),"
	" chat_while_on_call INTEGER NOT NULL DEFAULT 0 CHECK (chat_while_on_call IN (0, 1)),"
	" chat_idle_close_min INTEGER NOT NULL DEFAULT 30"
	"  CHECK (chat_idle_close_min BETWEEN 1 AND 1440),"
	" updated_by INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO chan_settings(id) VALUES (1);"
	"CREATE TABLE chan_account ("
	" id INTEGER PRIMARY KEY,"
	" channel TEXT NOT NULL CHECK (channel IN ('email', 'web_chat', 'wechat', 'weibo', 'sms')),"
	" name TEXT NOT NULL,"
	" enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
	" config TEXT NOT NULL DEFAULT '{}',"
	" queue TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE conv ("
	" id INTEGER PRIMARY KEY,"
	" channel TEXT NOT NULL,"
	" account_id INTEGER NOT NULL REFERENCES chan_account(id),"
	" customer_id INTEGER REFERENCES customer(id),"
	" peer TEXT NOT NULL,"
	" peer_name TEXT NOT NULL DEFAULT '',"
	" subject TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'open', 'waiting', 'resolved')),"
	" queue TEXT NOT NULL DEFAULT '',"
	" agent_id INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" last_in_at INTEGER,"
	" last_out_at INTEGER,"
	" first_reply_due INTEGER,"
	" first_reply_at INTEGER,"
	" resolve_due INTEGER,"
	" resolved_at INTEGER,"
	" breached INTEGER NOT NULL DEFAULT 0,"
	" contact_id INTEGER REFERENCES contact(id),"
	" order_id INTEGER REFERENCES work_order(id),"
	" rating INTEGER CHECK (rating BETWEEN 1 AND 5),"
	" unread INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX conv_open_peer ON conv(account_id, peer) WHERE state <> 'resolved';"
	"CREATE INDEX conv_state_due ON conv(state, first_reply_due);"
	"CREATE INDEX conv_agent ON conv(agent_id, state);"
	"CREATE INDEX conv_customer ON conv(customer_id, id);"
	/* Quality inspection walks resolved conversations in the order they
	 * were resolved (issue 15's text contacts), from its own cursor. */
	"CREATE INDEX conv_resolved ON conv(resolved_at, id) WHERE state = 'resolved';"
	"INSERT INTO qa_setting(key, value) VALUES ('conv_cursor_at', 0), ('conv_cursor_id', 0);"
	"CREATE TABLE conv_msg ("
	" id INTEGER PRIMARY KEY,"
	" conv_id INTEGER NOT NULL REFERENCES conv(id),"
	" account_id INTEGER NOT NULL REFERENCES chan_account(id),"
	" direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'note', 'event')),"
	" author_id INTEGER REFERENCES person(id),"
	" body TEXT NOT NULL DEFAULT '',"
	" html TEXT,"
	" ext_id TEXT,"
	" in_reply_to TEXT,"
	" status TEXT CHECK (status IN ('queued', 'sent', 'failed')),"
	" error TEXT,"
	" tries INTEGER NOT NULL DEFAULT 0,"
	" at INTEGER NOT NULL);"
	"CREATE INDEX conv_msg_conv ON conv_msg(conv_id, id);"
	"CREATE UNIQUE INDEX conv_msg_ext ON conv_msg(account_id, ext_id) WHERE ext_id IS NOT NULL;"
	"CREATE INDEX conv_msg_queued ON conv_msg(id) WHERE status = 'queued';"
	"CREATE VIRTUAL TABLE conv_fts USING fts5(body, tokenize = 'kefu_cjk');";

/*
 * 29: the email channel's fetch state (issue 18): per email account, the
 * mailbox's UIDVALIDITY and the last UID fetched, so each poll asks the
 * IMAP server only for newer mail and a mail is fetched once even when it
 * cannot be parsed; when the next poll is due and how many polls in a row
 * failed (a server that does not answer is asked less and less often, up
 * to every 15 minutes); the last error, for the account's page; counts of
 * mails stored and skipped.
 */
static const char m29[] =
	"CREATE TABLE chan_mail_state ("
	" account_id INTEGER PRIMARY KEY REFERENCES chan_account(id) ON DELETE CASCADE,"
	" uidvalidity INTEGER NOT NULL DEFAULT 0,"
	" last_uid INTEGER NOT NULL DEFAULT 0,"
	" next_poll_at INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '',"
	" fetched INTEGER NOT NULL DEFAULT 0,"
	" skipped INTEGER NOT NULL DEFAULT 0,"
	" updated_at INTEGER NOT NULL DEFAULT 0);";

/*
 * 30: SMS (issue 18; CUST-4 birthday greetings, WO-5 notices): the
 * settings (the daily cap, the birthday greeting's local minute and the
 * account it goes from), the templates with the provider's codes, the
 * opt-out list (a customer's "TD"/"退订" or an operator's entry) and the
 * log of every SMS kefu sent, which counts the cap and keeps a birthday
 * greeting to once per customer per year (kind and key unique when sent).
 */
static const char m30[] =
	"CREATE TABLE sms_settings ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" daily_cap INTEGER NOT NULL DEFAULT 500 CHECK (daily_cap BETWEEN 0 AND 1000000),"
	" birthday_minute INTEGER NOT NULL DEFAULT 540 CHECK (birthday_minute BETWEEN 0 AND 1439),"
	" account_id INTEGER REFERENCES chan_account(id),"
	" updated_by INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO sms_settings(id) VALUES (1);"
	"CREATE TABLE sms_template ("
	" code TEXT PRIMARY KEY CHECK (code IN ('birthday', 'callback', 'progress')),"
	" provider_code TEXT NOT NULL DEFAULT '',"
	" text TEXT NOT NULL,"
	" enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
	" updated_by INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO sms_template(code, provider_code, text) VALUES"
	" ('birthday', 'SMS_BIRTHDAY', '尊敬的${name}，今天是您的生日，祝您生日快乐、万事如意！'),"
	" ('callback', 'SMS_CALLBACK', '您好，您的工单${order}已受理，我们将于${time}前回电，请保持电话畅通。'),"
	" ('progress', 'SMS_PROGRESS', '您好，您的工单${order}处理进展：${progress}。');"
	"CREATE TABLE sms_optout ("
	" phone TEXT PRIMARY KEY,"
	" source TEXT NOT NULL CHECK (source IN ('reply', 'manual')),"
	" by_id INTEGER REFERENCES person(id),"
	" at INTEGER NOT NULL);"
	"CREATE TABLE sms_sent ("
	" id INTEGER PRIMARY KEY,"
	" account_id INTEGER REFERENCES chan_account(id),"
	" phone TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('birthday', 'callback', 'progress', 'reply')),"
	" key TEXT,"
	" customer_id INTEGER REFERENCES customer(id),"
	" text TEXT NOT NULL DEFAULT '',"
	" status TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'skipped')),"
	" error TEXT,"
	" at INTEGER NOT NULL);"
	"CREATE INDEX sms_sent_at ON sms_sent(at);"
	"CREATE UNIQUE INDEX sms_sent_key ON sms_sent(kind, key) WHERE key IS NOT NULL AND status = 'sent';";

/*
 * 31: the web chat's visitors (issue 18, src/chan/chan_webchat*.c): a public id
 * (the conversation's peer) and the hash of the secret token the widget
 * keeps; which web chats became web messages because nobody was there or
 * nobody took them in time (CALL-12: due the same day), and when; and the index the visitors' streams use
 * to learn that a chat ended.
 */
static const char m31[] =
	"CREATE TABLE chat_visitor ("
	" id INTEGER PRIMARY KEY,"
	" account_id INTEGER NOT NULL REFERENCES chan_account(id),"
	" vid TEXT NOT NULL UNIQUE,"
	" token_hash TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL DEFAULT '',"
	" phone TEXT NOT NULL DEFAULT '',"
	" address TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" seen_at INTEGER NOT NULL);"
	"CREATE INDEX chat_visitor_account ON chat_visitor(account_id, created_at);"
	"CREATE TABLE chat_message_conv ("
	" conv_id INTEGER PRIMARY KEY REFERENCES conv(id),"
	" at INTEGER NOT NULL);"
	"CREATE INDEX chat_message_conv_at ON chat_message_conv(at);"
	"CREATE INDEX conv_resolved_web ON conv(resolved_at) WHERE channel = 'web_chat';";

/*
 * 32: (issue 18) attachments get a
 * third owner, a conversation's message (files a customer sent by email,
 * web chat or WeChat), and a customer's file has no uploader. SQLite
 * cannot change a CHECK, so the table is rebuilt with its ids.
 */
static const char m32[] =
	"CREATE TABLE attachment_new ("
	" id INTEGER PRIMARY KEY,"
	" order_id INTEGER REFERENCES work_order(id),"
	" contact_id INTEGER REFERENCES contact(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('photo', 'document', 'onsite_report')),"
	" filename TEXT NOT NULL,"
	" mime TEXT NOT NULL,"
	" size INTEGER NOT NULL CHECK (size > 0),"
	" sha256 TEXT NOT NULL,"
	" uploaded_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" message_id INTEGER REFERENCES conv_msg(id),"
	" CHECK ((order_id IS NOT NULL) + (contact_id IS NOT NULL) + (message_id IS NOT NULL) = 1),"
	" CHECK (uploaded_by IS NOT NULL OR message_id IS NOT NULL));"
	"INSERT INTO attachment_new(id, order_id, contact_id, kind, filename, mime, size, sha256,"
	" uploaded_by, created_at) SELECT id, order_id, contact_id, kind, filename, mime, size,"
	" sha256, uploaded_by, created_at FROM attachment;"
	"DROP TABLE attachment;"
	"ALTER TABLE attachment_new RENAME TO attachment;"
	"CREATE INDEX attachment_order ON attachment(order_id) WHERE order_id IS NOT NULL;"
	"CREATE INDEX attachment_contact ON attachment(contact_id) WHERE contact_id IS NOT NULL;"
	"CREATE INDEX attachment_message ON attachment(message_id) WHERE message_id IS NOT NULL;"
	"CREATE INDEX attachment_sha256 ON attachment(sha256);";

/*
 * Issue 19, the people ledger (PERF-1..5): every reward and penalty as a
 * line of money, unique by its cause, and the months the manager closed.
 */
static const char m33[] =
	"CREATE TABLE perf_month ("
	" month TEXT PRIMARY KEY,"
	" state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),"
	" closed_by INTEGER REFERENCES person(id),"
	" closed_at INTEGER);"
	"CREATE TABLE perf_ledger ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" month TEXT NOT NULL,"
	" rule TEXT NOT NULL CHECK (rule IN ('praise', 'proposal', 'rank', 'grievance', 'penalty')),"
	" category TEXT,"
	" amount_fen INTEGER NOT NULL,"
	" reason TEXT NOT NULL DEFAULT '',"
	" source TEXT,"
	" source_id INTEGER,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" voided_at INTEGER,"
	" voided_by INTEGER REFERENCES person(id),"
	" void_reason TEXT);"
	"CREATE UNIQUE INDEX perf_ledger_source ON perf_ledger(source, source_id)"
	" WHERE source IS NOT NULL;"
	"CREATE INDEX perf_ledger_month ON perf_ledger(month, person_id);"
	"CREATE INDEX perf_ledger_person ON perf_ledger(person_id, month);";

/*
 * 34: the outcome of the last copy of an email reply to the account's Sent
 * folder (IMAP APPEND; issue 18), kept beside the fetch state so the
 * accounts page shows it: a failed copy never blocks sending.
 */
static const char m34[] =
	"ALTER TABLE chan_mail_state ADD COLUMN sent_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE chan_mail_state ADD COLUMN sent_error TEXT NOT NULL DEFAULT '';";

/*
 * 35: (issue 18) an order made from a contact finds the conversation that
 * contact resolved (chan_conv_order_link, on every order with a contact).
 */
static const char m35[] =
	"CREATE INDEX conv_contact ON conv(contact_id) WHERE contact_id IS NOT NULL;";

/*
 * 36: (issue 18) what the channels do by themselves. WO-5's notices by SMS:
 * the order events each template is sent on (a comma-separated list, each
 * event on one template at most, kept so by the API), and the cursor over
 * wo_event with the one event being sent (claimed before the provider is
 * asked, so an event is never texted twice; see docs/chan.md), starting
 * after the events that exist now. WeChat's users: an openid's unionid
 * (one person across the center's accounts) and when it was looked up.
 * The media of WeChat and Weibo messages fetched off the webhook: one row
 * per message with its media id, tried again until it is kept or fails.
 * (Numbered 36 as reserved; it follows 32 in this branch's list.)
 */
static const char m36[] =
	"ALTER TABLE sms_template ADD COLUMN events TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE sms_settings ADD COLUMN notice_cursor INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sms_settings ADD COLUMN notice_claim INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE sms_settings ADD COLUMN notice_claim_at INTEGER NOT NULL DEFAULT 0;"
	"UPDATE sms_settings SET notice_cursor = (SELECT coalesce(max(id), 0) FROM wo_event);"
	"CREATE TABLE wx_user ("
	" account_id INTEGER NOT NULL REFERENCES chan_account(id),"
	" openid TEXT NOT NULL,"
	" unionid TEXT,"
	" tries INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL DEFAULT 0,"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (account_id, openid));"
	"CREATE INDEX wx_user_unionid ON wx_user(unionid) WHERE unionid IS NOT NULL;"
	"CREATE INDEX wx_user_due ON wx_user(next_at) WHERE unionid IS NULL;"
	"CREATE TABLE chan_media ("
	" id INTEGER PRIMARY KEY,"
	" message_id INTEGER NOT NULL UNIQUE REFERENCES conv_msg(id),"
	" account_id INTEGER NOT NULL REFERENCES chan_account(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('image', 'voice')),"
	" media_id TEXT NOT NULL,"
	" format TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),"
	" tries INTEGER NOT NULL DEFAULT 0,"
	" next_at INTEGER NOT NULL,"
	" error TEXT);"
	"CREATE INDEX chan_media_due ON chan_media(next_at) WHERE state = 'pending';";

/*
 * Issue 19, meetings, work logs and inspections (MTG-1, LED-1; src/mtg/):
 * the schedules the routine meetings come from (the center's settings, as
 * data), the meetings with their attendees, minutes and action items, each
 * agent's daily work log and monthly summary with the supervisor's
 * comments, and the supervisors' unannounced inspections with their
 * findings (a finding may propose a PERF-5 penalty by category key).
 */
static const char m37[] =
	"CREATE TABLE mtg_schedule ("
	" id INTEGER PRIMARY KEY,"
	" type TEXT NOT NULL CHECK (type IN ('daily', 'weekly_summary', 'monthly_summary',"
	" 'coordination', 'hygiene', 'training_review')),"
	" title TEXT NOT NULL,"
	" freq TEXT NOT NULL CHECK (freq IN ('daily', 'weekly', 'monthly')),"
	" weekday INTEGER NOT NULL DEFAULT 0 CHECK (weekday BETWEEN 0 AND 7),"
	" monthday INTEGER NOT NULL DEFAULT 0 CHECK (monthday BETWEEN 0 AND 28),"
	" minute INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),"
	" duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 480),"
	" location TEXT NOT NULL DEFAULT '',"
	" host_id INTEGER REFERENCES person(id),"
	" active INTEGER NOT NULL DEFAULT 1,"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO mtg_schedule(type, title, freq, weekday, monthday, minute, duration_min,"
	" location, active) VALUES"
	" ('daily', '每日例会', 'daily', 0, 0, 540, 30, '客服中心', 1),"
	" ('weekly_summary', '每周总结会', 'weekly', 1, 0, 960, 60, '客服中心', 1),"
	" ('monthly_summary', '每月总结会', 'monthly', 0, 3, 900, 90, '客服中心', 1),"
	" ('coordination', '每周协调会', 'weekly', 3, 0, 1020, 45, '客服中心', 0),"
	" ('hygiene', '卫生会议', 'weekly', 5, 0, 1050, 30, '客服中心', 0),"
	" ('training_review', '培训考核会议', 'monthly', 0, 25, 900, 60, '客服中心', 0);"
	"CREATE TABLE mtg_meeting ("
	" id INTEGER PRIMARY KEY,"
	" type TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" starts_at INTEGER NOT NULL,"
	" ends_at INTEGER NOT NULL,"
	" location TEXT NOT NULL DEFAULT '',"
	" agenda TEXT NOT NULL DEFAULT '',"
	" host_id INTEGER REFERENCES person(id),"
	" state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'held', 'cancelled')),"
	" minutes TEXT NOT NULL DEFAULT '',"
	" schedule_id INTEGER REFERENCES mtg_schedule(id),"
	" notified_at INTEGER,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX mtg_meeting_occurrence ON mtg_meeting(schedule_id, starts_at)"
	" WHERE schedule_id IS NOT NULL;"
	"CREATE INDEX mtg_meeting_starts ON mtg_meeting(starts_at);"
	"CREATE TABLE mtg_attendee ("
	" id INTEGER PRIMARY KEY,"
	" meeting_id INTEGER NOT NULL REFERENCES mtg_meeting(id),"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" status TEXT NOT NULL DEFAULT 'expected'"
	" CHECK (status IN ('expected', 'present', 'late', 'absent')),"
	" marked_at INTEGER,"
	" marked_by INTEGER REFERENCES person(id),"
	" UNIQUE (meeting_id, person_id));"
	"CREATE INDEX mtg_attendee_person ON mtg_attendee(person_id);"
	"CREATE INDEX mtg_attendee_marked ON mtg_attendee(marked_at) WHERE marked_at IS NOT NULL;"
	"CREATE TABLE mtg_action ("
	" id INTEGER PRIMARY KEY,"
	" meeting_id INTEGER NOT NULL REFERENCES mtg_meeting(id),"
	" title TEXT NOT NULL,"
	" owner_id INTEGER NOT NULL REFERENCES person(id),"
	" due_at INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),"
	" done_at INTEGER,"
	" done_by INTEGER REFERENCES person(id),"
	" note TEXT NOT NULL DEFAULT '',"
	" reminded_at INTEGER,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX mtg_action_meeting ON mtg_action(meeting_id);"
	"CREATE INDEX mtg_action_open ON mtg_action(due_at) WHERE state = 'open';"
	"CREATE TABLE mtg_log ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('day', 'month')),"
	" period TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" UNIQUE (person_id, kind, period));"
	"CREATE INDEX mtg_log_period ON mtg_log(kind, period);"
	"CREATE TABLE mtg_log_comment ("
	" id INTEGER PRIMARY KEY,"
	" log_id INTEGER NOT NULL REFERENCES mtg_log(id),"
	" author_id INTEGER NOT NULL REFERENCES person(id),"
	" body TEXT NOT NULL,"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX mtg_log_comment_log ON mtg_log_comment(log_id);"
	"CREATE TABLE mtg_inspection ("
	" id INTEGER PRIMARY KEY,"
	" inspector_id INTEGER NOT NULL REFERENCES person(id),"
	" at INTEGER NOT NULL,"
	" area TEXT NOT NULL DEFAULT '',"
	" notes TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX mtg_inspection_at ON mtg_inspection(at);"
	"CREATE TABLE mtg_finding ("
	" id INTEGER PRIMARY KEY,"
	" inspection_id INTEGER NOT NULL REFERENCES mtg_inspection(id),"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" item TEXT NOT NULL CHECK (item IN ('appearance', 'duty', 'service', 'hygiene', 'records')),"
	" note TEXT NOT NULL,"
	" category TEXT,"
	" recorded_at INTEGER NOT NULL);"
	"CREATE INDEX mtg_finding_inspection ON mtg_finding(inspection_id);"
	"CREATE INDEX mtg_finding_recorded ON mtg_finding(recorded_at) WHERE category IS NOT NULL;";

/*
 * 38: quality inspection's gaps (issue 15, src/qa/). qa_hit.missing: the hit
 * is words that should have been said and were not (a required phrase
 * absent), so it is shown as such and never as said words. The checker's
 * walk over the agents' summaries of contacts (kind summary): its cursor
 * (every contact up to summary_cursor is checked or had no text) and how
 * long after a contact ended its summary may still be written before it is
 * checked (summary_wait_min).
 */
static const char m38[] =
	"ALTER TABLE qa_hit ADD COLUMN missing INTEGER NOT NULL DEFAULT 0 CHECK (missing IN (0, 1));"
	"INSERT INTO qa_setting(key, value) VALUES ('summary_cursor', 0), ('summary_wait_min', 10);";

/*
 * 39: the month's evaluation (issue 19, PERF-1, PERF-3). Praise and
 * criticism of an agent (perf_praise: from a contact, a survey, a callback
 * or a supervisor, counted in the month of at; voided, never deleted); the
 * evaluation's settings as keys (weights, threshold, the tiers and
 * amounts, with PERF-1's and PERF-3's defaults); the month's evaluation, a
 * row per agent rewritten at each computation (figures and dimensions as
 * JSON); each computed reward a row of perf_reward whose id is its ledger
 * line's source_id (source "eval"), replaced rather than changed; and when
 * each month was last computed.
 */
static const char m39[] =
	"CREATE TABLE perf_praise ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('praise', 'criticism')),"
	" origin TEXT NOT NULL CHECK (origin IN ('contact', 'survey', 'callback', 'supervisor')),"
	" ref_id INTEGER,"
	" note TEXT NOT NULL DEFAULT '',"
	" at INTEGER NOT NULL,"
	" month TEXT NOT NULL,"
	" created_by INTEGER NOT NULL REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" voided_at INTEGER,"
	" voided_by INTEGER REFERENCES person(id));"
	"CREATE INDEX perf_praise_month ON perf_praise(month, person_id);"
	"CREATE TABLE perf_setting (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT INTO perf_setting(key, value) VALUES"
	" ('weight.praise', 15), ('weight.quality', 30), ('weight.satisfaction', 20),"
	" ('weight.attendance', 15), ('weight.efficiency', 10), ('weight.training', 10),"
	" ('threshold', 60), ('praise_count.0', 10), ('praise_count.1', 30),"
	" ('praise_count.2', 50), ('praise_fen.0', 1000), ('praise_fen.1', 3000),"
	" ('praise_fen.2', 5000), ('rank_fen.0', 10000), ('rank_fen.1', 5000),"
	" ('rank_fen.2', 3000), ('last_fen', -5000);"
	"CREATE TABLE perf_eval ("
	" month TEXT NOT NULL,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" figures TEXT NOT NULL,"
	" dims TEXT NOT NULL,"
	" total REAL NOT NULL,"
	" rank INTEGER NOT NULL,"
	" last INTEGER NOT NULL DEFAULT 0,"
	" computed_at INTEGER NOT NULL,"
	" PRIMARY KEY (month, person_id));"
	"CREATE TABLE perf_reward ("
	" id INTEGER PRIMARY KEY,"
	" month TEXT NOT NULL,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" rule TEXT NOT NULL CHECK (rule IN ('praise', 'rank')),"
	" category TEXT NOT NULL DEFAULT '',"
	" amount_fen INTEGER NOT NULL,"
	" computed_fen INTEGER NOT NULL,"
	" reason TEXT NOT NULL DEFAULT '',"
	" edited_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" replaced_at INTEGER);"
	"CREATE INDEX perf_reward_month ON perf_reward(month, person_id) WHERE replaced_at IS NULL;"
	"ALTER TABLE perf_month ADD COLUMN computed_at INTEGER;"
	"ALTER TABLE perf_month ADD COLUMN computed_by INTEGER REFERENCES person(id);";

/*
 * Issue 19, perf's cases (PERF-2, PERF-4, PERF-5; src/perf/perf_case*.c):
 * the penalty categories as data, penalties with their evidence and the
 * agent's answer, the automatic proposals from absences (unique by their
 * cause), repeat offences escalated to HR as proposals, proposals
 * (合理化建议) and the grievance award (委屈奖) through its steps, and the
 * settings and cursors of the workflows.
 */
static const char m40[] =
	"CREATE TABLE perf_case_settings ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" escalate_window_days INTEGER NOT NULL DEFAULT 90,"
	" warn_at INTEGER NOT NULL DEFAULT 2,"
	" persuade_at INTEGER NOT NULL DEFAULT 3,"
	" dismiss_at INTEGER NOT NULL DEFAULT 5,"
	" grievance_fen_1 INTEGER NOT NULL DEFAULT 50000,"
	" grievance_fen_2 INTEGER NOT NULL DEFAULT 30000,"
	" grievance_fen_3 INTEGER NOT NULL DEFAULT 20000,"
	" proposal_min_fen INTEGER NOT NULL DEFAULT 1000,"
	" proposal_max_fen INTEGER NOT NULL DEFAULT 10000,"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO perf_case_settings(id) VALUES (1);"
	"CREATE TABLE perf_case_cursor ("
	" source TEXT PRIMARY KEY,"
	" at INTEGER NOT NULL);"
	"CREATE TABLE perf_penalty_category ("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),"
	" entered INTEGER NOT NULL DEFAULT 0 CHECK (entered IN (0, 1)),"
	" active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	" sort INTEGER NOT NULL DEFAULT 0,"
	" updated_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO perf_penalty_category(code, name, amount_fen, entered, sort) VALUES"
	" ('games', '办公区域玩游戏或浏览与工作无关的网站', 500, 0, 10),"
	" ('unrelated', '上班时间看报刊、聊天或做与工作无关的事', 500, 0, 20),"
	" ('file_handling', '传递文件未用指定文件夹或未按规范填写', 500, 0, 30),"
	" ('outsider', '将外来人员带入办公区域', 500, 0, 40),"
	" ('uncivil', '违反文明办公规范（摔鼠标、砸键盘等）', 500, 0, 50),"
	" ('no_reply', '电话无回复或服务态度导致订单未成交', 1000, 0, 60),"
	" ('handover', '工作失误或交接不清导致恶意评价', 1000, 0, 70),"
	" ('late_meeting', '培训或会议迟到', 1000, 0, 80),"
	" ('absent_meeting', '培训或会议无故缺席', 3000, 0, 90),"
	" ('complaint', '服务态度问题造成客户投诉成立', 5000, 0, 100),"
	" ('wrong_note', '备注错误导致订单错误造成损失（按损失金额）', 0, 1, 110),"
	" ('late_shift', '上班迟到', 1000, 0, 120),"
	" ('absent_shift', '旷工', 3000, 0, 130);"
	"CREATE TABLE perf_penalty ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" category_id INTEGER NOT NULL REFERENCES perf_penalty_category(id),"
	" amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),"
	" occurred_at INTEGER NOT NULL,"
	" evidence TEXT NOT NULL DEFAULT '',"
	" ref_kind TEXT CHECK (ref_kind IN ('call', 'contact', 'order')),"
	" ref_id INTEGER,"
	" state TEXT NOT NULL CHECK (state IN ('proposed', 'dismissed', 'open', 'acknowledged',"
	"  'objected', 'confirmed', 'cancelled')),"
	" source TEXT,"
	" source_id INTEGER,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" recorded_by INTEGER REFERENCES person(id),"
	" recorded_at INTEGER,"
	" answer TEXT NOT NULL DEFAULT '',"
	" answered_at INTEGER,"
	" decided_by INTEGER REFERENCES person(id),"
	" decided_at INTEGER,"
	" decision_note TEXT NOT NULL DEFAULT '');"
	"CREATE UNIQUE INDEX perf_penalty_source ON perf_penalty(source, source_id)"
	" WHERE source IS NOT NULL;"
	"CREATE INDEX perf_penalty_person ON perf_penalty(person_id, category_id, occurred_at);"
	"CREATE INDEX perf_penalty_state ON perf_penalty(state, id);"
	"CREATE TABLE perf_escalation ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" category_id INTEGER NOT NULL REFERENCES perf_penalty_category(id),"
	" penalty_id INTEGER NOT NULL UNIQUE REFERENCES perf_penalty(id),"
	" level TEXT NOT NULL CHECK (level IN ('warning', 'persuade', 'dismiss')),"
	" offences INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'proposed' CHECK (state IN ('proposed', 'accepted',"
	"  'rejected')),"
	" created_at INTEGER NOT NULL,"
	" decided_by INTEGER REFERENCES person(id),"
	" decided_at INTEGER,"
	" decision_note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX perf_escalation_state ON perf_escalation(state, id);"
	"CREATE TABLE perf_proposal ("
	" id INTEGER PRIMARY KEY,"
	" author_id INTEGER NOT NULL REFERENCES person(id),"
	" title TEXT NOT NULL,"
	" content TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('submitted', 'reviewed', 'adopted', 'paid',"
	"  'rejected')),"
	" amount_fen INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" reviewed_by INTEGER REFERENCES person(id),"
	" reviewed_at INTEGER,"
	" review_note TEXT NOT NULL DEFAULT '',"
	" adopted_by INTEGER REFERENCES person(id),"
	" adopted_at INTEGER,"
	" paid_by INTEGER REFERENCES person(id),"
	" paid_at INTEGER,"
	" rejected_by INTEGER REFERENCES person(id),"
	" rejected_at INTEGER,"
	" reject_note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX perf_proposal_author ON perf_proposal(author_id, id);"
	"CREATE TABLE perf_grievance ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" occurred_at INTEGER NOT NULL,"
	" summary TEXT NOT NULL,"
	" evidence TEXT NOT NULL DEFAULT '',"
	" ref_kind TEXT NOT NULL CHECK (ref_kind IN ('call', 'contact')),"
	" ref_id INTEGER NOT NULL,"
	" witness1_id INTEGER NOT NULL REFERENCES person(id),"
	" witness2_id INTEGER NOT NULL REFERENCES person(id),"
	" state TEXT NOT NULL CHECK (state IN ('submitted', 'reviewed', 'verified', 'decided',"
	"  'announced', 'rejected')),"
	" submitted_by INTEGER NOT NULL REFERENCES person(id),"
	" submitted_at INTEGER NOT NULL,"
	" reviewed_by INTEGER REFERENCES person(id),"
	" reviewed_at INTEGER,"
	" review_note TEXT NOT NULL DEFAULT '',"
	" verified_by INTEGER REFERENCES person(id),"
	" verified_at INTEGER,"
	" verify_method TEXT CHECK (verify_method IN ('interview', 'recording')),"
	" verify_note TEXT NOT NULL DEFAULT '',"
	" decided_by INTEGER REFERENCES person(id),"
	" decided_at INTEGER,"
	" level INTEGER NOT NULL DEFAULT 0,"
	" amount_fen INTEGER NOT NULL DEFAULT 0,"
	" decide_note TEXT NOT NULL DEFAULT '',"
	" announced_by INTEGER REFERENCES person(id),"
	" announced_at INTEGER,"
	" rejected_by INTEGER REFERENCES person(id),"
	" rejected_at INTEGER,"
	" rejected_step TEXT,"
	" reject_note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX perf_grievance_person ON perf_grievance(person_id, id);";

/*
 * 41: (issue 19) training and exams (TRN-1..3, ORG-4): courses with the
 * pre-job programme of seed 000 §岗前培训 seeded (TRN-1), their materials
 * in the knowledge base, monthly plans (培训计划表) and their reminders,
 * sessions and attendance with the time each was marked, the question
 * bank, papers, exams with their answers, practicals scored by a panel,
 * the pass marks, and the manager's confirmations.
 */
static const char m41[] =
	"CREATE TABLE trn_course ("
	" id INTEGER PRIMARY KEY,"
	" title TEXT NOT NULL,"
	" trainer TEXT NOT NULL DEFAULT '',"
	" dept TEXT NOT NULL DEFAULT '',"
	" pre_job INTEGER NOT NULL DEFAULT 0,"
	" day INTEGER NOT NULL DEFAULT 0,"
	" hours INTEGER NOT NULL DEFAULT 2,"
	" active INTEGER NOT NULL DEFAULT 1,"
	" created_at INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO trn_course(title, trainer, dept, pre_job, day) VALUES"
	" ('组织架构及职能', '培训师', '市场运营部', 1, 1),"
	" ('运营战略', '培训师', '市场运营部', 1, 1),"
	" ('APP客户端专题技术培训', '培训师', '市场运营部', 1, 1),"
	" ('招商政策', '培训师', '市场运营部', 1, 2),"
	" ('电话礼仪', '客服主管/客服经理', '客服中心', 1, 2),"
	" ('职业发声及嗓音保护', '客服主管/客服经理', '客服中心', 1, 2),"
	" ('投诉处理技巧', '客服主管/客服经理', '客服中心', 1, 2),"
	" ('压力管理', '客服主管/客服经理', '客服中心', 1, 3),"
	" ('沟通中的障碍', '客服主管/客服经理', '客服中心', 1, 3),"
	" ('实操演习', '客服主管/客服经理', '客服中心', 1, 3);"
	"CREATE TABLE trn_material ("
	" course_id INTEGER NOT NULL REFERENCES trn_course(id),"
	" article_id INTEGER NOT NULL REFERENCES kb_article(id),"
	" added_by INTEGER REFERENCES person(id),"
	" added_at INTEGER NOT NULL,"
	" PRIMARY KEY (course_id, article_id));"
	"CREATE TABLE trn_plan ("
	" month TEXT PRIMARY KEY,"
	" notes TEXT NOT NULL DEFAULT '',"
	" submitted_by INTEGER REFERENCES person(id),"
	" submitted_at INTEGER,"
	" updated_by INTEGER REFERENCES person(id),"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE trn_plan_item ("
	" id INTEGER PRIMARY KEY,"
	" month TEXT NOT NULL REFERENCES trn_plan(month),"
	" day TEXT NOT NULL,"
	" course_id INTEGER NOT NULL REFERENCES trn_course(id),"
	" trainer_id INTEGER REFERENCES person(id),"
	" hours INTEGER NOT NULL,"
	" audience TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX trn_plan_item_month ON trn_plan_item(month, day);"
	"CREATE TABLE trn_plan_notice ("
	" month TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('due', 'late')),"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (month, kind));"
	"CREATE TABLE trn_session ("
	" id INTEGER PRIMARY KEY,"
	" course_id INTEGER NOT NULL REFERENCES trn_course(id),"
	" title TEXT NOT NULL,"
	" trainer_id INTEGER NOT NULL REFERENCES person(id),"
	" starts_at INTEGER NOT NULL,"
	" ends_at INTEGER NOT NULL,"
	" place TEXT NOT NULL DEFAULT '',"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX trn_session_starts ON trn_session(starts_at);"
	"CREATE TABLE trn_attendance ("
	" id INTEGER PRIMARY KEY,"
	" session_id INTEGER NOT NULL REFERENCES trn_session(id),"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" status TEXT NOT NULL DEFAULT 'expected'"
	"  CHECK (status IN ('expected', 'present', 'late', 'absent')),"
	" marked_at INTEGER,"
	" marked_by INTEGER REFERENCES person(id),"
	" UNIQUE (session_id, person_id));"
	"CREATE INDEX trn_attendance_marked ON trn_attendance(marked_at)"
	" WHERE status IN ('late', 'absent');"
	"CREATE INDEX trn_attendance_person ON trn_attendance(person_id);"
	"CREATE TABLE trn_question ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'truefalse', 'fill', 'short')),"
	" category TEXT NOT NULL DEFAULT '',"
	" stem TEXT NOT NULL,"
	" options TEXT NOT NULL DEFAULT '[]',"
	" answer TEXT NOT NULL DEFAULT '',"
	" points INTEGER NOT NULL CHECK (points > 0),"
	" active INTEGER NOT NULL DEFAULT 1,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX trn_question_kind ON trn_question(kind, category) WHERE active = 1;"
	"CREATE TABLE trn_paper ("
	" id INTEGER PRIMARY KEY,"
	" title TEXT NOT NULL,"
	" rules TEXT NOT NULL,"
	" seed INTEGER NOT NULL,"
	" duration_min INTEGER NOT NULL CHECK (duration_min > 0),"
	" total INTEGER NOT NULL,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE trn_paper_question ("
	" paper_id INTEGER NOT NULL REFERENCES trn_paper(id),"
	" position INTEGER NOT NULL,"
	" question_id INTEGER NOT NULL REFERENCES trn_question(id),"
	" points INTEGER NOT NULL,"
	" PRIMARY KEY (paper_id, position));"
	"CREATE TABLE trn_exam ("
	" id INTEGER PRIMARY KEY,"
	" paper_id INTEGER NOT NULL REFERENCES trn_paper(id),"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" trainer_id INTEGER NOT NULL REFERENCES person(id),"
	" state TEXT NOT NULL DEFAULT 'assigned'"
	"  CHECK (state IN ('assigned', 'started', 'submitted', 'marked')),"
	" started_at INTEGER,"
	" deadline_at INTEGER,"
	" submitted_at INTEGER,"
	" auto_submitted INTEGER NOT NULL DEFAULT 0,"
	" marked_at INTEGER,"
	" marked_by INTEGER REFERENCES person(id),"
	" points INTEGER,"
	" score REAL,"
	" created_by INTEGER REFERENCES person(id),"
	" created_at INTEGER NOT NULL);"
	"CREATE INDEX trn_exam_person ON trn_exam(person_id, state);"
	"CREATE INDEX trn_exam_deadline ON trn_exam(deadline_at) WHERE state = 'started';"
	"CREATE INDEX trn_exam_marked ON trn_exam(marked_at) WHERE state = 'marked';"
	"CREATE TABLE trn_answer ("
	" exam_id INTEGER NOT NULL REFERENCES trn_exam(id),"
	" position INTEGER NOT NULL,"
	" answer TEXT NOT NULL,"
	" saved_at INTEGER NOT NULL,"
	" points INTEGER,"
	" marked_by INTEGER REFERENCES person(id),"
	" PRIMARY KEY (exam_id, position));"
	"CREATE TABLE trn_practical ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" host_id INTEGER NOT NULL REFERENCES person(id),"
	" state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),"
	" score REAL,"
	" created_at INTEGER NOT NULL,"
	" closed_at INTEGER);"
	"CREATE TABLE trn_panel ("
	" practical_id INTEGER NOT NULL REFERENCES trn_practical(id),"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" voice INTEGER, tone INTEGER, speed INTEGER, fluency INTEGER, reactions INTEGER,"
	" total INTEGER,"
	" scored_at INTEGER,"
	" PRIMARY KEY (practical_id, person_id));"
	"CREATE TABLE trn_settings ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" written_pass INTEGER NOT NULL DEFAULT 60,"
	" practical_pass INTEGER NOT NULL DEFAULT 60);"
	"INSERT INTO trn_settings(id) VALUES (1);"
	"CREATE TABLE trn_cert ("
	" id INTEGER PRIMARY KEY,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" exam_id INTEGER NOT NULL REFERENCES trn_exam(id),"
	" practical_id INTEGER NOT NULL REFERENCES trn_practical(id),"
	" confirmed_by INTEGER NOT NULL REFERENCES person(id),"
	" confirmed_at INTEGER NOT NULL);";

/*
 * 42: the summaries of closed days (issue 20, report/report_sum_store.c):
 * per kind of report, the last day its summary table covers and the
 * cursor of its change feed; and the closed days marked to be rebuilt.
 */
static const char m42[] =
	"CREATE TABLE report_built ("
	" kind TEXT PRIMARY KEY,"
	" through_ymd INTEGER NOT NULL,"
	" cursor INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE report_dirty ("
	" kind TEXT NOT NULL,"
	" ymd INTEGER NOT NULL,"
	" PRIMARY KEY (kind, ymd)) WITHOUT ROWID;";

/*
 * Migration 43: the summary of the work-order report (issue 20, report
 * kind "wo", src/report/report_wo_store.c): per closed day of the center,
 * what report_daily_load computes for it, but for "running" (clocks
 * started that day still open now, read from the open clocks' index
 * below). One row per day, department (0: none) and class of order; the
 * SLA figures are five metrics (WO-2: callback, onsite, report, resolve,
 * reply) by started, met on time, met late, breached; the centre's
 * callbacks by CB-2 outcome. Levels, ratings and calls out as the day's
 * report has them.
 */
#define RWO_SLA(m) " " m "_started INTEGER NOT NULL, " m "_on_time INTEGER NOT NULL, " m "_late INTEGER NOT NULL, " m "_breached INTEGER NOT NULL,"
static const char m43[] =
	"CREATE TABLE report_wo_cell ("
	" ymd INTEGER NOT NULL,"
	" department_id INTEGER NOT NULL,"
	" class TEXT NOT NULL,"
	" opened INTEGER NOT NULL, archived INTEGER NOT NULL,"
	" cancelled INTEGER NOT NULL, escalated INTEGER NOT NULL,"
	RWO_SLA("callback") RWO_SLA("onsite") RWO_SLA("report") RWO_SLA("resolve") RWO_SLA("reply")
	" callback_ms INTEGER NOT NULL,"
	" cb_accepted INTEGER NOT NULL, cb_not_accepted INTEGER NOT NULL,"
	" cb_unreachable INTEGER NOT NULL, cb_new_need INTEGER NOT NULL,"
	" PRIMARY KEY (ymd, department_id, class)) WITHOUT ROWID;"
	"CREATE TABLE report_wo_level ("
	" ymd INTEGER NOT NULL, department_id INTEGER NOT NULL, class TEXT NOT NULL,"
	" level TEXT NOT NULL, opened INTEGER NOT NULL,"
	" PRIMARY KEY (ymd, department_id, class, level)) WITHOUT ROWID;"
	"CREATE TABLE report_wo_rating ("
	" ymd INTEGER NOT NULL, department_id INTEGER NOT NULL,"
	" rated INTEGER NOT NULL, total INTEGER NOT NULL,"
	" PRIMARY KEY (ymd, department_id)) WITHOUT ROWID;"
	"CREATE TABLE report_wo_calls_out ("
	" ymd INTEGER NOT NULL, department_id INTEGER NOT NULL,"
	" attempts INTEGER NOT NULL, answered INTEGER NOT NULL, talk_ms INTEGER NOT NULL,"
	" PRIMARY KEY (ymd, department_id)) WITHOUT ROWID;"
	"CREATE INDEX wo_sla_open ON wo_sla(started_at) WHERE state IN ('running', 'paused');";
#undef RWO_SLA

/*
 * 44: scheduled reports (issue 20, report/report_sched_store.c): a
 * schedule (a registered form, cadence, time of day, department, emails)
 * and its recipients; each delivered file, unique by (schedule, first day)
 * so a period is made once, with its bytes (dropped after the retention
 * days) and the people it went to.
 */
static const char m44[] =
	"CREATE TABLE report_schedule ("
	" id INTEGER PRIMARY KEY,"
	" form TEXT NOT NULL,"
	" cadence TEXT NOT NULL CHECK (cadence IN ('daily', 'weekly', 'monthly')),"
	" at_minute INTEGER NOT NULL CHECK (at_minute BETWEEN 0 AND 1439),"
	" department_id INTEGER REFERENCES department(id),"
	" emails TEXT NOT NULL DEFAULT '',"
	" enabled INTEGER NOT NULL DEFAULT 1,"
	" created_by INTEGER NOT NULL REFERENCES person(id),"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE report_schedule_person ("
	" schedule_id INTEGER NOT NULL REFERENCES report_schedule(id) ON DELETE CASCADE,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" PRIMARY KEY (schedule_id, person_id)) WITHOUT ROWID;"
	"CREATE TABLE report_file ("
	" id INTEGER PRIMARY KEY,"
	" schedule_id INTEGER REFERENCES report_schedule(id) ON DELETE SET NULL,"
	" form TEXT NOT NULL,"
	" from_ymd INTEGER NOT NULL,"
	" to_ymd INTEGER NOT NULL,"
	" name TEXT NOT NULL,"
	" made_at INTEGER NOT NULL,"
	" error TEXT,"
	" bytes BLOB,"
	" size INTEGER NOT NULL DEFAULT 0,"
	" emailed_at INTEGER,"
	" email_error TEXT,"
	" UNIQUE (schedule_id, from_ymd));"
	"CREATE INDEX report_file_made ON report_file(made_at);"
	"CREATE TABLE report_file_person ("
	" file_id INTEGER NOT NULL REFERENCES report_file(id) ON DELETE CASCADE,"
	" person_id INTEGER NOT NULL REFERENCES person(id),"
	" PRIMARY KEY (file_id, person_id)) WITHOUT ROWID;";

/*
 * 45: the summary of the hotline's calls (issue 20, report/report_call_store.c;
 * report.h, "Calls", tells every figure): one row per closed day, local
 * hour of the call's start and queue ('' for calls that never reached
 * one, and for the calls out and callback requests, which have no queue
 * of their own here), each column an additive figure but wait_max_ms.
 * report_call_state keeps the service-level threshold the summary was
 * built with (the summary is rebuilt when the setting changes) and the
 * cursor over done callback requests. acd_callback gets indexes on when
 * a request was made and when it was handled, for the day's figures and
 * the change feed.
 */
static const char m45[] =
	"CREATE TABLE report_call_hour ("
	" ymd INTEGER NOT NULL,"
	" hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),"
	" queue TEXT NOT NULL,"
	" inbound INTEGER NOT NULL DEFAULT 0,"
	" ivr INTEGER NOT NULL DEFAULT 0,"
	" closed INTEGER NOT NULL DEFAULT 0,"
	" queued INTEGER NOT NULL DEFAULT 0,"
	" answered INTEGER NOT NULL DEFAULT 0,"
	" answered_sl INTEGER NOT NULL DEFAULT 0,"
	" waiting INTEGER NOT NULL DEFAULT 0,"
	" abandoned_short INTEGER NOT NULL DEFAULT 0,"
	" abandoned_queue INTEGER NOT NULL DEFAULT 0,"
	" abandoned_ringing INTEGER NOT NULL DEFAULT 0,"
	" callback INTEGER NOT NULL DEFAULT 0,"
	" wait_ms INTEGER NOT NULL DEFAULT 0,"
	" wait_max_ms INTEGER NOT NULL DEFAULT 0,"
	" talk_ms INTEGER NOT NULL DEFAULT 0,"
	" out_attempts INTEGER NOT NULL DEFAULT 0,"
	" out_answered INTEGER NOT NULL DEFAULT 0,"
	" out_talk_ms INTEGER NOT NULL DEFAULT 0,"
	" cb_requested INTEGER NOT NULL DEFAULT 0,"
	" cb_done INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (ymd, hour, queue)) WITHOUT ROWID;"
	"CREATE TABLE report_call_state ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" sl_sec INTEGER NOT NULL DEFAULT 20 CHECK (sl_sec BETWEEN 1 AND 600),"
	" cb_cursor INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO report_call_state(id) VALUES (1);"
	"CREATE INDEX acd_callback_requested ON acd_callback(requested_at);"
	"CREATE INDEX acd_callback_handled ON acd_callback(handled_at) WHERE handled_at IS NOT NULL;";

/*
 * 46: complaint statistics and the daily callback report (issue 20, RPT-2,
 * CB-3, src/report/report_complaint*.c, report_callback*.c). work_order.region:
 * where the matter happened, as the center names it (a province and city,
 * "广东省深圳市", or a city alone; free text of at most 32 characters, NULL
 * when unknown), set when the order is opened, from the request or else from
 * the customer's latest order. report_complaint_day: the summary of closed
 * days of complaint orders opened per day, complaint type, level,
 * department, merchant (the last third party of kind merchant the order was
 * referred to, 0 none) and region ('' none), with how many of them are
 * archived now and how many met their resolve clock on time. The callback
 * attempts are read by time for CB-3, so they get an index on at.
 */
static const char m46[] =
	"ALTER TABLE work_order ADD COLUMN region TEXT;"
	"CREATE TABLE report_complaint_day ("
	" ymd INTEGER NOT NULL,"
	" complaint TEXT NOT NULL,"
	" level TEXT NOT NULL,"
	" department_id INTEGER NOT NULL,"
	" merchant_id INTEGER NOT NULL,"
	" region TEXT NOT NULL,"
	" opened INTEGER NOT NULL,"
	" closed INTEGER NOT NULL,"
	" on_time INTEGER NOT NULL);"
	"CREATE INDEX report_complaint_day_ymd ON report_complaint_day(ymd);"
	"CREATE INDEX wo_callback_attempt_at ON wo_callback_attempt(at);";

/*
 * 47: the agents' work statistics (issue 20, report/report_agent_store.c):
 * the summary kind "agents", one row per closed day of the center and
 * agent (report.h tells each figure; durations in ms), the same summed per
 * month (ymd the month's first day, kept with each day's build, so a year
 * reads 12 rows an agent), and the ids its change feed has read of the
 * status log, the calls' events and contacts.
 */
static const char m47[] =
	"CREATE TABLE report_agent_day ("
	" ymd INTEGER NOT NULL,"
	" agent_id INTEGER NOT NULL,"
	" calls_in INTEGER NOT NULL DEFAULT 0,"
	" talk_ms INTEGER NOT NULL DEFAULT 0,"
	" hold_ms INTEGER NOT NULL DEFAULT 0,"
	" out_attempts INTEGER NOT NULL DEFAULT 0,"
	" out_answered INTEGER NOT NULL DEFAULT 0,"
	" out_talk_ms INTEGER NOT NULL DEFAULT 0,"
	" ready_ms INTEGER NOT NULL DEFAULT 0,"
	" away_ms INTEGER NOT NULL DEFAULT 0,"
	" break_ms INTEGER NOT NULL DEFAULT 0,"
	" call_ms INTEGER NOT NULL DEFAULT 0,"
	" wrap_ms INTEGER NOT NULL DEFAULT 0,"
	" c_phone INTEGER NOT NULL DEFAULT 0,"
	" c_wechat INTEGER NOT NULL DEFAULT 0,"
	" c_weibo INTEGER NOT NULL DEFAULT 0,"
	" c_web_chat INTEGER NOT NULL DEFAULT 0,"
	" c_email INTEGER NOT NULL DEFAULT 0,"
	" c_sms INTEGER NOT NULL DEFAULT 0,"
	" c_visit INTEGER NOT NULL DEFAULT 0,"
	" orders INTEGER NOT NULL DEFAULT 0,"
	" callbacks INTEGER NOT NULL DEFAULT 0,"
	" rated INTEGER NOT NULL DEFAULT 0,"
	" rating_sum INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (ymd, agent_id)) WITHOUT ROWID;"
	"CREATE TABLE report_agent_month AS SELECT * FROM report_agent_day WHERE 0;"
	"CREATE UNIQUE INDEX report_agent_month_key ON report_agent_month(ymd, agent_id);"
	"CREATE TABLE report_agent_feed ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" log_id INTEGER NOT NULL,"
	" event_id INTEGER NOT NULL,"
	" contact_id INTEGER NOT NULL);";

const char *const store_migrations[] = {m1, m2, m3, m4, m5, m6, m7, m8, m9, m10,
					   m11, m12, m13, m14, m15, m16, m17, m18, m19, m20,
					   m21, m22, m23, m24, m25, m26, m27, m28, m29, m30,
					   m31, m32, m33, m34, m35, m36, m37, m38, m39, m40,
					   m41, m42, m43, m44, m45, m46, m47};
const int store_migrations_count = sizeof(store_migrations) / sizeof(store_migrations[0]);
