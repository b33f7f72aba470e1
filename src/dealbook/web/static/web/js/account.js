// The account page: the quick log form. htmx posts it and swaps the answer in (the fresh form,
// and the timeline with the new entry, out of band): no page load. This file only shows the
// due-date field when the entry is a task, and brings the new entry into view.
(function () {
  "use strict";

  function syncDueField(form) {
    if (!form) {
      return;
    }
    var checked = form.querySelector('input[name="kind"]:checked');
    var due = form.querySelector(".due-field");
    if (due) {
      due.hidden = !checked || checked.value !== "task";
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "kind") {
      syncDueField(event.target.closest(".log-form"));
    }
  });

  document.addEventListener("htmx:after:swap", function () {
    syncDueField(document.getElementById("log-form"));
    var added = document.querySelector("#account-timeline .timeline-entry.is-new");
    if (added && added.scrollIntoView) {
      added.scrollIntoView({ block: "nearest" });
    }
  });

  function start() {
    syncDueField(document.getElementById("log-form"));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
