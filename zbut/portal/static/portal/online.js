// Data Base ONLINE: new rows arrive over Server-Sent Events and go on top without a reload.
// EventSource reconnects by itself and sends Last-Event-ID, so the server resends what we missed.
(function () {
  "use strict";
  var table = document.getElementById("online-table");
  if (!table || !table.dataset.stream || !window.EventSource) { return; }
  var rows = document.getElementById("online-rows");
  var status = document.getElementById("online-status");
  var seen = {};
  rows.querySelectorAll("tr[data-event-id]").forEach(function (tr) { seen[tr.dataset.eventId] = true; });

  function say(text, ok) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("is-live", ok);
  }

  function bump(name) {
    var counter = document.querySelector("[data-counter='" + name + "']");
    if (counter) { counter.textContent = String(parseInt(counter.textContent, 10) + 1); }
  }

  var source = new EventSource(table.dataset.stream);
  source.onopen = function () { say(status.dataset.connectedText, true); };
  source.onerror = function () { say(status.dataset.lostText, false); };
  source.addEventListener("row", function (message) {
    var data = JSON.parse(message.data);
    if (seen[data.id]) { return; }
    seen[data.id] = true;
    var empty = rows.querySelector(".online__empty");
    if (empty) { empty.remove(); }
    var holder = document.createElement("tbody");
    holder.innerHTML = data.html;
    var row = holder.firstElementChild;
    row.classList.add("is-new");
    rows.insertBefore(row, rows.firstChild);
    if (data.today && data.is_call) {
      bump("calls");
      if (data.kind === "outcome") { bump("outcomes"); }
    }
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
