export { assembleMessages, type PromptMessage } from "./assemble-messages.js";
export { fillTemplate, templateVariables } from "./fill-template.js";
