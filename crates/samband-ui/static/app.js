// Progressive enhancement only: every page works without JavaScript.
document.documentElement.classList.add("js");

// Live inbox: the server sends the unread count at once and whenever something changes
// for the signed-in person (server-sent events). The badge follows it, and parts of the
// page marked data-live-refresh reload themselves.
(function () {
  var link = document.getElementById("nav-inbox");
  if (!link || !window.EventSource) return;
  var badge = document.getElementById("unread-badge");
  var count = document.getElementById("unread-count");
  var first = true;
  var source = new EventSource(link.getAttribute("data-events"));
  source.addEventListener("unread", function (ev) {
    var n = parseInt(ev.data, 10);
    if (isNaN(n) || n < 0) return;
    count.textContent = String(n);
    badge.hidden = n === 0;
    document.body.setAttribute("data-unread", String(n));
    if (first) { first = false; return; }
    refreshLiveParts();
  });
  window.addEventListener("pagehide", function () { source.close(); });

  function hasUnsaved(el) {
    var fields = el.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "hidden" || f.type === "submit") continue;
      if (f.type === "checkbox" || f.type === "radio") {
        if (f.checked !== f.defaultChecked) return true;
      } else if (f.tagName === "SELECT") {
        var initial = 0;
        for (var j = 0; j < f.options.length; j++) {
          if (f.options[j].defaultSelected) { initial = j; break; }
        }
        if (f.selectedIndex !== initial) return true;
      } else if (f.value !== f.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function refreshLiveParts() {
    var parts = document.querySelectorAll("[data-live-refresh]");
    parts.forEach(function (el) {
      // Never replace a part someone is typing in, or has typed in and not saved.
      if (el.contains(document.activeElement) && document.activeElement.tagName !== "BODY") return;
      if (hasUnsaved(el)) return;
      fetch(el.getAttribute("data-live-refresh"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(el.id);
          if (fresh) {
            el.replaceWith(fresh);
            document.body.setAttribute("data-refreshed", String(Date.now()));
          }
        })
        .catch(function () { /* the next change tries again */ });
    });
  }
})();
