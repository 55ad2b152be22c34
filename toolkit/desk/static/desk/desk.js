// The only script of the desk (CSP forbids inline script): the 复制 button beside the reminder text.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      source.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(source.value); } else { document.execCommand("copy"); }
      button.textContent = "已复制";
    });
  });
  // a summary run in progress: the board shows its progress by reloading itself every two seconds
  if (document.querySelector("[data-running]")) {
    setTimeout(function () { window.location.reload(); }, 2000);
  }
});
