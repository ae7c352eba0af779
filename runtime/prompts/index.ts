export { assembleMessages, type PromptMessage, type PromptsMode } from "./assemble-messages.js";
export { fillTemplate, templateVariables } from "./fill-template.js";
