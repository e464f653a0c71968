/* Print buttons for the visit summary.
   Buttons marked data-print-button are hidden in the HTML (they need JavaScript); this file shows
   them and makes them open the browser's print dialog. An element with data-print-on-load
   (the summary opened from "Print your summary") opens the dialog once the page has loaded.
   No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print-button]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
  var hints = document.querySelectorAll("[data-print-hint-without-script]");
  Array.prototype.forEach.call(hints, function (hint) {
    hint.hidden = true;
  });
  if (document.querySelector("[data-print-on-load]")) {
    window.addEventListener("load", function () {
      window.print();
    });
  }
})();
