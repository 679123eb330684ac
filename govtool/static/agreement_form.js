// govtool: the new-agreement form fills the chosen template's standard text into the fields that
// are still empty (what the "take over the standard text" button does on the server without
// JavaScript). Nothing typed is overwritten; a status line tells screen readers what happened.
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("standard-texts");
  const select = document.getElementById("template_id");
  if (!data || !select) {
    return;
  }
  const texts = JSON.parse(data.textContent);
  const status = document.getElementById("standard-text-status");
  const empty = (element) => element && element.value.trim() === "";

  const fill = () => {
    const text = texts[select.value];
    if (!text) {
      return;
    }
    let filled = false;
    for (const name of ["preamble", "subject", "objectives", "extra_clauses"]) {
      const element = document.getElementById(name);
      if (empty(element) && text[name]) {
        element.value = text[name];
        filled = true;
      }
    }
    // each chosen party's empty duties, by its role
    document.querySelectorAll("select[id$='-organisation_id']").forEach((organisation) => {
      const prefix = organisation.id.slice(0, -"organisation_id".length);
      const role = document.getElementById(`${prefix}role`);
      const duties = document.getElementById(`${prefix}duties`);
      const value = role && text.duties ? text.duties[role.value] : "";
      if (organisation.value && organisation.value !== "0" && empty(duties) && value) {
        duties.value = value;
        filled = true;
      }
    });
    if (filled && status) {
      status.textContent = status.dataset.filled;
    }
  };

  select.addEventListener("change", fill);
  document.querySelectorAll("select[id$='-organisation_id'], select[id$='-role']").forEach((s) => {
    s.addEventListener("change", fill);
  });
});
