/*
 * kefu web chat widget (issue 18): a company puts on its site
 *
 *   <script src="https://KEFU-SERVER/widget/kefu-chat.js" data-account="ID" async></script>
 *
 * and its visitors get a chat button, a chat panel with the agent's typing,
 * file sending, a rating at the end, and a "leave a message" form when
 * nobody is available. No framework and no innerHTML: every text is set as
 * text. It talks to /api/public/chat/{account}/ on the server it came from
 * (docs/chan.md, "Web chat"); the visitor's token is kept in this site's
 * localStorage. Optional attributes: data-title, data-color, data-lang="en".
 */
(function () {
  'use strict';
  if (window.KefuChat) return;

  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) if (/kefu-chat\.js/.test(all[i].src)) return all[i];
    return null;
  })();
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var account = script.getAttribute('data-account') || '1';
  var color = script.getAttribute('data-color') || '#1677ff';
  var en = script.getAttribute('data-lang') === 'en';
  var api = base + '/api/public/chat/' + encodeURIComponent(account) + '/';
  var storeKey = 'kefu-chat:' + base + ':' + account;
  var FILE_MAX = 5 * 1024 * 1024;

  var T = en ? {
    button: 'Chat with us', title: 'Customer service', placeholder: 'Type a message, Enter to send',
    send: 'Send', file: 'File', typing: 'The agent is typing…', close: 'Close',
    welcome: 'Hello! How can we help you?', waiting: 'Connecting you to an agent…',
    offline: 'No agent is available right now. Leave a message and we will answer today.',
    name: 'Your name', phone: 'Phone', message: 'Your message', leave: 'Leave a message',
    left: 'Your message was received; we will answer you today.',
    ended: 'The chat has ended. How was our service?', rate: 'Rate', thanks: 'Thank you for your rating!',
    tooBig: 'Files up to 5 MB only', failed: 'Not sent, try again', rateNow: 'Rate us', you: 'You',
    joined: '{a} is here to help you'
  } : {
    button: '在线客服', title: '在线客服', placeholder: '请输入消息，按 Enter 发送',
    send: '发送', file: '文件', typing: '客服正在输入…', close: '关闭',
    welcome: '您好！请问有什么可以帮您？', waiting: '正在为您接入客服…',
    offline: '当前没有客服在线，请留言，我们会在今天内回复您。',
    name: '您的称呼', phone: '手机号码', message: '留言内容', leave: '提交留言',
    left: '您的留言已收到，我们会在今天内回复您。',
    ended: '本次会话已结束，请为我们的服务评分', rate: '提交评价', thanks: '感谢您的评价！',
    tooBig: '文件不能超过 5 MB', failed: '发送失败，请重试', rateNow: '评价', you: '我',
    joined: '{a} 为您服务'
  };

  var css = '' +
    '.kefu-cw-btn{position:fixed;right:24px;bottom:24px;z-index:2147483000;border:0;border-radius:24px;' +
    'padding:12px 20px;color:#fff;font:15px/1.2 system-ui,sans-serif;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2)}' +
    '.kefu-cw-panel{position:fixed;right:24px;bottom:84px;z-index:2147483000;width:340px;height:480px;max-height:calc(100vh - 100px);' +
    'display:none;flex-direction:column;background:#fff;border-radius:10px;box-shadow:0 8px 30px rgba(0,0,0,.25);' +
    'font:14px/1.5 system-ui,sans-serif;color:#222;overflow:hidden}' +
    '.kefu-cw-panel.open{display:flex}' +
    '.kefu-cw-head{display:flex;align-items:center;padding:10px 14px;color:#fff}' +
    '.kefu-cw-head b{flex:1}.kefu-cw-head button{background:none;border:0;color:#fff;cursor:pointer;font-size:14px;margin-left:8px}' +
    '.kefu-cw-log{flex:1;overflow-y:auto;padding:10px;background:#f5f6f8}' +
    '.kefu-cw-msg{margin:6px 0;display:flex;flex-direction:column}' +
    '.kefu-cw-msg span{max-width:80%;padding:7px 10px;border-radius:8px;white-space:pre-wrap;word-break:break-word}' +
    '.kefu-cw-msg small{color:#888;font-size:11px;margin:0 4px}' +
    '.kefu-cw-agent{align-items:flex-start}.kefu-cw-agent span{background:#fff}' +
    '.kefu-cw-visitor{align-items:flex-end}.kefu-cw-visitor span{background:#d6e8ff}' +
    '.kefu-cw-filelink{display:inline-block;margin-top:4px;max-width:80%;word-break:break-all}' +
    '.kefu-cw-sys{text-align:center;color:#888;font-size:12px;margin:8px 0}' +
    '.kefu-cw-typing{height:18px;padding:0 12px;color:#888;font-size:12px}' +
    '.kefu-cw-foot{display:flex;gap:6px;padding:8px;border-top:1px solid #eee;align-items:flex-end}' +
    '.kefu-cw-foot textarea{flex:1;resize:none;height:40px;border:1px solid #ddd;border-radius:6px;padding:6px;font:inherit}' +
    '.kefu-cw-foot button,.kefu-cw-form button,.kefu-cw-rate button{border:0;border-radius:6px;padding:7px 12px;color:#fff;cursor:pointer}' +
    '.kefu-cw-foot .kefu-cw-file{background:#888}' +
    '.kefu-cw-form{display:flex;flex-direction:column;gap:6px;padding:10px}' +
    '.kefu-cw-form input,.kefu-cw-form textarea{border:1px solid #ddd;border-radius:6px;padding:6px;font:inherit}' +
    '.kefu-cw-rate{text-align:center;padding:8px;background:#fff;border-radius:8px;margin:8px 0}' +
    '.kefu-cw-stars button{background:none;color:#ccc;font-size:24px;padding:0 3px}' +
    '.kefu-cw-stars button.on{color:#fadb14}';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  var state = { token: null, seen: {}, stream: null, open: false, convId: null, ended: false,
    rated: {}, typingSent: 0, available: true, offline: false, pending: [] };
  try { state.token = localStorage.getItem(storeKey); } catch (e) { /* private mode */ }

  var style = el('style');
  style.textContent = css;
  var btn = el('button', 'kefu-cw-btn', T.button);
  btn.type = 'button';
  btn.style.background = color;
  var panel = el('div', 'kefu-cw-panel');
  panel.setAttribute('role', 'dialog');
  var head = el('div', 'kefu-cw-head');
  head.style.background = color;
  var title = el('b', null, script.getAttribute('data-title') || T.title);
  var rateBtn = el('button', 'kefu-cw-ratebtn', T.rateNow);
  rateBtn.type = 'button';
  rateBtn.style.display = 'none';
  var closeBtn = el('button', 'kefu-cw-close', '×');
  closeBtn.type = 'button';
  closeBtn.title = T.close;
  head.appendChild(title); head.appendChild(rateBtn); head.appendChild(closeBtn);
  var log = el('div', 'kefu-cw-log');
  var typingLine = el('div', 'kefu-cw-typing');
  var foot = el('div', 'kefu-cw-foot');
  var input = el('textarea', 'kefu-cw-input');
  input.placeholder = T.placeholder;
  input.maxLength = 2000;
  var fileInput = el('input');
  fileInput.type = 'file';
  fileInput.accept = 'image/jpeg,image/png,image/webp,application/pdf';
  fileInput.style.display = 'none';
  var fileBtn = el('button', 'kefu-cw-file', T.file);
  fileBtn.type = 'button';
  var sendBtn = el('button', 'kefu-cw-send', T.send);
  sendBtn.type = 'button';
  sendBtn.style.background = color;
  foot.appendChild(input); foot.appendChild(fileInput); foot.appendChild(fileBtn); foot.appendChild(sendBtn);
  panel.appendChild(head); panel.appendChild(log); panel.appendChild(typingLine); panel.appendChild(foot);

  function mount() {
    document.head.appendChild(style);
    document.body.appendChild(btn);
    document.body.appendChild(panel);
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);

  function scroll() { log.scrollTop = log.scrollHeight; }
  function sys(text, cls) {
    var d = el('div', 'kefu-cw-sys' + (cls ? ' ' + cls : ''), text);
    log.appendChild(d); scroll();
    return d;
  }
  // A file of the conversation: images shown small, anything else a link (the token in
  // the address, as an <img> cannot send headers).
  function fileLink(f) {
    var url = api + 'files/' + f.id + '?token=' + encodeURIComponent(state.token);
    var a = el('a', 'kefu-cw-filelink');
    a.href = url;
    a.target = '_blank';
    a.rel = 'noopener';
    if (/^image\//.test(f.type)) {
      var img = el('img');
      img.src = url;
      img.alt = f.name;
      img.style.maxWidth = '180px';
      img.style.maxHeight = '140px';
      a.appendChild(img);
    } else {
      a.textContent = '📎 ' + f.name;
    }
    return a;
  }

  function bubble(from, text, who, id, files) {
    if (id && state.seen[id]) return state.seen[id];
    var d = el('div', 'kefu-cw-msg kefu-cw-' + from);
    if (who) d.appendChild(el('small', null, who));
    if (files && files.length && text === '[文件]') text = null;
    if (text) d.appendChild(el('span', null, text));
    (files || []).forEach(function (f) { d.appendChild(fileLink(f)); });
    if (id) { state.seen[id] = d; d.setAttribute('data-id', id); }
    log.appendChild(d); scroll();
    return d;
  }

  function call(path, body, headers) {
    var h = { 'Content-Type': 'application/json' };
    if (state.token) h['X-Visitor-Token'] = state.token;
    for (var k in headers || {}) h[k] = headers[k];
    return fetch(api + path, {
      method: 'POST', headers: h, mode: 'cors', credentials: 'omit',
      body: body instanceof Blob ? body : JSON.stringify(body || {})
    }).then(function (r) {
      if (r.status === 204) return {};
      return r.json().then(function (j) {
        if (!r.ok) { var e = new Error((j.error && j.error.message) || r.status); e.status = r.status; throw e; }
        return j;
      });
    });
  }

  function startSession(extra) {
    var body = extra || {};
    if (state.token) body.token = state.token;
    return call('session', body).then(function (s) {
      if (s.token) {
        state.token = s.token;
        try { localStorage.setItem(storeKey, s.token); } catch (e) { /* private mode */ }
      }
      if (s.title && !script.getAttribute('data-title')) title.textContent = s.title;
      state.available = s.available;
      var c = s.conversation;
      state.convId = c && c.state !== 'resolved' ? c.id : null;
      if (c && c.has_agent && !c.rating) rateBtn.style.display = '';
      return s;
    });
  }

  function openStream() {
    if (state.stream) return;
    var es = new EventSource(api + 'stream?token=' + encodeURIComponent(state.token));
    state.stream = es;
    es.addEventListener('message', function (ev) {
      var m = JSON.parse(ev.data);
      state.convId = m.conv_id;
      if (m.from === 'agent') {
        bubble('agent', m.text, m.agent, m.id, m.files);
        rateBtn.style.display = state.rated[m.conv_id] ? 'none' : '';
        typingLine.textContent = '';
      } else if (!state.seen[m.id]) {
        // The echo of a message this page sent may come before its POST's answer:
        // it takes the bubble already shown rather than showing it twice.
        var i = state.pending.findIndex(function (p) { return p.text === m.text; });
        if (i >= 0) {
          var p = state.pending.splice(i, 1)[0];
          state.seen[m.id] = p.el;
          p.el.setAttribute('data-id', m.id);
        } else {
          bubble('visitor', m.text, null, m.id, m.files);
        }
      }
    });
    es.addEventListener('typing', function (ev) {
      typingLine.textContent = JSON.parse(ev.data).typing ? T.typing : '';
    });
    // An agent took the chat (or it was transferred).
    es.addEventListener('agent', function (ev) {
      var a = JSON.parse(ev.data);
      if (a.agent !== state.agent) { state.agent = a.agent; sys(T.joined.replace('{a}', a.agent), 'kefu-cw-joined'); }
    });
    // Nobody took the chat in time: it is a web message now, answered today.
    es.addEventListener('notice', function (ev) {
      var n = JSON.parse(ev.data);
      if (!state.offline) { state.offline = true; sys(n.text, 'kefu-cw-notice'); }
    });
    es.addEventListener('end', function (ev) {
      var c = JSON.parse(ev.data).conv_id;
      typingLine.textContent = '';
      state.convId = null;
      showRating(c);
    });
  }

  function showRating(convId) {
    if (state.rated[convId] || panel.querySelector('.kefu-cw-rate[data-conv="' + convId + '"]')) return;
    var box = el('div', 'kefu-cw-rate');
    box.setAttribute('data-conv', convId);
    box.appendChild(el('div', null, T.ended));
    var stars = el('div', 'kefu-cw-stars'), chosen = 0;
    for (var i = 1; i <= 5; i++) (function (n) {
      var b = el('button', null, '★');
      b.type = 'button';
      b.setAttribute('data-rating', n);
      b.title = n;
      b.onclick = function () {
        chosen = n;
        var all = stars.querySelectorAll('button');
        for (var j = 0; j < all.length; j++) all[j].className = j < n ? 'on' : '';
      };
      stars.appendChild(b);
    })(i);
    var go = el('button', 'kefu-cw-rate-send', T.rate);
    go.type = 'button';
    go.style.background = color;
    go.onclick = function () {
      if (!chosen) return;
      go.disabled = true;
      call('rating', { rating: chosen }).then(function () {
        state.rated[convId] = 1;
        rateBtn.style.display = 'none';
        box.textContent = T.thanks;
      }, function (e) { go.disabled = false; sys(e.message); });
    };
    box.appendChild(stars); box.appendChild(go);
    log.appendChild(box); scroll();
  }

  function cid() {
    return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
  }

  function send(text, extra) {
    text = (text || '').trim();
    if (!text) return Promise.resolve();
    var pending = bubble('visitor', text, null, null);
    var entry = { text: text, el: pending };
    state.pending.push(entry);
    var body = { text: text, client_id: cid() };
    for (var k in extra || {}) if (extra[k]) body[k] = extra[k];
    return call('messages', body).then(function (r) {
      var i = state.pending.indexOf(entry);
      if (i >= 0) state.pending.splice(i, 1);
      if (!state.seen[r.id]) {
        state.seen[r.id] = pending;
        pending.setAttribute('data-id', r.id);
      }
      state.convId = r.conv_id;
      if (r.mode === 'message' && r.notice && !state.offline) { state.offline = true; sys(r.notice); }
      else if (r.mode === 'chat' && !state.greeted) { state.greeted = true; }
    }, function (e) {
      var i = state.pending.indexOf(entry);
      if (i >= 0) state.pending.splice(i, 1);
      pending.appendChild(el('small', 'kefu-cw-failed', T.failed + '（' + e.message + '）'));
    });
  }

  function sendFile(file) {
    if (!file) return;
    if (file.size > FILE_MAX) { sys(T.tooBig); return; }
    // The echo of a file is the text kefu stores for it, [文件]: it finds this bubble.
    var pending = bubble('visitor', '[文件] ' + file.name, null, null);
    var entry = { text: '[文件]', el: pending };
    state.pending.push(entry);
    call('files', file, { 'Content-Type': file.type || 'application/octet-stream',
      'X-Filename': encodeURIComponent(file.name) }).then(function (r) {
      var i = state.pending.indexOf(entry);
      if (i >= 0) state.pending.splice(i, 1);
      if (!state.seen[r.id]) { state.seen[r.id] = pending; pending.setAttribute('data-id', r.id); }
    }, function (e) {
      pending.appendChild(el('small', 'kefu-cw-failed', T.failed + '（' + e.message + '）'));
    });
  }

  function leaveForm() {
    var f = el('div', 'kefu-cw-form');
    f.appendChild(el('div', null, T.offline));
    var name = el('input', 'kefu-cw-name'); name.placeholder = T.name; name.maxLength = 32;
    var phone = el('input', 'kefu-cw-phone'); phone.placeholder = T.phone; phone.maxLength = 20;
    phone.inputMode = 'tel';
    var text = el('textarea', 'kefu-cw-leave-text'); text.placeholder = T.message; text.rows = 4;
    text.maxLength = 2000;
    var go = el('button', 'kefu-cw-leave', T.leave);
    go.type = 'button';
    go.style.background = color;
    go.onclick = function () {
      if (!text.value.trim()) { text.focus(); return; }
      go.disabled = true;
      state.offline = true;
      send(text.value, { name: name.value.trim(), phone: phone.value.trim() }).then(function () {
        f.remove();
        sys(T.left, 'kefu-cw-left');
        foot.style.display = '';
      });
    };
    f.appendChild(name); f.appendChild(phone); f.appendChild(text); f.appendChild(go);
    log.appendChild(f);
    foot.style.display = 'none';
  }

  var started = null;
  function open() {
    panel.classList.add('open');
    state.open = true;
    if (!started) {
      started = startSession().then(function (s) {
        if (s.welcome || T.welcome) sys(s.welcome || T.welcome);
        openStream();
        if (!s.available && !state.convId) leaveForm();
        else if (!state.convId) sys(T.waiting);
      }, function (e) { started = null; sys(e.message); });
    }
    setTimeout(function () { input.focus(); }, 0);
    return started;
  }
  function close() { panel.classList.remove('open'); state.open = false; }

  btn.onclick = function () { state.open ? close() : open(); };
  closeBtn.onclick = close;
  rateBtn.onclick = function () { if (state.convId || Object.keys(state.seen).length) showRating(state.convId || 'now'); };
  sendBtn.onclick = function () { var v = input.value; input.value = ''; send(v); };
  fileBtn.onclick = function () { fileInput.click(); };
  fileInput.onchange = function () { sendFile(fileInput.files[0]); fileInput.value = ''; };
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendBtn.onclick();
    }
  });
  input.addEventListener('input', function () {
    var now = Date.now();
    if (!state.token || now - state.typingSent < 3000 || !input.value) return;
    state.typingSent = now;
    call('typing', { typing: true }).catch(function () { /* only a hint */ });
  });

  window.KefuChat = { open: open, close: close, send: send };
})();
