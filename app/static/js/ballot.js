// Live budget counter for the budget-basket ballot. The page works without it.
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  var meter = document.getElementById("budget-meter");
  if (!form || !meter) { return; }
  var budget = parseInt(meter.getAttribute("data-budget"), 10);
  var spentEl = document.getElementById("spent");
  var leftEl = document.getElementById("left");
  var money = new Intl.NumberFormat(document.documentElement.lang || "nl", { style: "currency", currency: "EUR" });
  function update() {
    var spent = 0;
    form.querySelectorAll("input[name=choice]:checked").forEach(function (box) {
      spent += parseInt(box.closest("[data-cost]").getAttribute("data-cost"), 10);
    });
    meter.value = Math.min(spent, budget);
    spentEl.textContent = money.format(spent / 100);
    leftEl.textContent = money.format((budget - spent) / 100);
    leftEl.classList.toggle("over", spent > budget);
  }
  form.addEventListener("change", update);
  update();
})();
