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
  // Ask before deleting or restoring: the form says what it does.
  for (const form of document.querySelectorAll("form.xac-nhan[data-hoi]")) {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.hoi)) e.preventDefault();
    });
  }
  // Ask before changing a case's status.
  for (const form of document.querySelectorAll("form[action$='/trang-thai']")) {
    form.addEventListener("submit", (e) => {
      if (!window.confirm("Chuyển trạng thái vụ việc?")) e.preventDefault();
    });
  }
});
