/*
 * err_msg — the message catalogue: every English err_set template and its
 * zh-CN form, the language the workbench speaks by default.
 *
 * Call sites keep writing English templates; err_set looks the template up
 * here and formats both. A zh-CN template has the same conversion
 * specifiers in the same order as its English one, so both take the same
 * arguments (tests/core/test_err_msg.c checks every err_set and err_add in
 * src/ has an entry and that the specifiers agree). Words passed as %s
 * arguments (field names, states, a reason a rule gave) are translated
 * from the phrase list. Rule IDs stay out of the Chinese text: it is read
 * by agents, not by the people who wrote the rules.
 */
#include "core/err.h"

#include <string.h>
#include <strings.h>

struct err_msg {
	const char *en;
	const char *field; /* NULL: any field */
	const char *zh;
};

static const struct err_msg messages[] = {
	{"%s", NULL, "%s"},
	{"%s with %u bits per sample; use 16-bit PCM, A-law or µ-law", NULL, "%s 的采样位数为 %u 位；请使用 16 位 PCM、A 律或 µ 律"},
	{"%s: %d to %d characters", NULL, "%s：%d 至 %d 个字符"},
	{"%s: %lld to %lld", NULL, "%s：%lld 至 %lld"},
	{"%s: %s", NULL, "%s：%s"},
	{"%s: %s%d to %d", NULL, "%s：%s%d 至 %d"},
	{"%s: a date YYYY-MM-DD", NULL, "%s：日期格式为 YYYY-MM-DD"},
	{"%s: a date as YYYY-MM-DD", NULL, "%s：日期格式为 YYYY-MM-DD"},
	{"%s: a digit 0-9", NULL, "%s：一位数字 0-9"},
	{"%s: a time HH:MM, 00:00-24:00", NULL, "%s：时间格式为 HH:MM，00:00-24:00"},
	{"%s: at most %d characters", NULL, "%s：最多 %d 个字符"},
	{"%s: at most %zu", NULL, "%s：最多 %zu 项"},
	{"%s: at most %zu characters", NULL, "%s：最多 %zu 个字符"},
	{"%s: expected a string", NULL, "%s：应为文本"},
	{"%s: expected a string or null", NULL, "%s：应为文本或 null"},
	{"%s: expected a string%s", NULL, "%s：应为文本%s"},
	{"%s: expected a whole number", NULL, "%s：应为整数"},
	{"%s: expected a whole number from %lld to %lld", NULL, "%s：应为 %lld 至 %lld 的整数"},
	{"%s: expected a whole number or null", NULL, "%s：应为整数或 null"},
	{"%s: expected a whole number%s", NULL, "%s：应为整数%s"},
	{"%s: expected an array", NULL, "%s：应为列表"},
	{"%s: expected an id or null", NULL, "%s：应为编号或 null"},
	{"%s: expected an object", NULL, "%s：应为对象"},
	{"%s: expected true or false", NULL, "%s：应为 true 或 false"},
	{"%s: no control characters%s", NULL, "%s：不能包含控制字符%s"},
	{"%s: not a date of the calendar", NULL, "%s：日历上没有这一天"},
	{"%s: not valid UTF-8", NULL, "%s：不是有效的 UTF-8 文本"},
	{"%s: not valid text", NULL, "%s：不是有效的文本"},
	{"%s: null (no such deadline) or 1 to %d minutes", NULL, "%s：null（不设时限）或 1 至 %d 分钟"},
	{"%s: only a sub-menu (action menu) has choices", NULL, "%s：只有子菜单（action 为 menu）才有选项"},
	{"%s: out of range", NULL, "%s：超出范围"},
	{"%s: queue, menu or announce_hangup", NULL, "%s：应为 queue、menu 或 announce_hangup"},
	{"%s: required", NULL, "%s：必填"},
	{"%s: required", "password", "请输入%s"},
	{"%s: required (YYYY-MM-DD)", NULL, "%s：必填（YYYY-MM-DD）"},
	{"%s: the menu is at most %d levels deep", NULL, "%s：菜单最多 %d 层"},
	{"%s: too long", NULL, "%s：太长"},
	{"%s: unknown field", NULL, "%s：未知字段"},
	{"%s: unknown field %.40s", NULL, "%s：未知字段 %.40s"},
	{"%s: unknown setting", NULL, "%s：未知设置"},
	{"%u channels, not %s", NULL, "%u 个声道，而不是%s"},
	{"%u valid bits in %u-bit samples are not supported", NULL, "不支持 %u 位有效位、%u 位采样的格式"},
	{"Content-Length and Transfer-Encoding together", NULL, "Content-Length 与 Transfer-Encoding 不能同时出现"},
	{"Last-Event-ID: an event id this server sent", NULL, "Last-Event-ID：应为本服务器发出的事件编号"},
	{"a chunk runs past the end of the file", NULL, "有一个数据块超出了文件末尾"},
	{"a customer needs a name, a surname or a way to reach them", NULL, "客户至少需要姓名、姓氏或一种联系方式"},
	{"a department cannot be its own parent", NULL, "部门不能是自己的上级部门"},
	{"a department route needs department_kind or department_id", NULL, "部门路由需要指定部门类型或部门"},
	{"a department with this name exists", NULL, "已有同名部门"},
	{"a person cannot be their own superior", NULL, "人员不能是自己的上级"},
	{"a person needs at least one role", NULL, "人员至少需要一个角色"},
	{"a second complaint names the person complained about", NULL, "第二次投诉需要指明被投诉人"},
	{"a work number cannot change", NULL, "工号不能修改"},
	{"active: true or false", NULL, "active：应为 true 或 false"},
	{"advance_ms: expected a whole number >= 0", NULL, "advance_ms：应为不小于 0 的整数"},
	{"always_open: required", NULL, "always_open：必填"},
	{"announce_sec: 0 to %d", NULL, "announce_sec：0 至 %d"},
	{"another agent must make this callback (CB-2)", NULL, "这次回访须由另一位坐席进行"},
	{"birthday: MM-DD or YYYY-MM-DD, a real date in the past", NULL, "生日：MM-DD 或 YYYY-MM-DD，须是过去的真实日期"},
	{"cannot %s an order that is %s", NULL, "不能%s状态为“%s”的工单"},
	{"change your initial password first", NULL, "请先修改初始密码"},
	{"channel: phone, wechat, weibo, web_chat, email, sms or visit", NULL, "渠道：应为 phone、wechat、weibo、web_chat、email、sms 或 visit"},
	{"class %s already has a route for this on-site case", NULL, "%s 类已有适用于这种上门情形的路由"},
	{"class %s would have no route when on-site is %s (ROUTE-2)", NULL, "%s 类在%s时将没有路由"},
	{"class: no such class", NULL, "分类：没有这个分类"},
	{"class: one of A, B, C, D, E, F", NULL, "分类：应为 A、B、C、D、E、F 之一"},
	{"class: required", NULL, "分类：必填"},
	{"class: required (or a complaint type)", NULL, "分类：必填（或选择投诉类型）"},
	{"closed_days: at most %d", NULL, "休息日：最多 %d 天"},
	{"closed_prompt: no prompt %s", NULL, "closed_prompt：没有提示音 %s"},
	{"code: 1 to %d of a-z, 0-9 and '_'", NULL, "编码：1 至 %d 个 a-z、0-9 或 '_'"},
	{"code: a %s's code never changes (orders refer to it)", NULL, "编码：%s的编码不能修改（工单引用它）"},
	{"code: a queue's code never changes", NULL, "编码：队列的编码不能修改"},
	{"complaint code already in use", NULL, "投诉编码已被使用"},
	{"contact_id: required", NULL, "contact_id：必填"},
	{"cursor: not one this server gave", NULL, "cursor：不是本服务器给出的游标"},
	{"customer %lld was merged into customer %lld: merge into that one", NULL, "客户 %lld 已合并到客户 %lld：请合并到那一个"},
	{"customer_id: a contact keeps the customer it is attached to", NULL, "客户：联络记录的客户不能更换"},
	{"customer_id: expected an id", NULL, "客户：应为编号"},
	{"customer_id: required", NULL, "客户：必填"},
	{"database unavailable", NULL, "数据库不可用"},
	{"day: not a date of the calendar", NULL, "日期：日历上没有这一天"},
	{"department %lld is not of kind %s", NULL, "部门 %lld 不是“%s”类型"},
	{"department staff need a department", NULL, "部门人员需要所属部门"},
	{"department_id: no such department", NULL, "部门：没有这个部门"},
	{"describe the new need as a follow-up order", NULL, "请把新的诉求建为后续工单"},
	{"direction: in or out", NULL, "方向：应为 in 或 out"},
	{"due: true or false", NULL, "due：应为 true 或 false"},
	{"email: not an email address", NULL, "邮箱：不是有效的邮箱地址"},
	{"ended_at: after started_at and not in the future", NULL, "结束时间：须晚于开始时间，且不能在将来"},
	{"escalate_min: 1 to %d minutes", NULL, "升级时限：1 至 %d 分钟"},
	{"fivew.%s: expected a string", NULL, "5W1H.%s：应为文本"},
	{"fivew.%s: too long", NULL, "5W1H.%s：太长"},
	{"fivew.%s: up to %d characters", NULL, "5W1H.%s：最多 %d 个字符"},
	{"fivew: expected an object with when, who, where, what, why, how", NULL, "5W1H：应为包含 when、who、where、what、why、how 的对象"},
	{"fivew: only when, who, where, what, why and how", NULL, "5W1H：只能有 when、who、where、what、why 和 how"},
	{"follow_up: an object", NULL, "后续工单：应为对象"},
	{"from and to: give both (ms, [from, to)) or neither (today)", NULL, "from 和 to：要么都给（毫秒，[from, to)），要么都不给（今天）"},
	{"from_id: a customer cannot be merged into itself", NULL, "客户不能合并到自己"},
	{"from_id: customer %lld was already merged into customer %lld", NULL, "客户 %lld 已经合并到客户 %lld"},
	{"from_id: expected a customer id", NULL, "from_id：应为客户编号"},
	{"from_id: no such customer", NULL, "from_id：没有这个客户"},
	{"kind: app_user, merchant, media or other", NULL, "类型：应为 app_user、merchant、media 或 other"},
	{"kind: order, complaint or answer", NULL, "类型：应为 order、complaint 或 answer"},
	{"log in first", NULL, "请先登录"},
	{"malformed JSON: %s", NULL, "JSON 格式错误：%s"},
	{"max_wait_sec: %d to %d", NULL, "最长等待秒数：%d 至 %d"},
	{"method not allowed here", NULL, "此处不允许该请求方法"},
	{"metric: callback, onsite, report, resolve or reply", NULL, "指标：应为 callback、onsite、report、resolve 或 reply"},
	{"metric: only with started, met, met_late, breached or running", NULL, "指标：只能与 started、met、met_late、breached 或 running 一起使用"},
	{"missing or wrong X-CSRF-Token header", NULL, "缺少 X-CSRF-Token 请求头或其值错误"},
	{"name: 1 to %d characters", NULL, "名称：1 至 %d 个字符"},
	{"name: a person's name of 1 to %d characters", NULL, "姓名：1 至 %d 个字符"},
	{"name: 1 to 32 characters", NULL, "名称：1 至 32 个字符"},
	{"name: up to %d characters", NULL, "姓名：最多 %d 个字符"},
	{"new_password: must differ from the old password", NULL, "新密码：不能与旧密码相同"},
	{"no callback is due for this order", NULL, "这张工单没有待办的回访"},
	{"no customer has this number", NULL, "没有客户使用这个号码"},
	{"no data chunk", NULL, "缺少 data 数据块"},
	{"no fmt chunk", NULL, "缺少 fmt 数据块"},
	{"no such active person", NULL, "没有这个在职人员"},
	{"no such agent", NULL, "没有这个坐席"},
	{"no such call", NULL, "没有这通电话"},
	{"no such callback request", NULL, "没有这个回呼请求"},
	{"no such class", NULL, "没有这个分类"},
	{"no such complaint type", NULL, "没有这个投诉类型"},
	{"no such contact", NULL, "没有这条联络记录"},
	{"no such customer", NULL, "没有这个客户"},
	{"no such department", NULL, "没有这个部门"},
	{"no such level (Ⅰ, Ⅱ, Ⅲ or Ⅳ, WO-3)", NULL, "没有这个级别（Ⅰ、Ⅱ、Ⅲ 或 Ⅳ）"},
	{"no such notification", NULL, "没有这条通知"},
	{"no such order", NULL, "没有这张工单"},
	{"no such person", NULL, "没有这个人员"},
	{"no such queue", NULL, "没有这个队列"},
	{"no such record", NULL, "没有这条记录"},
	{"no such resource", NULL, "没有这个资源"},
	{"no such route", NULL, "没有这条路由"},
	{"nodes: at least one choice must go to a queue: callers who do not choose go to an agent (CALL-1)", NULL, "菜单：至少要有一个选项转到队列：不做选择的来电者会转给坐席"},
	{"nodes: at most %d choices in all", NULL, "菜单：总共最多 %d 个选项"},
	{"nodes: required", NULL, "菜单：必填"},
	{"nodes: the menu needs choices", NULL, "菜单：需要选项"},
	{"not a WAV file (no RIFF/WAVE header)", NULL, "不是 WAV 文件（没有 RIFF/WAVE 文件头）"},
	{"not certified for duty yet (ORG-4)", NULL, "尚未取得上岗资格"},
	{"notes: up to %d characters", NULL, "备注：最多 %d 个字符"},
	{"only a department route names a department", NULL, "只有部门路由才能指定部门"},
	{"only a department route names a department kind", NULL, "只有部门路由才能指定部门类型"},
	{"only a department route names an owner", NULL, "只有部门路由才能指定负责人"},
	{"only active agents and supervisors register a phone (ORG-3)", NULL, "只有在职的坐席和班长才能注册话机"},
	{"only the agent who recorded a contact, a supervisor or the manager may change it", NULL, "只有记录这条联络的坐席、班长或经理可以修改它"},
	{"onsite: expected true, false or null", NULL, "上门：应为 true、false 或 null"},
	{"onsite: null, true or false", NULL, "上门：应为 null、true 或 false"},
	{"open_days: at most %d", NULL, "调休工作日：最多 %d 天"},
	{"outcome: accepted, not_accepted, unreachable or new_need", NULL, "回访结果：应为 accepted、not_accepted、unreachable 或 new_need"},
	{"outcome: ok, failed or denied", NULL, "结果：应为 ok、failed 或 denied"},
	{"outcome: opened, archived, cancelled, escalated, started, met, met_late, breached, running, accepted, not_accepted, unreachable or new_need", NULL, "结果：应为 opened、archived、cancelled、escalated、started、met、met_late、breached、running、accepted、not_accepted、unreachable 或 new_need"},
	{"password: %s", NULL, "密码：%s"},
	{"people still belong to this department", NULL, "这个部门还有人员"},
	{"person_id: required", NULL, "人员：必填"},
	{"phone: a phone number is 3 to 20 digits", NULL, "电话：号码为 3 至 20 位数字"},
	{"phone: a phone number of 3 to 20 digits", NULL, "电话：号码为 3 至 20 位数字"},
	{"phone: digits, with '+', '-' or spaces", NULL, "电话：只能是数字，可带 '+'、'-' 或空格"},
	{"phones: %s is already a number of customer %lld", NULL, "电话：%s 已是客户 %lld 的号码"},
	{"phones: a label is up to %d characters", NULL, "电话：标签最多 %d 个字符"},
	{"phones: a number belongs to another customer", NULL, "电话：号码属于另一个客户"},
	{"phones: a phone number is 3 to 20 digits", NULL, "电话：号码为 3 至 20 位数字"},
	{"phones: a phone number is 3 to 20 digits, with '+', '-', '(', ')' or spaces", NULL, "电话：号码为 3 至 20 位数字，可带 '+'、'-'、'('、')' 或空格"},
	{"phones: at most %d numbers", NULL, "电话：最多 %d 个号码"},
	{"phones: each is {\"phone\": string, \"label\": string}", NULL, "电话：每项应为 {\"phone\": 文本, \"label\": 文本}"},
	{"phones: expected a list of {\"phone\", \"label\"}", NULL, "电话：应为 {\"phone\", \"label\"} 的列表"},
	{"phones: the same number twice", NULL, "电话：同一号码出现了两次"},
	{"phones: unknown field", NULL, "电话：未知字段"},
	{"promise: order, complaint or answer", NULL, "承诺：应为 order、complaint 或 answer"},
	{"prompt: no prompt %s", NULL, "提示音：没有提示音 %s"},
	{"q: too long", NULL, "搜索词：太长"},
	{"reason: at most %d characters", NULL, "原因：最多 %d 个字符"},
	{"reason: no line breaks or control characters", NULL, "原因：不能包含换行或控制字符"},
	{"reason: not valid text", NULL, "原因：不是有效的文本"},
	{"reason: only busy takes a reason", NULL, "原因：只有忙碌状态需要原因"},
	{"reason: required when busy", NULL, "原因：置忙时必填"},
	{"reason: too long", NULL, "原因：太长"},
	{"reason: why you need the numbers, %d to %d characters", NULL, "原因：说明为何需要查看号码，%d 至 %d 个字符"},
	{"record the on-site visit first", NULL, "请先记录到场（已到场）"},
	{"report_same_day: true or false", NULL, "当天反馈：应为 true 或 false"},
	{"role: cause or follow", NULL, "角色：应为 cause 或 follow"},
	{"role: unknown role", NULL, "角色：未知角色"},
	{"roles: expected a list of role names", NULL, "角色：应为角色名列表"},
	{"roles: expected role names", NULL, "角色：应为角色名"},
	{"roles: required", NULL, "角色：必填"},
	{"roles: unknown role", NULL, "角色：未知角色"},
	{"satisfaction: 1 to 5 or null", NULL, "满意度：1 至 5 或 null"},
	{"script: at most %d characters", NULL, "话术：最多 %d 个字符"},
	{"send the body as JSON with Content-Type: application/json", NULL, "请以 JSON 发送请求体，并带 Content-Type: application/json"},
	{"skill: no such skill (null: any seat)", NULL, "技能：没有这个技能（null 表示任意坐席）"},
	{"skills: at most %d", NULL, "技能：最多 %d 个"},
	{"skills: expected a list of skill codes", NULL, "技能：应为技能编码列表"},
	{"skills: expected skill codes", NULL, "技能：应为技能编码"},
	{"skills: unknown skill", NULL, "技能：未知技能"},
	{"someone else changed this since it was loaded (version %lld now); reload and edit again", NULL, "有人在您打开之后修改了这条记录（现在是第 %lld 版）；请重新加载后再编辑"},
	{"started_at: a time that has come", NULL, "开始时间：不能在将来"},
	{"state: open or done", NULL, "状态：应为 open 或 done"},
	{"state: unknown", NULL, "状态：未知"},
	{"status: %s is set by the system, not by people", NULL, "状态：%s 由系统设置，不能手动设置"},
	{"status: one of logged_out, ready, busy, break", NULL, "状态：应为 logged_out、ready、busy、break 之一"},
	{"status: unknown", NULL, "状态：未知"},
	{"strategy: longest_idle, round_robin or ring_all", NULL, "策略：应为 longest_idle、round_robin 或 ring_all"},
	{"summary: up to %d characters", NULL, "摘要：最多 %d 个字符"},
	{"surname: up to %d characters", NULL, "姓氏：最多 %d 个字符"},
	{"tags: 1 to %d characters each", NULL, "标签：每个 1 至 %d 个字符"},
	{"tags: at most %d", NULL, "标签：最多 %d 个"},
	{"tags: at most %d, of 1 to %d characters each", NULL, "标签：最多 %d 个，每个 1 至 %d 个字符"},
	{"tags: expected a list of strings", NULL, "标签：应为文本列表"},
	{"tags: expected strings", NULL, "标签：应为文本"},
	{"target: department, center, subject_superior or close", NULL, "目标：应为 department、center、subject_superior 或 close"},
	{"target: expected a string", NULL, "目标：应为文本"},
	{"that would make a circle of departments", NULL, "这会使部门形成循环"},
	{"that would make a circle of superiors", NULL, "这会使上级关系形成循环"},
	{"the RIFF size (%u bytes) does not match the file (%zu bytes)", NULL, "RIFF 大小（%u 字节）与文件（%zu 字节）不符"},
	{"the account is disabled", NULL, "账号已停用"},
	{"the agent is logged out", NULL, "坐席已签出"},
	{"the agent is not on a call (%s)", NULL, "坐席不在通话中（%s）"},
	{"the agent is not ready (%s)", NULL, "坐席未示闲（%s）"},
	{"the agent is on a call (%s)", NULL, "坐席正在通话（%s）"},
	{"the block size or byte rate does not match the format", NULL, "块大小或字节率与格式不符"},
	{"the body is larger than %lld bytes", NULL, "请求体超过 %lld 字节"},
	{"the body must be a JSON object", NULL, "请求体必须是 JSON 对象"},
	{"the callback request is done already", NULL, "这个回呼请求已经完成"},
	{"the catalogue holds at most %d types: deactivate or reuse one", NULL, "目录最多 %d 个类型：请停用或复用一个"},
	{"the customer was merged meanwhile", NULL, "客户在此期间已被合并"},
	{"the data chunk comes before the fmt chunk", NULL, "data 数据块在 fmt 数据块之前"},
	{"the data is not a whole number of samples", NULL, "数据不是整数个采样"},
	{"the department still has sub-departments", NULL, "这个部门还有下级部门"},
	{"the fmt chunk has no channels", NULL, "fmt 数据块没有声道"},
	{"the fmt chunk is %u bytes, not 16 or more", NULL, "fmt 数据块为 %u 字节，而不是 16 字节以上"},
	{"the fmt chunk is too short for WAVE_FORMAT_EXTENSIBLE", NULL, "fmt 数据块对 WAVE_FORMAT_EXTENSIBLE 来说太短"},
	{"the order changed since you read it (version %lld)", NULL, "工单在您读取之后已被修改（第 %lld 版）"},
	{"the path is not valid UTF-8", NULL, "路径不是有效的 UTF-8"},
	{"the query string is not valid UTF-8", NULL, "查询字符串不是有效的 UTF-8"},
	{"the recording's file is missing", NULL, "录音文件缺失"},
	{"the report is too long", NULL, "反馈内容太长"},
	{"the sample rate is %u Hz, not 8000 Hz (convert with: sox in.wav -r 8000 -c 1 -b 16 out.wav)", NULL, "采样率为 %u Hz，而不是 8000 Hz（可用 sox in.wav -r 8000 -c 1 -b 16 out.wav 转换）"},
	{"the server is stopping", NULL, "服务器正在停止"},
	{"the status changed meanwhile; try again", NULL, "状态在此期间已变化；请重试"},
	{"the sub-format is not PCM, A-law or µ-law", NULL, "子格式不是 PCM、A 律或 µ 律"},
	{"there is no higher level to ask", NULL, "没有更高的层级可以求助"},
	{"this call has no recording", NULL, "这通电话没有录音"},
	{"title: mr (先生) or ms (女士)", NULL, "称谓：应为 mr（先生）或 ms（女士）"},
	{"to: after from", NULL, "to：须晚于 from"},
	{"to: at most %d days after from", NULL, "to：最多在 from 之后 %d 天"},
	{"to: at most %d days from from", NULL, "to：距 from 最多 %d 天"},
	{"to: on or after from", NULL, "to：不能早于 from"},
	{"together the two customers have more than %d phone numbers", NULL, "两个客户合计超过 %d 个电话号码"},
	{"together the two customers have more than %d tags", NULL, "两个客户合计超过 %d 个标签"},
	{"too many connections from your address", NULL, "来自你的地址的连接过多，请稍后再试"},
	{"too many failed logins; try again later", NULL, "登录失败次数过多；请稍后再试"},
	{"two different Content-Length headers", NULL, "有两个不同的 Content-Length 请求头"},
	{"two fmt chunks", NULL, "有两个 fmt 数据块"},
	{"unknown class", NULL, "未知分类"},
	{"unknown complaint type", NULL, "未知投诉类型"},
	{"unknown department kind", NULL, "未知部门类型"},
	{"unknown level", NULL, "未知级别"},
	{"unknown outcome", NULL, "未知结果"},
	{"unknown promise kind", NULL, "未知承诺类型"},
	{"unknown role", NULL, "未知角色"},
	{"unknown skill '%s'", NULL, "未知技能“%s”"},
	{"unread: true or false", NULL, "unread：应为 true 或 false"},
	{"version: a positive whole number", NULL, "版本：应为正整数"},
	{"version: expected a whole number", NULL, "版本：应为整数"},
	{"view: all, department, mine, followups, due_soon, overdue or escalated", NULL, "视图：应为 all、department、mine、followups、due_soon、overdue 或 escalated"},
	{"vip_level: 0 to %d", NULL, "VIP 等级：0 至 %d"},
	{"vip_reason: up to %d characters", NULL, "VIP 原因：最多 %d 个字符"},
	{"warn_pct: 1 to 99 (per cent)", NULL, "预警比例：1 至 99（百分比）"},
	{"wechat: up to %d characters", NULL, "微信：最多 %d 个字符"},
	{"weekly: at most %d ranges", NULL, "每周时段：最多 %d 段"},
	{"weekly: without always_open the hotline needs opening hours", NULL, "每周时段：不是全天开放时，热线需要营业时间"},
	{"weibo: up to %d characters", NULL, "微博：最多 %d 个字符"},
	{"welcome: no prompt %s", NULL, "欢迎语：没有提示音 %s"},
	{"work number already in use", NULL, "工号已被使用"},
	{"work number: 1 to %d letters, digits, '_', '-' or '.'", NULL, "工号：1 至 %d 个字母、数字、'_'、'-' 或 '.'"},
	{"work number: too long", NULL, "工号：太长"},
	{"wrong password", NULL, "密码错误"},
	{"wrong work number or password", NULL, "工号或密码错误"},
	{"you are not allowed to do this", NULL, "您无权进行此操作"},
	{"you cannot disable yourself", NULL, "您不能停用自己"},
	{"you cannot take the admin role from yourself", NULL, "您不能取消自己的管理员角色"},
	{"you hold no seat on the hotline (ORG-2)", NULL, "您在热线上没有坐席"},
	/* Phone numbers (CUST-1, cust_phone_check). */
	{"%s: an extension is 1 to %d digits", NULL, "%s：分机号为 1 至 %d 位数字"},
	{"%s: only digits, spaces, '-', '(' and ')', a leading '+' and an extension after 转, ext or #", NULL,
	 "%s：只能有数字、空格、'-'、'(' 和 ')'，开头可有 '+'，分机号写在“转”、ext 或 # 之后"},
	{"%s: only Chinese numbers: +86 or no country code", NULL, "%s：只接受中国号码：+86 或不带国家代码"},
	{"%s: no digits", NULL, "%s：没有数字"},
	{"%s: a mobile number has 11 digits, not %d", NULL, "%s：手机号码应为 11 位，现为 %d 位"},
	{"%s: a mobile number starts with 13 to 19", NULL, "%s：手机号码应以 13 至 19 开头"},
	{"%s: a 400 or 800 number has 10 digits, not %d", NULL, "%s：400/800 号码应为 10 位，现为 %d 位"},
	{"%s: not an area code: 010, 02x or 0xxx (00 calls abroad)", NULL,
	 "%s：不是区号：应为 010、02x 或 0xxx（00 是国际长途）"},
	{"%s: after area code %s come 8 digits, not %d", NULL, "%s：区号 %s 后应为 8 位号码，现为 %d 位"},
	{"%s: after area code %s come 7 or 8 digits, not %d", NULL,
	 "%s：区号 %s 后应为 7 或 8 位号码，现为 %d 位"},
	{"%s: a local number starts with 2 to 9", NULL, "%s：区号后的号码应以 2 至 9 开头"},
	{"%s: a landline number needs its area code, e.g. 010 or 0571", NULL,
	 "%s：固定电话需要加区号，例如 010 或 0571"},
	{"%s: not a mobile (11 digits from 13), landline (area code and number) or 400/800 number", NULL,
	 "%s：不是手机号（13 开头起的 11 位）、固定电话（区号加号码）或 400/800 号码"},
	{"phones: numbers are stored as digits only", NULL, "电话：号码只以数字保存"},
	/* Text that must say something (item: blanks only). */
	{"%s: only blanks", NULL, "%s：不能只有空白"},
	{"name: only blanks", NULL, "姓名：不能只有空白"},
	{"work number: required", NULL, "请输入工号"},
	{"called_back_at: between the order's creation and now", NULL,
	 "联系客户时间：应在工单创建之后、现在之前"},
	{"%s: %lld s long; a notice lasts at most %d s so that callers reach the menu", NULL, "%s：时长 %lld 秒；公告最长 %d 秒，以免来电者迟迟听不到菜单"},
	{"%s: expected milliseconds (UTC)", NULL, "%s：应为毫秒时间戳（UTC）"},
	{"%s: holds no speech (%lld ms)", NULL, "%s：没有语音内容（%lld 毫秒）"},
	{"a third_party route needs third_party_id", NULL, "转第三方的路由需要指定第三方"},
	{"already passed on: record the third party's answer first", NULL, "已转交第三方：请先记录第三方的答复"},
	{"audio: at most %d KiB of WAV", NULL, "音频：WAV 最大 %d KiB"},
	{"audio: expected base64", NULL, "音频：应为 base64 编码"},
	{"audio: only with source recording; a text is spoken by kefu", NULL, "音频：仅在来源为录音时提供；文字公告由系统朗读"},
	{"audio: required for a recording (a WAV, base64)", NULL, "音频：来源为录音时必填（WAV，base64 编码）"},
	{"ends_at: a notice lasts at most 31 days", NULL, "结束时间：公告最长持续 31 天"},
	{"ends_at: after starts_at", NULL, "结束时间：应晚于开始时间"},
	{"ends_at: in the past; nobody would hear the notice", NULL, "结束时间：已过去，没有人会听到这条公告"},
	{"file: larger than %lld bytes", NULL, "文件：超过 %lld 字节"},
	{"file: only JPEG, PNG or WebP images and PDF documents are taken", NULL, "文件：只接受 JPEG、PNG、WebP 图片和 PDF 文档"},
	{"file: send the file's bytes as the body, its name in X-Filename", NULL, "文件：请以文件内容作为请求体，文件名放在 X-Filename 中"},
	{"kind: %s", NULL, "类型：%s"},
	{"kind: photo, document or onsite_report", NULL, "类型：应为照片、文档或现场报告"},
	{"name: already in use", NULL, "名称：已被使用"},
	{"name: required", NULL, "名称：必填"},
	{"no deadline is paused", NULL, "没有暂停中的时限"},
	{"no deadline is running", NULL, "没有正在计时的时限"},
	{"no such active third party", NULL, "没有这个启用中的第三方"},
	{"no such attachment", NULL, "没有这个附件"},
	{"no such notice", NULL, "没有这条公告"},
	{"no such third party", NULL, "没有这个第三方"},
	{"no third party is asked for an answer", NULL, "没有等待答复的第三方"},
	{"no third-party answer to pass on", NULL, "没有可转告的第三方答复"},
	{"only a third_party route names a third party", NULL, "只有转第三方的路由才能指定第三方"},
	{"person_id: already the owner", NULL, "负责人：已是当前负责人"},
	{"person_id: this person cannot own work orders", NULL, "负责人：此人不能负责工单"},
	{"phone: an order the owner must call back needs a customer or a phone number", NULL, "电话：需要回电的工单必须有客户或电话号码"},
	{"phone: not a phone number", NULL, "电话：不是有效的电话号码"},
	{"source: text or recording", NULL, "来源：应为文字或录音"},
	{"target: department, center, subject_superior, close or third_party", NULL, "去向：应为部门、中心、被投诉人上级、直接办结或第三方"},
	{"tell the customer the third party's answer first", NULL, "请先把第三方的答复转告客户"},
	{"text: 1 to %d characters", NULL, "内容：1 至 %d 个字符"},
	{"text: speaking the text failed; try again or upload a recording", NULL, "内容：朗读文字失败；请重试或上传录音"},
	{"text: this server cannot speak announcements (espeak-ng or sox is not installed); upload a recording instead", NULL, "内容：服务器无法朗读公告（未安装 espeak-ng 或 sox）；请改为上传录音"},
	{"text: this server cannot speak announcements (notice_say %s is missing); upload a recording instead", NULL, "内容：服务器无法朗读公告（缺少 notice_say %s）；请改为上传录音"},
	{"the attachment's file is missing", NULL, "附件的文件已丢失"},
	{"the third party has not answered yet", NULL, "第三方尚未答复"},
	{"third_party_id: no such active third party", NULL, "第三方：没有这个启用中的第三方"},
	{"third_party_id: required", NULL, "第三方：必填"},
	{"this order has no phone number", NULL, "这张工单没有电话号码"},
	{"this order needs no visit", NULL, "这张工单不需要上门"},
	{"outcome: one of answered, abandoned, callback, ivr, rejected, closed", NULL, "结果：应为 answered、abandoned、callback、ivr、rejected 或 closed 之一"},
	{"number: the whole number, or its last 4 digits", NULL, "号码：完整号码或后 4 位"},
	{"to: must be after from", NULL, "结束时间：应晚于开始时间"},
};

static const struct err_msg phrases[] = {
	{"name", NULL, "名称"},
	{"surname", NULL, "姓氏"},
	{"title", NULL, "称谓"},
	{"phone", NULL, "电话"},
	{"phones", NULL, "电话"},
	{"email", NULL, "邮箱"},
	{"wechat", NULL, "微信"},
	{"weibo", NULL, "微博"},
	{"birthday", NULL, "生日"},
	{"notes", NULL, "备注"},
	{"tags", NULL, "标签"},
	{"summary", NULL, "摘要"},
	{"solution", NULL, "处理结果"},
	{"reason", NULL, "原因"},
	{"note", NULL, "说明"},
	{"text", NULL, "内容"},
	{"kind", NULL, "类型"},
	{"class", NULL, "分类"},
	{"channel", NULL, "渠道"},
	{"direction", NULL, "方向"},
	{"code", NULL, "编码"},
	{"level", NULL, "级别"},
	{"label", NULL, "标签"},
	{"status", NULL, "状态"},
	{"state", NULL, "状态"},
	{"target", NULL, "目标"},
	{"outcome", NULL, "结果"},
	{"promise", NULL, "承诺"},
	{"metric", NULL, "指标"},
	{"role", NULL, "角色"},
	{"roles", NULL, "角色"},
	{"skills", NULL, "技能"},
	{"work_no", NULL, "工号"},
	{"password", NULL, "密码"},
	{"new_password", NULL, "新密码"},
	{"old_password", NULL, "旧密码"},
	{"person_id", NULL, "人员"},
	{"owner_id", NULL, "负责人"},
	{"customer_id", NULL, "客户"},
	{"contact_id", NULL, "联络记录"},
	{"department_id", NULL, "部门"},
	{"agent_id", NULL, "坐席"},
	{"subject_id", NULL, "被投诉人"},
	{"complaint", NULL, "投诉类型"},
	{"called_back_at", NULL, "联系客户时间"},
	{"started_at", NULL, "开始时间"},
	{"ended_at", NULL, "结束时间"},
	{"vip_level", NULL, "VIP 等级"},
	{"vip_reason", NULL, "VIP 原因"},
	{"satisfaction", NULL, "满意度"},
	{"onsite", NULL, "上门"},
	{"version", NULL, "版本"},
	{"from", NULL, "开始"},
	{"to", NULL, "结束"},
	{"q", NULL, "搜索词"},
	{"fivew", NULL, "5W1H"},
	{"second_complaint_days", NULL, "二次投诉认定期限"},
	{"callback_due_min", NULL, "中心回访时限"},
	{"callback_retry_min", NULL, "回访重试间隔"},
	{"promise_order_min", NULL, "订单问题答复时限"},
	{"promise_complaint_min", NULL, "投诉答复时限"},
	{"promise_answer_min", NULL, "告知答案时限"},
	{"retention_years", NULL, "归档保留年限"},
	{"callback_min", NULL, "联系客户时限"},
	{"onsite_min", NULL, "到场时限"},
	{"resolve_min", NULL, "办结时限"},
	{"needed", NULL, "需要上门"},
	{"not needed", NULL, "无需上门"},
	{"new", NULL, "待分派"},
	{"dispatched", NULL, "已派单"},
	{"accepted", NULL, "已受理"},
	{"in_progress", NULL, "处理中"},
	{"reported", NULL, "已反馈"},
	{"archived", NULL, "已归档"},
	{"reopened", NULL, "已重开"},
	{"cancelled", NULL, "已取消"},
	{"assign", NULL, "改派"},
	{"accept", NULL, "受理"},
	{"call", NULL, "记录已联系客户"},
	{"finish", NULL, "处理完毕"},
	{"report", NULL, "反馈结果"},
	{"callback", NULL, "回访"},
	{"reopen", NULL, "重新打开"},
	{"cancel", NULL, "取消"},
	{"help", NULL, "请求上级协助"},
	{"progress", NULL, "记录进展"},
	{"pause", NULL, "暂停计时"},
	{"resume", NULL, "恢复计时"},
	{"ready", NULL, "示闲"},
	{"busy", NULL, "示忙"},
	{"logged_out", NULL, "签出"},
	{"break", NULL, "小休"},
	{"talking", NULL, "通话中"},
	{"ringing", NULL, "振铃中"},
	{"wrap_up", NULL, "话后整理"},
	{" or null", NULL, "或 null"},
	{"null or ", NULL, "null 或 "},
	{" or line breaks", NULL, "或换行"},
	{"password: not valid text", NULL, "密码：不是有效的文本"},
	{"password: at least 10 characters", NULL, "密码：至少 10 个字符"},
	{"password: at most 128 bytes", NULL, "密码：最多 128 字节"},
	{"8 to 64 characters", NULL, "8 至 64 个字符"},
	{"printable ASCII letters, digits and signs, no spaces", NULL, "只能是可打印的 ASCII 字母、数字和符号，不能有空格"},
	{"a sub-menu must come before its choices", NULL, "子菜单必须排在它的选项之前"},
	{"only a sub-menu (action menu) has choices", NULL, "只有子菜单（action 为 menu）才有选项"},
	{"the menu is at most 3 levels deep", NULL, "菜单最多 3 层"},
	{"a digit 0-9", NULL, "一位数字 0-9"},
	{"this digit is already a choice on this level", NULL, "这个按键在本层已有选项"},
	{"1 to 32 characters", NULL, "1 至 32 个字符"},
	{"at most 32 characters", NULL, "最多 32 个字符"},
	{"queue, menu or announce_hangup", NULL, "应为 queue、menu 或 announce_hangup"},
	{"no such queue", NULL, "没有这个队列"},
	{"only a queue choice names a queue", NULL, "只有转队列的选项才能指定队列"},
	{"no such prompt", NULL, "没有这个提示音"},
	{"a sub-menu needs choices", NULL, "子菜单需要选项"},
	{"a time HH:MM, 00:00-24:00", NULL, "时间格式为 HH:MM，00:00-24:00"},
	{"a date YYYY-MM-DD", NULL, "日期格式为 YYYY-MM-DD"},
	{"longest_idle, round_robin or ring_all", NULL, "应为 longest_idle、round_robin 或 ring_all"},
	{"no such skill", NULL, "没有这个技能"},
	{"no such date", NULL, "日历上没有这一天"},
	{"this date is listed twice", NULL, "这个日期列了两次"},
	{"a date is either closed or a make-up working day", NULL, "一个日期只能是休息日或调休工作日之一"},
	{"1 (Monday) to 7 (Sunday)", NULL, "1（星期一）至 7（星期日）"},
	{"00:00 to 23:59", NULL, "00:00 至 23:59"},
	{"00:01 to 24:00", NULL, "00:01 至 24:00"},
	{"a range closes at another time than it opens", NULL, "时段的结束时间不能等于开始时间"},
	{"1 (Monday) to 7 (Sunday): whose hours the day keeps", NULL, "1（星期一）至 7（星期日）：这一天按哪天的营业时间"},
};

static const char *find(const struct err_msg *t, size_t n, const char *en, const char *field)
{
	const char *any = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].en, en) != 0)
			continue;
		if (!t[i].field)
			any = t[i].zh;
		else if (field && strcmp(t[i].field, field) == 0)
			return t[i].zh;
	}
	return any;
}

const char *err_msg_zh(const char *fmt, const char *field)
{
	return fmt ? find(messages, sizeof(messages) / sizeof(messages[0]), fmt, field) : NULL;
}

const char *err_phrase_zh(const char *en)
{
	return en && en[0] ? find(phrases, sizeof(phrases) / sizeof(phrases[0]), en, NULL) : NULL;
}

/* The q-value of one Accept-Language item ("en;q=0.8"): 1000 for 1. */
static int item_q(const char *p, const char *end)
{
	const char *q = p;
	int v = 1000;

	while ((q = memchr(q, ';', (size_t)(end - q))) != NULL) {
		q++;
		while (q < end && *q == ' ')
			q++;
		if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
			q += 2;
			v = 0;
			if (q < end && *q == '1')
				return 1000;
			if (q < end && *q == '0')
				q++;
			if (q < end && *q == '.') {
				int scale = 100;

				for (q++; q < end && *q >= '0' && *q <= '9' && scale; q++, scale /= 10)
					v += (*q - '0') * scale;
			}
			return v;
		}
	}
	return v;
}

int err_lang_english(const char *accept_language)
{
	int best_en = -1, best_zh = -1, at_en = 0, at_zh = 0, i = 0;
	const char *p = accept_language;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n;
		int q;

		if (!end)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		n = strcspn(p, ";, ");
		q = item_q(p, end);
		/* zh-CN is the default: a wildcard asks for it too. */
		if (n >= 2 && strncasecmp(p, "en", 2) == 0 && (n == 2 || p[2] == '-')) {
			if (q > best_en) {
				best_en = q;
				at_en = i;
			}
		} else if ((n >= 2 && strncasecmp(p, "zh", 2) == 0 && (n == 2 || p[2] == '-')) ||
			   (n == 1 && *p == '*')) {
			if (q > best_zh) {
				best_zh = q;
				at_zh = i;
			}
		}
		p = *end ? end + 1 : end;
		i++;
	}
	return best_en > 0 && (best_en > best_zh || (best_en == best_zh && at_en < at_zh));
}
