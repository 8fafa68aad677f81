// Brokering: accept suggested SDG targets and DAC sectors into the record form's multi-selects.
// Progressive enhancement: without JavaScript the suggestion area stays hidden and the form works as before.
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll("[data-brokering-js][hidden]").forEach(function (el) {
      el.hidden = false;
      // Show the suggestions next to the fields they fill, not below the whole form.
      var form = el.closest("form");
      var select = form && form.querySelector('select[name="sdg_targets"]');
      var field = select && select.closest(".field");
      if (field && field.parentNode) { field.parentNode.insertBefore(el, field); }
    });
  }

  function accept(button) {
    var form = button.closest("form");
    if (!form) { return false; }
    var select = form.querySelector('select[name="' + button.dataset.field + '"]');
    if (!select) { return false; }
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === button.dataset.value; });
    if (!option) { return false; }
    option.selected = true;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    button.disabled = true;
    button.classList.add("accepted");
    button.setAttribute("aria-pressed", "true");
    return true;
  }

  // A refused match still shows its message: 429 (too many requests) wherever a match is loaded, and
  // 400 (text that cannot be matched) in the describe page's results. htmx swaps only 2xx by default.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if (status === 429 || (status === 400 && target && target.id === "describe-results")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var one = target.closest("[data-accept-tag]");
    if (one) { accept(one); return; }
    var all = target.closest("[data-accept-all]");
    if (all) {
      var box = all.closest(".tag-suggestions");
      box.querySelectorAll("[data-accept-tag]:not(:disabled)").forEach(accept);
      all.disabled = true;
    }
  });

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSwap", function (event) { reveal(event.target); });
  if (document.readyState !== "loading") { reveal(document); }
})();
