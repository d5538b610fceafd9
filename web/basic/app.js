// The first page of kefu: log in, then see the center's departments and
// people through the API. The full workbench replaces it; this page uses
// only the documented API, inserts user text as text (never as HTML), and
// sends the CSRF token on writes.
"use strict";

const T = {
  zh: { title: "客服中心", work_no: "工号", password: "密码", login: "登录", logout: "退出",
        departments: "部门", people: "人员", name: "名称", kind: "类型", head: "负责人",
        roles: "角色", department: "部门", superior: "直接上级", phone: "电话",
        failed: "工号或密码错误", locked: "登录失败次数过多，请稍后再试", lang: "English" },
  en: { title: "Customer service center", work_no: "Work no.", password: "Password", login: "Log in",
        logout: "Log out", departments: "Departments", people: "People", name: "Name", kind: "Kind",
        head: "Head", roles: "Roles", department: "Department", superior: "Superior", phone: "Phone",
        failed: "Wrong work number or password", locked: "Too many failed logins; try again later",
        lang: "中文" },
};
let lang = localStorage.getItem("kefu.lang") || "zh";
let csrf = "";

function t(key) { return T[lang][key] || key; }

function translate() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  document.getElementById("lang").textContent = t("lang");
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  const resp = await fetch(path, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = resp.status === 204 ? null : await resp.json();
  if (!resp.ok) throw Object.assign(new Error(data.error.message), { status: resp.status });
  return data;
}

async function all(path) {
  let items = [], cursor = null;
  do {
    const page = await api("GET", path + "?limit=500" + (cursor ? "&cursor=" + cursor : ""));
    items = items.concat(page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

function row(tbody, cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = c == null ? "" : String(c);
    tr.appendChild(td);
  }
  tbody.appendChild(tr);
}

async function showDirectory(me) {
  csrf = me.csrf_token;
  document.getElementById("who").textContent = me.name + " (" + me.work_no + ")";
  document.getElementById("login").hidden = true;
  document.getElementById("logout").hidden = false;
  document.getElementById("directory").hidden = false;
  const [depts, people] = await Promise.all([all("/api/departments"), all("/api/people")]);
  const byId = new Map(people.map((p) => [p.id, p]));
  const deptName = new Map(depts.map((d) => [d.id, d.name]));
  const dt = document.querySelector("#departments tbody");
  const pt = document.querySelector("#people tbody");
  dt.replaceChildren();
  pt.replaceChildren();
  for (const d of depts) row(dt, [d.name, d.kind, byId.get(d.head_id)?.name]);
  for (const p of people)
    row(pt, [p.work_no, p.name, p.roles.join(", "), deptName.get(p.department_id),
             byId.get(p.superior_id)?.name, p.phone]);
}

document.getElementById("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const err = document.getElementById("error");
  err.textContent = "";
  try {
    await api("POST", "/api/login", { work_no: f.get("work_no"), password: f.get("password") });
    await showDirectory(await api("GET", "/api/me"));
  } catch (e) {
    err.textContent = e.status === 429 ? t("locked") : e.status === 401 ? t("failed") : e.message;
  }
});

document.getElementById("logout").addEventListener("click", async () => {
  await api("POST", "/api/logout");
  location.reload();
});

document.getElementById("lang").addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("kefu.lang", lang);
  translate();
});

translate();
api("GET", "/api/me").then(showDirectory).catch(() => {});
