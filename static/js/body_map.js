/* The body map on the symptoms step (intake/templates/intake/widgets/body_map.html).
   Progressive enhancement: without this file the patient ticks grouped checkboxes. With it, the
   drawing (hidden in the HTML) is shown and each place on it becomes a checkbox for the mouse,
   touch and keyboard (Space or Enter), working the real checkbox underneath; beside it, "What
   you chose" lists only the chosen places, each with its checkbox and "How weak is it?". The
   form sends the same inputs either way. Nothing runs on a page without [data-body-map]. */
(function () {
  "use strict";

  var NEUTRAL = { fill: "#f3f2f1", stroke: "#505a5f", width: "2" };
  var CHOSEN = { stroke: "#0b0c0c", width: "2.5" };

  function each(list, callback) {
    Array.prototype.forEach.call(list, callback);
  }

  function enhance(map) {
    var figure = map.querySelector("[data-body-map-figure]");
    if (!figure) {
      return;
    }
    var boxes = {};
    each(map.querySelectorAll(".body-map__check"), function (box) {
      boxes[box.value] = box;
    });

    function strength(box) {
      var picked = map.querySelector('input[type="radio"][name="' + box.name + "__" + box.value + '"]:checked');
      return picked ? picked.value : "";
    }

    function paint(code) {
      var box = boxes[code];
      var chosen = box.checked;
      var severity = chosen ? strength(box) : "";
      each(figure.querySelectorAll('[data-region="' + code + '"]'), function (region) {
        var shape = region.querySelector(".body-region__shape");
        var prefix = region.ownerSVGElement.getAttribute("data-pattern-prefix");
        region.classList.toggle("is-chosen", chosen);
        region.setAttribute("data-severity", severity);
        shape.setAttribute("fill", chosen ? "url(#" + prefix + "-" + (severity || "unsaid") + ")" : NEUTRAL.fill);
        shape.setAttribute("stroke", chosen ? CHOSEN.stroke : NEUTRAL.stroke);
        shape.setAttribute("stroke-width", chosen ? CHOSEN.width : NEUTRAL.width);
        if (region.getAttribute("role") === "checkbox") {
          region.setAttribute("aria-checked", chosen ? "true" : "false");
        }
      });
      var item = map.querySelector('[data-region-item="' + code + '"]');
      item.hidden = !chosen;
    }

    function tidyList() {
      var any = false;
      each(map.querySelectorAll("[data-body-map-group]"), function (group) {
        var shown = group.querySelector("[data-region-item]:not([hidden])") !== null;
        group.hidden = !shown;
        any = any || shown;
      });
      map.querySelector("[data-body-map-nothing]").hidden = any;
    }

    function toggle(box) {
      if (box.disabled) {
        return;
      }
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }

    each(figure.querySelectorAll(".body-region--control"), function (region) {
      var box = boxes[region.getAttribute("data-region")];
      var label = map.querySelector('label[for="' + box.id + '"]');
      region.setAttribute("role", "checkbox");
      region.setAttribute("tabindex", "0");
      region.setAttribute("aria-label", label.textContent.trim());
      if (box.disabled) {
        region.setAttribute("aria-disabled", "true");
      }
      region.addEventListener("click", function () {
        toggle(box);
      });
      region.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Enter") {
          event.preventDefault(); // no page scroll, and Enter does not send the form
          if (!event.repeat) {
            toggle(box);
          }
        }
      });
    });

    map.addEventListener("change", function (event) {
      var input = event.target;
      if (input.classList.contains("body-map__check")) {
        paint(input.value);
        tidyList();
        // Unticked in the list: its row goes, so the keyboard carries on from the drawing.
        if (!input.checked && document.activeElement === input) {
          var region = figure.querySelector('.body-region--control[data-region="' + input.value + '"]');
          if (region) {
            region.focus();
          }
        }
      } else if (input.type === "radio") {
        var code = input.name.slice(input.name.lastIndexOf("__") + 2);
        if (boxes[code]) {
          paint(code);
        }
      }
    });

    map.classList.add("body-map--enhanced");
    figure.hidden = false;
    map.querySelector("[data-body-map-chosen-title]").hidden = false;
    Object.keys(boxes).forEach(paint);
    tidyList();
  }

  each(document.querySelectorAll("[data-body-map]"), enhance);
})();
