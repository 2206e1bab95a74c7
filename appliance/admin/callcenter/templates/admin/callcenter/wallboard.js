/* The wallboard: the agency's operators and queues over its WebSocket (agency/wallboard/board.py).
   Texts come translated from the page (wallboard-texts); every value is set as text, never HTML. */
(function () {
  "use strict";
  var root = document.getElementById("wallboard");
  var texts = JSON.parse(document.getElementById("wallboard-texts").textContent);
  var canBarge = root.dataset.canBarge === "1";
  var operators = new Map();
  var queues = new Map();
  var offset = 0; // agency clock - browser clock, seconds
  var socket = null;
  var canSpy = false;
  var retry = 1000;
  var spyId = 0;
  var PAUSE_WARN = 600, PAUSE_ALARM = 900; // seconds in a pause
  var SL_WARN = 90, SL_ALARM = 80; // service level, percent

  function now() { return Date.now() / 1000 + offset; }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (m < 10 ? "0" : "") + m, ss = (s < 10 ? "0" : "") + s;
    return h > 0 ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  function link(up) {
    var p = document.getElementById("wallboard-link");
    p.textContent = up ? texts.connected : texts.disconnected;
    p.className = up ? "link-ok" : "link-down";
  }

  function spyStatus(text) {
    var status = document.getElementById("wallboard-spy-status");
    if (status) { status.textContent = text; }
  }

  function post(url, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf },
      body: body,
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) { throw new Error(json.error || response.statusText); }
        return json;
      });
    });
  }

  function spy(agent, mode) {
    var select = document.getElementById("wallboard-workplace");
    var workplace = select ? select.value : "";
    if (!workplace) { spyStatus(texts.no_workplace); return; }
    try { localStorage.setItem("uzor-wallboard-workplace", workplace); } catch (e) { /* private mode */ }
    post(root.dataset.spyUrl, { agent: agent, mode: mode, workplace: workplace })
      .then(function (json) {
        spyId += 1;
        socket.send(JSON.stringify({ type: "spy", id: spyId, ticket: json.ticket }));
      })
      .catch(function (error) { spyStatus(error.message); });
  }

  function operatorRow(op) {
    var tr = document.createElement("tr");
    tr.dataset.agent = op.agent;
    tr.dataset.state = op.state;
    cell(tr, op.agent);
    cell(tr, op.name);
    cell(tr, op.workplace);
    cell(tr, texts[op.mode] || op.mode);
    var state = cell(tr, "");
    var badge = document.createElement("span");
    badge.className = "state state-" + op.state;
    badge.textContent = texts[op.state] || op.state;
    state.appendChild(badge);
    var reason = op.reason && op.reason !== op.state ? op.reason : "";
    if (!op.connected) { reason = (reason ? reason + ", " : "") + texts.disconnected_terminal; }
    cell(tr, reason, "reason");
    var since = cell(tr, "", "since");
    since.dataset.since = op.since;
    since.dataset.pause = op.state === "pause" ? "1" : "0";
    var call = op.call;
    cell(tr, call ? call.number : "", "call");
    cell(tr, call ? (call.topic || call.group) : "", "topic");
    if (canBarge) {
      var actions = cell(tr, "", "spy");
      if (canSpy && call && (call.state === "talking" || call.state === "hold")) {
        ["listen", "whisper", "barge"].forEach(function (mode) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button spy-" + mode;
          button.textContent = texts[mode];
          button.addEventListener("click", function () { spy(op.agent, mode); });
          actions.appendChild(button);
        });
      }
    }
    return tr;
  }

  function queueRow(q) {
    var tr = document.createElement("tr");
    tr.dataset.queue = q.name;
    cell(tr, q.name);
    cell(tr, q.waiting, "waiting");
    var wait = cell(tr, "", "longest");
    wait.dataset.since = q.oldest_since === null ? "" : q.oldest_since;
    wait.dataset.threshold = q.threshold;
    cell(tr, q.answered, "answered");
    cell(tr, q.abandoned, "abandoned");
    var level = q.service_level;
    var sl = cell(tr, level === null ? "—" : level + " %", "service-level");
    if (level !== null) { sl.className += level < SL_ALARM ? " alarm" : level < SL_WARN ? " warn" : ""; }
    return tr;
  }

  function render(table, items, make, empty) {
    var body = document.querySelector(table + " tbody");
    var keys = Array.from(items.keys()).sort(function (a, b) { return a.localeCompare(b, undefined, { numeric: true }); });
    body.replaceChildren.apply(body, keys.map(function (k) { return make(items.get(k)); }));
    if (!keys.length) {
      var tr = document.createElement("tr");
      var td = cell(tr, empty);
      td.colSpan = 10;
      body.appendChild(tr);
    }
    tick();
  }

  function showOperators() { render("#wallboard-operators", operators, operatorRow, texts.no_operators); }
  function showQueues() { render("#wallboard-queues", queues, queueRow, texts.no_queues); }

  function tick() {
    var t = now();
    document.querySelectorAll("#wallboard-operators td.since").forEach(function (td) {
      var seconds = t - Number(td.dataset.since);
      td.textContent = duration(seconds);
      var pause = td.dataset.pause === "1";
      td.className = "since" + (pause && seconds >= PAUSE_ALARM ? " alarm" : pause && seconds >= PAUSE_WARN ? " warn" : "");
    });
    document.querySelectorAll("#wallboard-queues td.longest").forEach(function (td) {
      if (td.dataset.since === "") { td.textContent = "—"; td.className = "longest"; return; }
      var seconds = t - Number(td.dataset.since), limit = Number(td.dataset.threshold);
      td.textContent = duration(seconds);
      td.className = "longest" + (seconds >= limit ? " alarm" : seconds >= limit / 2 ? " warn" : "");
    });
  }

  // one row changed: only it is redrawn (a new one redraws the table, in order)
  function replace(table, attribute, items, key, item, make, all) {
    var had = items.has(key);
    items.set(key, item);
    var old = had ? document.querySelector(table + " tr[data-" + attribute + "=\"" + CSS.escape(key) + "\"]") : null;
    if (old) { old.replaceWith(make(item)); tick(); } else { all(); }
  }

  function receive(message) {
    if (message.type === "snapshot") {
      offset = message.now - Date.now() / 1000;
      canSpy = !!message.can_spy;
      operators = new Map(message.operators.map(function (o) { return [o.agent, o]; }));
      queues = new Map(message.queues.map(function (q) { return [q.name, q]; }));
      showOperators();
      showQueues();
    } else if (message.type === "operator") {
      replace("#wallboard-operators", "agent", operators, message.operator.agent, message.operator, operatorRow, showOperators);
    } else if (message.type === "operator_gone") {
      operators.delete(message.agent);
      showOperators();
    } else if (message.type === "queue") {
      replace("#wallboard-queues", "queue", queues, message.queue.name, message.queue, queueRow, showQueues);
    } else if (message.type === "spy_result") {
      spyStatus(message.ok ? texts.spy_sent : message.message);
    }
  }

  function address() {
    var url = root.dataset.url;
    if (/^wss?:\/\//.test(url)) { return url; }
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + url;
  }

  function connect() {
    post(root.dataset.tokenUrl).then(function (json) {
      socket = new WebSocket(address());
      socket.addEventListener("open", function () {
        socket.send(JSON.stringify({ type: "auth", token: json.token }));
      });
      socket.addEventListener("message", function (event) {
        if (retry !== 1000) { retry = 1000; }
        link(true);
        receive(JSON.parse(event.data));
      });
      socket.addEventListener("close", again);
    }).catch(again);
  }

  function again() {
    link(false);
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 30000);
  }

  var saved = null;
  try { saved = localStorage.getItem("uzor-wallboard-workplace"); } catch (e) { /* private mode */ }
  var select = document.getElementById("wallboard-workplace");
  if (select && saved) { select.value = saved; }
  setInterval(tick, 1000);
  connect();
})();
