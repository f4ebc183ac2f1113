/* The desk's checklist and its supplement request (templates/desk/outcomes.html): a component ticked as handed in
   leaves the list of items to supplement; unticked, it comes back. Without this script every row shows and the
   server keeps only the unticked ones. No inline script anywhere: the pages stay compatible with a strict CSP. */
(function () {
  "use strict";

  function sync(row) {
    var box = document.getElementById(row.getAttribute("data-missing-for"));
    if (box) {
      row.hidden = box.checked;
    }
  }

  function syncAll() {
    document.querySelectorAll("[data-missing-for]").forEach(sync);
  }

  document.addEventListener("change", function (event) {
    if (event.target.type === "checkbox") {
      syncAll();
    }
  });
  document.addEventListener("DOMContentLoaded", syncAll);
  window.portalChecklistSync = syncAll;
})();
