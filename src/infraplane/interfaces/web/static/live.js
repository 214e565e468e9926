/* Follows a proposal's plan or apply on its page (web/live.py): each line as it comes, then a reload
   when the run ends, so the final status shows without anyone reloading. Without it, <noscript> refreshes. */
(function () {
  "use strict";
  var log = document.querySelector("[data-follow]");
  if (!log || !window.EventSource) {
    return;
  }
  var state = document.getElementById("live-state");
  var source = new EventSource(log.getAttribute("data-follow"));
  var fresh = true;
  source.addEventListener("line", function (message) {
    if (fresh) {
      log.textContent = "";  // the stream sends the run from its first line
      fresh = false;
    }
    var item = document.createElement("li");
    item.textContent = JSON.parse(message.data).line;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  });
  source.addEventListener("end", function () {
    source.close();
    if (state) {
      state.textContent = "Finished; showing the result…";
    }
    window.location.reload();
  });
  source.onerror = function () {
    // The connection dropped (a restart, a proxy): show the page afresh in a moment rather than lines twice.
    source.close();
    window.setTimeout(function () { window.location.reload(); }, 3000);
  };
})();
