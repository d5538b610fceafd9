// Pages and who may open them. The server decides every request anyway
// (auth_authorize); these role lists only keep people out of pages that
// would answer them 403 everywhere, and pick the navigation they see.
import { createRouter, createWebHistory } from 'vue-router'
import { session, hasRole, homeOf } from './session.js'

export const pages = [
  { path: '/agent', name: 'agent', roles: ['agent', 'supervisor', 'manager'], component: () => import('./views/Agent.vue') },
  // The inbox of every channel (issue 18): chan.read (agents their own and
  // their queues', supervisors and the manager every one). Agents and
  // supervisors, who work these every hour, see the inbox and the two
  // callback pages in the bar; for the manager, whose bar is full at 1366 px
  // (test_layout.mjs), they sit under one menu, 接待 (deskGroup).
  { path: '/inbox', name: 'inbox', roles: ['agent', 'supervisor', 'manager'], deskGroup: true, component: () => import('./views/inbox/Inbox.vue') },
  { path: '/callbacks', name: 'callbacks', roles: ['agent', 'supervisor', 'manager'], deskGroup: true, component: () => import('./views/Callbacks.vue') },
  { path: '/callback-requests', name: 'callbackRequests', roles: ['agent', 'supervisor', 'manager'], deskGroup: true, component: () => import('./views/CallbackRequests.vue') },
  { path: '/queue', name: 'queue', roles: ['staff', 'agent', 'supervisor', 'manager', 'hr', 'office'], component: () => import('./views/Queue.vue') },
  { path: '/orders', name: 'orders', roles: ['supervisor', 'manager', 'office'], component: () => import('./views/Orders.vue') },
  { path: '/customers', name: 'customers', roles: ['supervisor', 'manager'], component: () => import('./views/Customers.vue') },
  { path: '/calls', name: 'calls', roles: ['supervisor', 'manager', 'office', 'qa'], component: () => import('./views/Calls.vue') },
  { path: '/wallboard', name: 'wallboard', roles: ['supervisor', 'manager', 'office'], component: () => import('./views/Wallboard.vue') },
  // The report pages (issue 20) sit under 报表; the report center comes first:
  // every form the person may read with its download and, for the manager,
  // the scheduled reports. Others reach it by URL (the bars are full at 1366 px).
  { path: '/reports', name: 'reportCenter', group: 'report', roles: ['manager', 'supervisor', 'agent', 'hr', 'qa', 'staff', 'office'], navRoles: ['manager', 'supervisor'], component: () => import('./views/report/Center.vue') },
  // The work-order dashboard, second in the 报表 menu (issue 20).
  { path: '/dashboard', name: 'dashboard', group: 'report', roles: ['manager', 'supervisor', 'office'], component: () => import('./views/Dashboard.vue') },
  // Issue 20, RPT-1: the call report (report.read; its drill-down is call.read).
  { path: '/reports/calls', name: 'reportCalls', group: 'report', roles: ['manager', 'supervisor', 'office'], component: () => import('./views/report/Calls.vue') },
  // Issue 20 (RPT-1): the agents' work statistics; an agent sees their own row.
  { path: '/reports/agents', name: 'reportAgents', group: 'report', roles: ['manager', 'supervisor', 'agent'], component: () => import('./views/report/Agents.vue') },
  { path: '/qa/checks', name: 'qaChecks', group: 'qa', roles: ['qa', 'supervisor', 'manager', 'agent'], component: () => import('./views/qa/Checks.vue') },
  { path: '/qa/rules', name: 'qaRules', group: 'qa', roles: ['qa', 'supervisor', 'manager'], component: () => import('./views/qa/Rules.vue') },
  { path: '/qa/daily', name: 'qaDaily', group: 'qa', roles: ['qa', 'supervisor', 'manager'], component: () => import('./views/qa/Daily.vue') },
  { path: '/qa/agents', name: 'qaAgents', group: 'qa', roles: ['qa', 'supervisor', 'manager', 'agent'], component: () => import('./views/qa/Agents.vue') },
  { path: '/wfm/roster', name: 'roster', group: 'wfm', roles: ['supervisor', 'manager'], component: () => import('./views/wfm/Roster.vue') },
  { path: '/wfm/me', name: 'myShifts', group: 'wfm', roles: ['agent', 'supervisor', 'manager'], component: () => import('./views/wfm/MyShifts.vue') },
  { path: '/wfm/setup', name: 'wfmSetup', group: 'wfm', roles: ['supervisor', 'manager'], component: () => import('./views/wfm/Setup.vue') },
  { path: '/wfm/handover', name: 'handover', group: 'wfm', roles: ['agent', 'supervisor', 'manager'], component: () => import('./views/wfm/Handover.vue') },
  { path: '/wfm/attendance', name: 'attendance', group: 'wfm', roles: ['agent', 'supervisor', 'manager'], component: () => import('./views/wfm/Attendance.vue') },
  // Issue 19, MTG-1 and LED-1: meetings and work logs for everyone of the
  // center (agents see their own), inspections for supervisors and the manager.
  { path: '/mtg/meetings', name: 'mtgMeetings', group: 'wfm', roles: ['agent', 'supervisor', 'manager'], component: () => import('./views/mtg/Meetings.vue') },
  { path: '/mtg/logs', name: 'mtgLogs', group: 'wfm', roles: ['agent', 'supervisor', 'manager'], component: () => import('./views/mtg/WorkLog.vue') },
  { path: '/mtg/inspections', name: 'mtgInspections', group: 'wfm', roles: ['supervisor', 'manager'], component: () => import('./views/mtg/Inspections.vue') },
  { path: '/qa/queue', name: 'qaQueue', group: 'qa', roles: ['qa', 'supervisor', 'manager'], component: () => import('./views/qa/Queue.vue') },
  { path: '/qa/mine', name: 'qaMine', group: 'qa', roles: ['agent', 'supervisor'], component: () => import('./views/qa/Mine.vue') },
  { path: '/qa/appeals', name: 'qaAppeals', group: 'qa', roles: ['qa', 'supervisor', 'manager'], component: () => import('./views/qa/Appeals.vue') },
  { path: '/qa/setup', name: 'qaSetup', group: 'qa', roles: ['qa', 'supervisor', 'manager'], component: () => import('./views/qa/Setup.vue') },
  // Calls out (issue 17): out.call (agents, supervisors, the manager) for the
  // tasks; out.read for the log (quality inspectors all, agents their own);
  // out.manage (supervisors, the manager) for campaigns, settings and the
  // daily answer-rate test (LED-2).
  { path: '/out/tasks', name: 'outTasks', group: 'out', roles: ['agent', 'supervisor', 'manager'], component: () => import('./views/out/Tasks.vue') },
  { path: '/out/calls', name: 'outCalls', group: 'out', roles: ['agent', 'supervisor', 'manager', 'qa'], component: () => import('./views/out/Log.vue') },
  { path: '/out/campaigns', name: 'outCampaigns', group: 'out', roles: ['supervisor', 'manager'], component: () => import('./views/out/Campaigns.vue') },
  { path: '/out/settings', name: 'outSettings', group: 'out', roles: ['supervisor', 'manager'], component: () => import('./views/out/Settings.vue') },
  { path: '/out/tests', name: 'outTests', group: 'out', roles: ['supervisor', 'manager'], component: () => import('./views/out/Tests.vue') },
  // The knowledge base (issue 16): kb.read for everyone (each entry's own
  // visibility decides the rest), kb.setup, kb.report and kb.edit (cases).
  { path: '/kb', name: 'kbList', group: 'kb', roles: ['admin', 'manager', 'supervisor', 'agent', 'staff', 'hr', 'office', 'qa'], component: () => import('./views/kb/List.vue') },
  { path: '/kb/cases', name: 'kbCases', group: 'kb', roles: ['manager', 'supervisor', 'qa'], component: () => import('./views/kb/Cases.vue') },
  { path: '/kb/report', name: 'kbReport', group: 'kb', roles: ['manager', 'supervisor', 'qa'], component: () => import('./views/kb/Report.vue') },
  // Issue 20: the complaint statistics (RPT-2) and the daily callback report (CB-3).
  { path: '/reports/complaints', name: 'reportComplaints', group: 'report', roles: ['manager', 'supervisor', 'office'], component: () => import('./views/report/Complaints.vue') },
  { path: '/reports/callbacks', name: 'reportCallbacks', group: 'report', roles: ['manager', 'supervisor', 'office'], component: () => import('./views/report/Callbacks.vue') },
  { path: '/kb/setup', name: 'kbSetup', group: 'kb', roles: ['manager', 'supervisor'], component: () => import('./views/kb/Setup.vue') },
  { path: '/perf/month', name: 'perfMonth', group: 'perf', roles: ['supervisor', 'manager', 'hr'], component: () => import('./views/perf/Month.vue') },
  { path: '/perf/me', name: 'perfMine', group: 'perf', roles: ['agent'], component: () => import('./views/perf/Mine.vue') },
  // Issue 19, perf's cases: penalties (PERF-5), proposals (PERF-2), the grievance award (PERF-4).
  { path: '/perf/penalties', name: 'perfPenalties', group: 'perf', roles: ['agent', 'supervisor', 'manager', 'hr'], component: () => import('./views/perf/Penalties.vue') },
  { path: '/perf/proposals', name: 'perfProposals', group: 'perf', roles: ['admin', 'manager', 'supervisor', 'agent', 'staff', 'hr', 'office', 'qa'], component: () => import('./views/perf/Proposals.vue') },
  { path: '/perf/grievances', name: 'perfGrievances', group: 'perf', roles: ['agent', 'supervisor', 'manager', 'hr', 'office'], component: () => import('./views/perf/Grievances.vue') },
  // Training and exams (issue 19): trn.read for everyone (plans, sessions,
  // courses); exams for whoever takes, marks or scores them (each list
  // shows one's own); the question bank, papers and certification for
  // supervisors and the manager. The manager's bar is full at 1366 px
  // (test_layout.mjs): the manager opens them from 人员 (People) or by URL.
  { path: '/trn/training', name: 'trnTraining', group: 'trn', roles: ['manager', 'supervisor', 'agent', 'staff', 'hr', 'office', 'qa'], navRoles: ['supervisor', 'agent', 'staff', 'hr', 'office', 'qa'], component: () => import('./views/trn/Training.vue') },
  { path: '/trn/exams', name: 'trnExams', group: 'trn', roles: ['manager', 'supervisor', 'agent', 'staff', 'hr', 'office', 'qa'], navRoles: ['supervisor', 'agent', 'staff', 'hr', 'office', 'qa'], component: () => import('./views/trn/Exams.vue') },
  { path: '/audit', name: 'audit', group: 'admin', roles: ['admin', 'manager'], component: () => import('./views/Audit.vue') },
  { path: '/admin/people', name: 'people', group: 'admin', roles: ['admin', 'manager', 'hr'], component: () => import('./views/admin/People.vue') },
  { path: '/admin/departments', name: 'departments', group: 'admin', roles: ['admin', 'manager'], component: () => import('./views/admin/Departments.vue') },
  { path: '/admin/rules', name: 'rules', group: 'admin', roles: ['admin', 'manager'], component: () => import('./views/admin/Rules.vue') },
  // The channels' setup (issue 18): chan.manage (IT and the manager) for
  // the accounts, the deadlines and SMS's templates and opt-out list. They
  // sit in the settings menu: the manager's bar is full at 1366 px
  // (test_layout.mjs), so a menu of their own would push pages into 更多.
  { path: '/chan/accounts', name: 'chanAccounts', group: 'admin', roles: ['admin', 'manager'], component: () => import('./views/chan/Accounts.vue') },
  { path: '/chan/settings', name: 'chanSettings', group: 'admin', roles: ['admin', 'manager'], component: () => import('./views/chan/Settings.vue') },
  { path: '/chan/sms', name: 'chanSms', group: 'admin', roles: ['admin', 'manager'], component: () => import('./views/chan/Sms.vue') },
]

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true } },
  { path: '/', redirect: () => homeOf(session.me) },
  { path: '/me', name: 'me', component: () => import('./views/Me.vue') },
  { path: '/orders/:id(\\d+)', name: 'order', component: () => import('./views/OrderPage.vue') },
  { path: '/kb/:id(\\d+)', name: 'kbArticle', component: () => import('./views/kb/Article.vue') },
  { path: '/kb/new', name: 'kbNew', component: () => import('./views/kb/Article.vue'), meta: { roles: ['manager', 'supervisor', 'qa'] } },
  { path: '/trn/exams/:id(\\d+)', name: 'trnExamRoom', component: () => import('./views/trn/ExamRoom.vue'), meta: { roles: ['manager', 'supervisor', 'agent', 'staff', 'hr', 'office', 'qa'] } },
  { path: '/qa/review/:id(\\d+)', name: 'qaReview', component: () => import('./views/qa/Review.vue'), meta: { roles: ['qa', 'supervisor', 'manager', 'agent'] } },
  ...pages.map((p) => ({ path: p.path, name: p.name, component: p.component, meta: { roles: p.roles } })),
  { path: '/:rest(.*)*', name: 'notfound', component: () => import('./views/NotFound.vue') },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  if (to.meta.public) return true
  if (!session.me) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.meta.roles && !hasRole(...to.meta.roles)) return { name: 'notfound', params: { rest: ['forbidden'] }, query: { forbidden: to.path } }
  return true
})

// The pages of the navigation, each with the menu it sits under (group):
// the desk's pages go under 接待 for those who are neither agent nor supervisor.
export function visiblePages() {
  const desk = !hasRole('agent', 'supervisor')
  return pages.filter((p) => hasRole(...(p.navRoles || p.roles))).map((p) => (p.deskGroup && desk ? { ...p, group: 'desk' } : p))
}
