// govtool: small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-confirm ask before a destructive action.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
  // Move focus to the error summary so screen-reader users hear what is wrong.
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
