import type { MappedError } from "../mapped-error.js";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

/**
 * Anthropic's error shape, its type read from the status as Anthropic's API sets it (the SDK raises
 * its typed errors from the status, so the status is kept as mapped).
 */
export function anthropicErrorBody(mapped: MappedError): AnthropicErrorBody {
  return { type: "error", error: { type: errorType(mapped.status), message: mapped.message } };
}

function errorType(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

export function anthropicErrorEvent(mapped: MappedError): string {
  return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(mapped))}\n\n`;
}
