// Entry point of the operator's workplace.
const root = document.getElementById("app");
if (root) root.textContent = "Uzor";
