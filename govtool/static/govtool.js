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
  // Forms marked data-warn-unsaved: leaving the page while one holds changes asks first (the
  // browser's own "leave site?" question). A form the server marks data-unsaved holds typed text
  // it showed again without saving. Submitting a form does not ask for that form, but still for
  // another one with changes (its text would be lost).
  const watched = Array.from(document.querySelectorAll("form[data-warn-unsaved]"));
  const changed = (form) =>
    form.hasAttribute("data-unsaved") ||
    Array.from(form.elements).some((el) => {
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {
        const options = Array.from(el.options);
        if (el.multiple) return options.some((o) => o.selected !== o.defaultSelected);
        const initial = options.findIndex((o) => o.defaultSelected);
        return el.selectedIndex !== (initial === -1 ? 0 : initial);
      }
      if (el.type === "hidden" || el.type === "submit" || el.type === "button") return false;
      return "defaultValue" in el && el.value !== el.defaultValue;
    });
  let submitted = null;
  document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) submitted = event.target;
  });
  if (watched.length) {
    window.addEventListener("beforeunload", (event) => {
      if (watched.some((form) => form !== submitted && changed(form))) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
  // Move focus to the error summary so screen-reader users hear what is wrong.
  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
