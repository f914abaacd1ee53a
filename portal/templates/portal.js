// The portal's behaviours, kept out of the pages so that the Content
// Security Policy allows no inline script: a virtual account chosen in
// the list is shown at once, New Token… opens its dialog, Copy copies a
// new token, and the forms that remove, revoke or transfer ask first
// (data-confirm). Without script, New Token… is a link to the page with
// the dialog open.
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
  var dialog = document.getElementById("new-token-dialog");
  var open = document.getElementById("open-new-token");
  if (dialog && open && dialog.showModal) {
    open.addEventListener("click", function (e) {
      e.preventDefault();
      dialog.showModal();
      document.getElementById("token-description").focus();
    });
    document.getElementById("cancel-new-token").addEventListener("click", function (e) {
      e.preventDefault();
      dialog.close();
    });
  }
  var copy = document.getElementById("copy-token");
  if (copy) {
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(document.getElementById("new-token").value);
    });
  }
});
