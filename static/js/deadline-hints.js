// Shows what a deadline phrase is understood as while the office types it (htmx does the
// request; the page works without it, the hint then appears after submitting).
(function () {
  "use strict";
  var issued = document.getElementById("id_issued_on");
  document.querySelectorAll('input[name$="-deadline"]').forEach(function (input) {
    var hint = document.getElementById("hint-" + input.name.replace(/-deadline$/, ""));
    if (!hint || typeof htmx === "undefined") return;
    input.setAttribute("hx-get", document.body.dataset.deadlinePreview);
    input.setAttribute("hx-trigger", "input changed delay:400ms, change");
    input.setAttribute("hx-target", "#" + hint.id);
    if (issued) input.setAttribute("hx-include", "#id_issued_on");
    htmx.process(input);
  });
})();
