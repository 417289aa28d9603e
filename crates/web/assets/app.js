// canhgiac — small progressive enhancement; every page works without it.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // On a phone the menu is folded under one button.
  const menu = document.querySelector(".mo-menu");
  if (menu) {
    menu.addEventListener("click", () => {
      const open = menu.closest(".dau-trang").classList.toggle("mo");
      menu.setAttribute("aria-expanded", String(open));
    });
  }
  // Bars in the dashboard table, sized from data attributes (no inline style in the HTML).
  for (const el of document.querySelectorAll(".thanh[data-value][data-max]")) {
    const v = Number(el.dataset.value), max = Number(el.dataset.max) || 1;
    el.style.width = `${Math.max(2, Math.round((v / max) * 120))}px`;
  }
  // A long list to pick from gets a search box above it: typing narrows
  // the options, with or without diacritics ("ma tuy" finds "ma túy").
  const fold = (t) => t.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  for (const select of document.querySelectorAll("select[data-tim]")) {
    const box = document.createElement("input");
    box.type = "search";
    box.className = "tim-trong-danh-sach";
    box.placeholder = "Gõ để tìm trong danh sách…";
    box.setAttribute("aria-label", `Tìm trong danh sách «${select.dataset.tim}»`);
    select.before(box);
    const options = Array.from(select.options).map((o) => [o, fold(o.text)]);
    box.addEventListener("input", () => {
      const words = fold(box.value).split(/\s+/).filter(Boolean);
      let first = null;
      for (const [o, text] of options) {
        const show = o.value === "" || o.selected || words.every((w) => text.includes(w));
        o.hidden = !show;
        if (show && o.value !== "" && !first) first = o;
      }
      if (first && !select.value) first.selected = true;
    });
  }
  // Ask before deleting or restoring: the form says what it does.
  for (const form of document.querySelectorAll("form.xac-nhan[data-hoi]")) {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.hoi)) e.preventDefault();
    });
  }
  // Ask before changing a case's status, naming the new one; a move that
  // needs a reason makes the reason required.
  for (const form of document.querySelectorAll("form[action$='/trang-thai']")) {
    const reason = form.querySelector("textarea[name=reason]");
    for (const radio of form.querySelectorAll("input[name=status]")) {
      radio.addEventListener("change", () => {
        if (reason) reason.required = radio.dataset.lyDo === "1";
      });
    }
    form.addEventListener("submit", (e) => {
      const chosen = form.querySelector("input[name=status]:checked");
      const name = chosen && chosen.parentElement ? chosen.parentElement.dataset.ten : "";
      if (!window.confirm("Chuyển vụ việc sang «" + name + "»?")) e.preventDefault();
    });
  }
});
