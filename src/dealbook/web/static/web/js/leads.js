// The lead conversion form: the deal's fields are enabled only while "Also open a deal" is
// ticked (the server ignores them otherwise; this only keeps the form honest to look at).
(function () {
  "use strict";

  function sync() {
    var toggle = document.getElementById("id_create_deal");
    var inputs = document.querySelector(".deal-inputs");
    if (!toggle || !inputs) {
      return;
    }
    inputs.querySelectorAll("input, select").forEach(function (input) {
      input.disabled = !toggle.checked;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_create_deal") {
      sync();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sync);
  } else {
    sync();
  }
})();
