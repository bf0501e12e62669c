// The console's live parts, without a build step: the notification counter and toasts,
// who else is on a ticket (viewing or writing), and the keyboard shortcuts (? lists them).
(function () {
  "use strict";

  function socket(path, onMessage, onOpen) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var delay = 1000;
    var ws;
    function connect() {
      ws = new WebSocket(scheme + location.host + path);
      ws.onopen = function () { delay = 1000; if (onOpen) onOpen(ws); };
      ws.onmessage = function (e) { onMessage(JSON.parse(e.data), ws); };
      ws.onclose = function (e) {
        if (e.code === 4404) return;
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
    return function send(data) {
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(data));
    };
  }

  // Notifications: the counter, a toast, and the list when it is the page shown.
  var live = document.getElementById("console-live");
  if (live) {
    socket(live.dataset.notificationsSocket, function (data) {
      if (data.type !== "notification") return;
      var counter = document.getElementById("notice-count");
      if (counter) {
        counter.dataset.count = data.count;
        counter.textContent = data.count ? String(data.count) : "";
      }
      var link = document.createElement("a");
      link.href = live.dataset.notificationsUrl + data.item.id + "/";
      link.textContent = data.item.text;
      var list = document.getElementById("notification-list");
      if (list) {
        var item = document.createElement("li");
        item.className = "unread";
        item.appendChild(link.cloneNode(true));
        list.insertBefore(item, list.firstChild);
      }
      var toast = document.createElement("div");
      toast.className = "toast";
      toast.setAttribute("role", "status");
      toast.appendChild(link);
      document.body.appendChild(toast);
      setTimeout(function () { toast.remove(); }, 8000);
    });
  }

  // Presence: who else is on this ticket's page, and whether they are writing.
  var presence = document.getElementById("presence");
  var body = document.getElementById("id_body");
  if (presence) {
    var others = {};
    var mine = "viewing";
    var render = function () {
      var names = Object.keys(others).map(function (k) {
        var o = others[k];
        return o.name + " (" + (o.state === "typing" ? presence.dataset.typing : presence.dataset.viewing) + ")";
      });
      presence.textContent = names.join(" · ");
    };
    var send = socket(presence.dataset.socket, function (data, ws) {
      if (data.type !== "presence") return;
      if (data.state === "left") delete others[data.id];
      else others[data.id] = data;
      if (data.joined) ws.send(JSON.stringify({ state: mine }));
      render();
    }, function () { others = {}; render(); });
    if (body) {
      var idle;
      body.addEventListener("input", function () {
        if (mine !== "typing") { mine = "typing"; send({ state: mine }); }
        clearTimeout(idle);
        idle = setTimeout(function () { mine = "viewing"; send({ state: mine }); }, 5000);
      });
    }
  }

  // Keyboard shortcuts (not while writing in a field, except Ctrl+Enter to send).
  var help = document.getElementById("shortcuts");
  var intent = "reply";
  function toggleHelp(show) { if (help) help.hidden = show === undefined ? !help.hidden : !show; }
  document.querySelectorAll("[data-shortcuts-open]").forEach(function (b) { b.addEventListener("click", function () { toggleHelp(true); }); });
  document.querySelectorAll("[data-shortcuts-close]").forEach(function (b) { b.addEventListener("click", function () { toggleHelp(false); }); });
  function submitForm(selector) {
    var control = document.querySelector(selector);
    if (control) (control.form || control).requestSubmit();
  }
  var pending = "";
  document.addEventListener("keydown", function (e) {
    var field = e.target.closest("input, textarea, select, [contenteditable]");
    if (field) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && field === body) {
        e.preventDefault();
        var button = body.form.querySelector('button[name="kind"][value="' + intent + '"]');
        if (button) body.form.requestSubmit(button);
      }
      if (e.key === "Escape") field.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (pending === "g") {
      pending = "";
      if (e.key === "n" && live) { location.href = live.dataset.notificationsUrl; }
      return;
    }
    switch (e.key) {
      case "?": toggleHelp(); break;
      case "Escape": toggleHelp(false); break;
      case "g": pending = "g"; break;
      case "r":
      case "n":
        if (!body) return;
        intent = e.key === "r" ? "reply" : "note";
        body.dataset.intent = intent;
        body.focus();
        break;
      case "a": submitForm('form[action$="/atribuir/"] input[name="assignee"][value="me"]'); break;
      case "c": submitForm('form[action$="/fechar/"]'); break;
      case "j": if (presence) location.href = presence.dataset.nextUrl; break;
      default: return;
    }
    e.preventDefault();
  });
})();
