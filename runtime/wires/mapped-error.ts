/** An error as it crosses the wire, decided once (`server/error-response.ts`); each wire writes it in its own shape. */
export interface MappedError {
  status: number;
  headers: Record<string, string>;
  /** Safe for the client: secrets masked, no upstream internals. */
  message: string;
  /** OpenAI's error type vocabulary (`invalid_request_error`, `upstream_error`, ...). */
  type: string;
  /** lf's own code (`all_models_failed`, `budget_exceeded`, ...). */
  code: string | null;
  /** The request field at fault. */
  param: string | null;
}
