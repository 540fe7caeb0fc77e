// Enhancements for the ballot: a live budget counter (budget basket) and the list of
// choices above the vote button. The page works without it; the server checks everything.
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  if (!form) { return; }
  var list = document.getElementById("chosen-list");
  var meter = document.getElementById("budget-meter");
  var money = new Intl.NumberFormat(document.documentElement.lang || "nl", { style: "currency", currency: "EUR" });

  function chosen() {
    var picked = [];
    form.querySelectorAll(".ballot-option").forEach(function (option) {
      var box = option.querySelector("input[type=checkbox]");
      var field = option.querySelector(".points, .rank");
      var value = box ? (box.checked ? 1 : 0) : parseInt(field && field.value, 10) || 0;
      if (value > 0) {
        picked.push({ title: option.getAttribute("data-title"), cost: parseInt(option.getAttribute("data-cost"), 10),
                      value: value, points: !!(field && field.classList.contains("points")), rank: !!(field && field.classList.contains("rank")) });
      }
    });
    if (picked.length && picked[0].rank) { picked.sort(function (a, b) { return a.value - b.value; }); }
    return picked;
  }

  function update() {
    var picked = chosen();
    list.textContent = "";
    picked.forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = p.rank ? p.value + ". " + p.title : (p.points ? p.title + ": " + p.value : p.title);
      list.appendChild(item);
    });
    if (!picked.length) {
      var empty = document.createElement("li");
      empty.textContent = list.getAttribute("data-empty");
      list.appendChild(empty);
    }
    if (meter) {
      var budget = parseInt(meter.getAttribute("data-budget"), 10);
      var spent = picked.reduce(function (sum, p) { return sum + p.cost; }, 0);
      var over = spent > budget;
      meter.value = Math.min(spent, budget) / 100;
      meter.classList.toggle("over", over);
      document.getElementById("spent").textContent = money.format(spent / 100);
      document.getElementById("left").textContent = money.format((budget - spent) / 100);
      document.getElementById("left-line").hidden = over;
      showOver(document.getElementById("over-budget"), over, money.format((spent - budget) / 100));
    }
    var pointsLine = document.getElementById("points-line");
    if (pointsLine) {
      var total = parseInt(pointsLine.getAttribute("data-total"), 10);
      var given = picked.reduce(function (sum, p) { return sum + (p.points ? p.value : 0); }, 0);
      document.getElementById("points-left").textContent = String(Math.max(total - given, 0));
      pointsLine.hidden = given > total;
      showOver(document.getElementById("over-points"), given > total, String(given - total));
    }
  }
  function showOver(el, over, amount) {
    el.hidden = !over;
    if (over) { el.textContent = el.getAttribute("data-template").replace("__AMOUNT__", amount); }
  }
  // The counters update as you choose: the no-JavaScript "recalculate" button is not needed.
  form.querySelectorAll(".recalculate").forEach(function (button) { button.hidden = true; });
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) { summary.focus(); }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
