// The Dealbook web shell's own script, loaded on every page. The Content-Security-Policy
// allows scripts from this site only (no inline script, no eval), so page behaviour lives
// in static files like this one.
(function () {
  "use strict";

  var SAFE_METHODS = /^(GET|HEAD|OPTIONS|TRACE)$/;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests that change something carry the CSRF token, as Django expects.
  document.addEventListener("htmx:config:request", function (event) {
    var request = event.detail && event.detail.ctx && event.detail.ctx.request;
    if (request && !SAFE_METHODS.test(request.method || "GET")) {
      request.headers["X-CSRFToken"] = csrfToken();
    }
  });
})();
