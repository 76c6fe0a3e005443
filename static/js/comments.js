// Comments: "Reply" moves the form under the comment instead of reloading the
// page (without JavaScript the link reloads it with the form in place).
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var home = document.getElementById("respond-home");
  if (!respond || !home) return;
  var form = respond.querySelector("form");
  var replyTo = form && form.querySelector("input[name=reply_to]");
  var title = document.getElementById("reply-title");
  var cancel = document.getElementById("cancel-reply");
  if (!form || !replyTo || !title || !cancel) return;

  function placeUnder(item, id, name) {
    var article = item.querySelector(":scope > article");
    article.insertAdjacentElement("afterend", respond);
    replyTo.value = id;
    title.textContent = "Reply to " + name;
    cancel.parentElement.hidden = false;
    form.querySelector("textarea").focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.comment__reply");
    if (!link) return;
    var item = document.getElementById("comment-" + link.dataset.replyTo);
    if (!item) return;
    event.preventDefault();
    placeUnder(item, link.dataset.replyTo, link.dataset.replyName);
  });

  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    home.appendChild(respond);
    replyTo.value = "0";
    title.textContent = title.dataset.default;
    cancel.parentElement.hidden = true;
    form.querySelector("textarea").focus();
  });
})();
