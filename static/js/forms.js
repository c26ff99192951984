// Every form's date fields and file pickers speak Vietnamese, whatever the browser's language.
(function () {
  // Dates: typed as dd/mm/yyyy, or picked from a Vietnamese calendar (flatpickr).
  if (window.flatpickr) {
    document.querySelectorAll("input[data-date]").forEach((input) => {
      window.flatpickr(input, {
        dateFormat: "d/m/Y",
        allowInput: true,
        locale: "vn",
        disableMobile: true,
      });
    });
  }
  // Files: the browser's own button says "Choose Files / No file chosen" in its language;
  // this one says it in Vietnamese and names the files chosen.
  document.querySelectorAll("input[type=file]").forEach((input) => {
    const box = document.createElement("div");
    box.className = "d-flex flex-wrap align-items-center gap-2 file-picker";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary btn-sm";
    button.textContent = input.multiple ? "Chọn tệp…" : "Chọn tệp";
    button.tabIndex = -1; // the input itself keeps the keyboard focus and its label
    button.setAttribute("aria-hidden", "true");
    const shown = document.createElement("span");
    shown.className = "small text-secondary file-picker-names";
    const say = () => {
      const names = Array.from(input.files || []).map((f) => f.name);
      shown.textContent = names.length ? names.join(", ") : "Chưa chọn tệp nào";
    };
    input.classList.add("visually-hidden");
    input.addEventListener("change", say);
    input.addEventListener("focus", () => button.classList.add("focus-ring", "active"));
    input.addEventListener("blur", () => button.classList.remove("focus-ring", "active"));
    button.addEventListener("click", () => input.click());
    input.insertAdjacentElement("afterend", box);
    box.append(button, shown);
    say();
  });
})();
