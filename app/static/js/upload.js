// The plan form: a photo over the limit is refused as soon as it is chosen, before any upload,
// with the same message the server would give (it sits in data-too-large). Without JavaScript
// the server refuses it beside the field and keeps everything typed.
(function () {
  "use strict";
  var input = document.querySelector("input[type=file][data-max-bytes]");
  if (!input) { return; }
  var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
  var message = document.getElementById("image-size-error");
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    var tooLarge = !!file && file.size > limit;
    input.setCustomValidity(tooLarge ? input.getAttribute("data-too-large") : "");
    input.setAttribute("aria-invalid", tooLarge ? "true" : "false");
    if (message) { message.hidden = !tooLarge; }
    if (tooLarge) { input.value = ""; }
  });
})();
