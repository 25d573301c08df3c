// The interactive API reference at /docs: Swagger UI (vendored under
// /vendor/swagger-ui/, no CDN) over this gateway's own /openapi.json.

/** @type {any} */
const SwaggerUIBundle = /** @type {any} */ (globalThis).SwaggerUIBundle;

SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#reference',
  // The default validator badge would ask validator.swagger.io about the document; nothing leaves this origin.
  validatorUrl: null,
  deepLinking: true,
  tryItOutEnabled: false,
  persistAuthorization: false,
});
