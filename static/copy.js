/* Copy buttons: <button data-copy="ID"> copies the text of element #ID. The buttons are
   hidden until this script shows them, so without JavaScript nothing is offered that
   cannot work (the text itself stays selectable). */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy") + "-copied");
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) { status.textContent = "Copied."; }
      }, function () {
        if (status) { status.textContent = "Could not copy; select the text instead."; }
      });
    });
  });
});
