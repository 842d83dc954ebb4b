// What the pages ask for with attributes, so that no script is written into a page and the
// Content-Security-Policy can refuse every inline script:
//   .menu-toggle          opens and closes the top bar's menu on a phone
//   <form data-confirm>   asks the question before the form is sent
//   <select data-autosubmit>  sends its form when the choice changes
//   [data-print]          prints the page;  [data-back]  goes back a page
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".menu-toggle");
  if (toggle) {
    const bar = toggle.parentElement;
    bar.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(bar.classList.contains("open")));
  }
  if (event.target.closest("[data-print]")) {
    window.print();
  }
  if (event.target.closest("[data-back]") && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
  }
});
