// Swagger UI over /openapi.json, from vendored files (the page's CSP allows no inline script).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  if (typeof window.SwaggerUIBundle !== "function") return; // assets not built: the link remains
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
