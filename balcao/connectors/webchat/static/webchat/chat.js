// The chat's socket: live messages in, messages out; reconnects with back-off asking for what
// it missed (?after=<last id>). Without a socket, the plain forms post as usual.
(function () {
  "use strict";
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";

  function socketLoop(path, onMessage, onState) {
    var failures = 0;
    var socket = null;
    function open() {
      socket = new WebSocket(scheme + location.host + path());
      socket.onopen = function () { failures = 0; onState(true); };
      socket.onmessage = function (event) { onMessage(JSON.parse(event.data)); };
      socket.onclose = function (event) {
        socket = null;
        onState(false);
        if (event.code === 4403 || event.code === 4404 || failures >= 10) return;
        failures += 1;
        setTimeout(open, Math.min(1000 * Math.pow(2, failures), 30000));
      };
    }
    open();
    return function () { return socket && socket.readyState === WebSocket.OPEN ? socket : null; };
  }

  var chat = document.querySelector("[data-chat-socket]");
  if (chat) {
    var log = chat.querySelector("[data-chat-log]");
    var status = chat.querySelector("[data-chat-status]");
    var form = chat.querySelector("[data-chat-form]");
    var lastId = Number(chat.dataset.lastId || 0);

    var add = function (m) {
      if (m.id <= lastId) return;
      lastId = m.id;
      var item = document.createElement("li");
      item.className = "chat-msg" + (m.staff ? " staff" : "") + (m.internal ? " internal" : "");
      var who = document.createElement("strong");
      who.textContent = m.author;
      var at = document.createElement("time");
      at.textContent = m.at;
      var body = document.createElement("p");
      body.textContent = m.body;
      item.append(who, " ", at, body);
      log.append(item);
      item.scrollIntoView({ block: "end" });
    };

    var live = socketLoop(
      function () { return chat.dataset.chatSocket + "?after=" + lastId; },
      function (data) {
        if (data.type === "message") add(data);
        else if (data.type === "error" || data.type === "refused") status.textContent = data.reason;
        else if (data.type === "joined" && status.dataset.joinedText) {
          status.textContent = status.dataset.joinedText.replace("{agent}", data.agent);
        } else if (data.type === "ended" || data.type === "joined") location.reload();
      },
      function (up) {
        chat.dataset.live = up ? "on" : "off";
        status.textContent = up ? status.dataset.liveText : status.dataset.offlineText;
      }
    );

    if (form) {
      form.addEventListener("submit", function (event) {
        var socket = live();
        var text = form.elements.body.value.trim();
        if (!socket || !text) return;  // no socket: the form posts
        event.preventDefault();
        var internal = form.elements.internal ? form.elements.internal.checked : false;
        socket.send(JSON.stringify({ type: "message", body: text, internal: internal }));
        form.elements.body.value = "";
      });
    }
  }

  var queue = document.querySelector("[data-chat-queue]");
  if (queue) {
    socketLoop(
      function () { return queue.dataset.chatQueue; },
      function () {
        fetch(queue.dataset.panelUrl, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) { if (html !== null) queue.innerHTML = html; });
      },
      function () {}
    );
  }
})();
