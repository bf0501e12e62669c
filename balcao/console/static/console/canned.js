// Canned replies in the console's reply box: pick one (search, click or Enter) and its text,
// filled for this ticket by the server, goes into the message; Alt+C opens the search.
(function () {
  "use strict";
  function picker() { return document.getElementById("canned-picker"); }
  document.addEventListener("click", function (event) {
    var option = event.target.closest(".canned-option");
    if (!option) return;
    var form = option.closest("form");
    var body = form.querySelector("textarea[name=body]");
    body.value = body.value ? body.value.replace(/\s*$/, "\n\n") + option.dataset.text : option.dataset.text;
    form.querySelector("input[name=canned_response]").value = option.dataset.canned;
    picker().open = false;
    body.focus();
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey && (event.key === "c" || event.key === "C") && picker()) {
      event.preventDefault();
      picker().open = true;
      document.getElementById("canned-search").focus();
    }
  });
})();
