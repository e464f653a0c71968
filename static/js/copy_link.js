/* "Copy the link" beside the private link (intake/templates/intake/saved.html).
   The button is hidden in the HTML: shown only where the browser can copy (the Clipboard API,
   on https or localhost). It copies the link's address and says so in a status line that
   screen readers announce. Without it the page says how to keep the link by hand. */
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-link]"), function (box) {
    var button = box.querySelector("[data-copy-target]");
    var status = box.querySelector("[data-copy-status]");
    var link = document.getElementById(button.getAttribute("data-copy-target"));
    if (!link) {
      return;
    }
    box.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "";
      navigator.clipboard.writeText(link.href).then(
        function () {
          status.textContent = box.getAttribute("data-copied");
        },
        function () {
          status.textContent = box.getAttribute("data-copy-failed");
        }
      );
    });
  });
})();
