// The portal's behaviours, kept out of the pages so that the Content
// Security Policy allows no inline script: a virtual account chosen in
// the list is shown at once, Copy copies a new token, and the forms that
// remove, revoke or transfer ask first (data-confirm).
document.addEventListener("submit", function (e) {
  var ask = e.target.getAttribute("data-confirm");
  if (ask && !window.confirm(ask)) {
    e.preventDefault();
  }
});
document.addEventListener("DOMContentLoaded", function () {
  var va = document.getElementById("va");
  if (va) {
    va.addEventListener("change", function () { va.form.submit(); });
  }
  var copy = document.getElementById("copy-token");
  if (copy) {
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(document.getElementById("new-token").value);
    });
  }
});
