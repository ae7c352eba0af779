/**
 * An error the HTTP layer itself raises (bad input, auth, unknown routes), already in the terms that
 * cross the wire. Runtime errors (`LfError`) are mapped to these in `error-response.ts`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function invalidParam(param: string, message: string): ApiError {
  return new ApiError(400, message, "invalid_request_error", "invalid_type", param);
}
