/* Sales pages. Drag a deal card to another column of the board: the drop posts the card's
   own "Move to" form, so a drag and the keyboard way go the same path (and the server
   answers the same: the columns redrawn, or why the deal did not move, next to the card).
   After htmx redraws the board or a deal's stage panel the focus goes back where it was.
   No dependencies besides htmx; nothing inline (Content-Security-Policy). */
(function () {
  "use strict";

  var dragged = null;

  function closest(el, selector) {
    return el && el.closest ? el.closest(selector) : null;
  }

  function clearTargets() {
    document.querySelectorAll(".board-col.is-drop-target").forEach(function (col) {
      col.classList.remove("is-drop-target");
    });
  }

  function dropColumn(event) {
    var col = closest(event.target, "[data-stage-drop]");
    if (!dragged || !col || col.contains(dragged)) return null;
    return col;
  }

  document.addEventListener("dragstart", function (event) {
    var card = closest(event.target, ".deal-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal") || "");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", function (event) {
    var col = dropColumn(event);
    if (!col) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!col.classList.contains("is-drop-target")) {
      clearTargets();
      col.classList.add("is-drop-target");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var col = closest(event.target, "[data-stage-drop]");
    if (col && !col.contains(event.relatedTarget)) col.classList.remove("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    var col = dropColumn(event);
    if (!col) return;
    event.preventDefault();
    clearTargets();
    var card = dragged;
    dragged = null;
    card.classList.remove("is-dragging");
    var form = card.querySelector("form.deal-card-move");
    var select = form && form.querySelector("select[name=stage_id]");
    var stage = col.getAttribute("data-stage-drop");
    if (!select || !select.querySelector('option[value="' + stage + '"]')) return;
    select.value = stage;
    form.requestSubmit();
  });

  // Where the focus was before htmx replaced part of the page.
  var focusedId = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = null;
    var board = document.getElementById("board-columns");
    var moved = board && board.getAttribute("data-moved-deal");
    if (moved) {
      board.removeAttribute("data-moved-deal");
      target = document.getElementById("move-" + moved) ||
        document.querySelector("#deal-card-" + moved + " .deal-card-title");
    } else if (focusedId && (!document.activeElement || document.activeElement === document.body)) {
      target = document.getElementById(focusedId);
    }
    // A question asked next to a card (why was it lost?) takes the focus.
    var swapped = event.target;
    var ask = swapped && swapped.querySelector ? swapped.querySelector("[data-autofocus]") : null;
    if (ask) target = ask;
    if (target) {
      target.focus();
      if (target.scrollIntoView) target.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  });

  // Closing a "not moved" note (or cancelling the lost prompt) puts the card back as it was.
  document.addEventListener("click", function (event) {
    var close = closest(event.target, "[data-dismiss-problem]");
    if (!close) return;
    var card = closest(close, ".deal-card");
    var slot = closest(close, ".deal-card-problem");
    if (slot) {
      slot.innerHTML = "";
    } else {
      var note = closest(close, ".move-problem");
      if (note) note.remove();
    }
    var select = card && card.querySelector("select[name=stage_id]");
    if (select) {
      select.value = "";
      select.focus();
    }
  });
})();
