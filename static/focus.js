/* Moves focus to the element marked data-focus-on-load (the error summary of a refused
   form), so that a screen reader reads it and the keyboard starts there. Without
   JavaScript the summary is still the first thing in the form. */
document.addEventListener("DOMContentLoaded", function () {
  var target = document.querySelector("[data-focus-on-load]");
  if (target) { target.focus(); }
});
