// The pipeline board: drag a card to another stage with SortableJS (vendored), and the deal
// moves there through POST /deals/<id>/move/. The server answers the refreshed columns (which
// also put a card back where it really is, with a message, when the move was refused), or a
// dialog asking for what the stage requires. No inline script: the CSP allows none.
(function () {
  "use strict";

  var board, flash;
  var cardOrigin = null; // {card, from, index}: where the dragged card came from

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function withQuery(url) {
    var query = board.getAttribute("data-query");
    if (!query || url.indexOf("?") !== -1) return url;
    return url + "?" + query;
  }

  function say(text) {
    flash.innerHTML = "";
    if (!text) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-warning board-message";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    flash.appendChild(alert);
  }

  function putCardBack() {
    if (!cardOrigin) return;
    var before = cardOrigin.from.children[cardOrigin.index] || null;
    cardOrigin.from.insertBefore(cardOrigin.card, before);
    cardOrigin = null;
  }

  function swapColumns(fresh) {
    var current = document.getElementById("board-columns");
    current.replaceWith(document.importNode(fresh, true));
    cardOrigin = null;
    board.dispatchEvent(new CustomEvent("board:updated", { bubbles: true }));
    start();
  }

  function send(url, body) {
    board.classList.add("is-moving");
    return fetch(withQuery(url), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.text().then(function (html) {
          return { status: response.status, doc: new DOMParser().parseFromString(html, "text/html") };
        });
      })
      .finally(function () {
        board.classList.remove("is-moving");
      });
  }

  // What the server answered: a dialog, the columns, or neither (a 404 page, an error).
  function answer(result) {
    var dialog = result.doc.getElementById("move-dialog");
    if (dialog) {
      showDialog(dialog);
      return;
    }
    closeDialog();
    var columns = result.doc.getElementById("board-columns");
    if (columns) {
      say("");
      swapColumns(columns);
      return;
    }
    putCardBack();
    say(board.getAttribute("data-failed-message"));
  }

  function failed() {
    closeDialog();
    putCardBack();
    say(board.getAttribute("data-failed-message"));
  }

  // --- the dialog asking for the fields the target stage requires ---------------------------

  var dialogElement = null;
  var dialogDone = false;

  function closeDialog() {
    if (!dialogElement) return;
    dialogDone = true;
    window.bootstrap.Modal.getOrCreateInstance(dialogElement).hide();
  }

  function showDialog(fresh) {
    if (dialogElement && dialogElement.isConnected) {
      // A retry with errors: new content in the open dialog.
      var content = dialogElement.querySelector(".modal-content");
      content.replaceWith(document.importNode(fresh.querySelector(".modal-content"), true));
      bindDialogForm();
      return;
    }
    dialogElement = document.importNode(fresh, true);
    dialogDone = false;
    document.body.appendChild(dialogElement);
    // Bootstrap ignores a dismissal while the dialog is still fading in: say when it is open.
    dialogElement.addEventListener("shown.bs.modal", function () {
      dialogElement.dataset.shown = "true";
    });
    dialogElement.addEventListener("hidden.bs.modal", function () {
      if (!dialogDone) putCardBack(); // cancelled: the card goes back
      dialogElement.remove();
      dialogElement = null;
    });
    bindDialogForm();
    window.bootstrap.Modal.getOrCreateInstance(dialogElement).show();
  }

  function bindDialogForm() {
    var form = dialogElement.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form.getAttribute("action"), new FormData(form)).then(answer, failed);
    });
  }

  // --- dragging -------------------------------------------------------------------------------

  function onEnd(event) {
    if (event.to === event.from) return;
    var card = event.item;
    cardOrigin = { card: card, from: event.from, index: event.oldIndex };
    var body = new FormData();
    body.append("stage_id", event.to.getAttribute("data-stage-id"));
    body.append("version", card.getAttribute("data-version"));
    send(card.getAttribute("data-move-url"), body).then(answer, failed);
  }

  function start() {
    var columns = document.getElementById("board-columns");
    if (!columns || columns.getAttribute("data-can-move") !== "true") return;
    columns.querySelectorAll(".board-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "board",
        animation: 150,
        draggable: ".board-card",
        sort: false, // the order within a column is by amount
        // On a touch screen a swipe scrolls the board; a press of a moment picks a card up.
        delay: 200,
        delayOnTouchOnly: true,
        onEnd: onEnd,
      });
    });
  }

  // The filters apply as soon as one changes (the Apply button stays for keyboards).
  function autoSubmitFilters() {
    var form = document.getElementById("deal-filters");
    if (!form) return;
    form.addEventListener("change", function () {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autoSubmitFilters();
    board = document.getElementById("board");
    if (!board || !window.Sortable) return;
    flash = board.querySelector(".board-flash");
    start();
  });
})();
