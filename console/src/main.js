document.getElementById("app").textContent = "lf";
