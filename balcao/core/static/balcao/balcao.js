// Small behaviours of every page, kept out of the HTML so the Content-Security-Policy needs no
// inline script: a select marked data-submit-on-change sends its form when changed; an htmx
// poll on an element with data-poll-paused-by="<selector>" waits while the selector matches
// (the console's list does not swap rows under a half-made bulk selection).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-submit-on-change]")) {
    event.target.form.submit();
  }
});
document.addEventListener("htmx:confirm", function (event) {
  var selector = event.detail.elt.getAttribute("data-poll-paused-by");
  if (selector && document.querySelector(selector)) {
    event.preventDefault();
  }
});
