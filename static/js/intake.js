/* The walk-in intake (templates/desk/intake.html): the amount due follows the fee lines ticked, the payment fields
   show only when the fee is collected now ("thu trước" with something to pay), and a postal dossier defaults to a
   postal return. Without this script every field shows and the server decides the same things. */
(function () {
  "use strict";

  function vnd(amount) {
    return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " đồng";
  }

  function feeTotal() {
    var total = 0;
    document.querySelectorAll("[data-fee-lines] input[data-amount]").forEach(function (box) {
      if (box.checked) {
        total += parseInt(box.getAttribute("data-amount"), 10) || 0;
      }
    });
    return total;
  }

  function syncFee(linesChanged) {
    var shown = document.querySelector("[data-fee-total]");
    if (!shown) {
      return;
    }
    var total = feeTotal();
    shown.textContent = vnd(total);
    var amount = document.getElementById("id_amount");
    if (amount && linesChanged) {
      amount.value = total;
    }
    var mode = document.getElementById("id_fee_mode");
    var payment = document.querySelector("[data-fee-payment]");
    if (payment && mode) {
      payment.hidden = !(mode.value === "before" && total > 0);
    }
  }

  // A postal dossier (channel 3) is returned by post unless the officer chose otherwise.
  var autoPost = false;

  function syncChannel() {
    var channel = document.getElementById("id_channel");
    var method = document.getElementById("id_return_method");
    if (!channel || !method) {
      return;
    }
    if (channel.value === "3" && method.value === "counter") {
      method.value = "post";
      autoPost = true;
    } else if (channel.value !== "3" && autoPost && method.value === "post") {
      method.value = "counter";
      autoPost = false;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.closest && target.closest("[data-fee-lines]")) {
      syncFee(true);
    } else if (target.id === "id_fee_mode") {
      syncFee(false);
    } else if (target.id === "id_channel") {
      syncChannel();
    } else if (target.id === "id_return_method") {
      autoPost = false;
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    syncFee(false);
  });
})();
