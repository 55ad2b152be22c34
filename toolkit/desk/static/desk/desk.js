// The only script of the desk (CSP forbids inline script): the 复制 button beside the reminder text, the
// chosen file's name in the upload box, the board's reload while a summary runs.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      source.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(source.value); } else { document.execCommand("copy"); }
      button.textContent = "已复制";
    });
  });
  // each file picker (the page's own, in Chinese): the chosen file's name beside its 选择文件 button (text, never markup)
  document.querySelectorAll("label.picker").forEach(function (label) {
    var picker = label.querySelector("input[type=file]"), chosen = label.querySelector(".chosen");
    var show = function () { chosen.textContent = picker.files.length ? picker.files[0].name : "未选择文件"; };
    picker.addEventListener("change", show);
    show();
  });
  // a summary run in progress: the board shows its progress by reloading itself every two seconds
  if (document.querySelector("[data-running]")) {
    setTimeout(function () { window.location.reload(); }, 2000);
  }
});
