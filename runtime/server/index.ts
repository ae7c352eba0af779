/**
 * The HTTP API (`lf serve`): project-scoped and OpenAI-style chat completions, model and project
 * listings, sessions, health. The only place stream parts become SSE and errors become HTTP bodies.
 */
export { Gateway, type GatewayOptions } from "./gateway.js";
export { createApp, createRequestListener } from "./create-app.js";
export { createLogger, type LoggerOptions } from "./create-logger.js";
export { discoverProjects } from "./discover-projects.js";
export { errorResponse, type ErrorBody } from "./error-response.js";
export { ProjectRegistry, DEFAULT_BODY_LIMIT, type RegistryOptions } from "./project-registry.js";
