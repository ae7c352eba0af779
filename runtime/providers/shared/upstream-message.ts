/** The human message inside an error body, whichever common shape it has. */
export function upstreamMessage(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim() === "" ? undefined : body;
  if (typeof body !== "object" || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  if (typeof fields.message === "string") return fields.message;
  if (typeof fields.error === "string") return fields.error;
  if (typeof fields.detail === "string") return fields.detail;
  if (typeof fields.error === "object" && fields.error !== null) return upstreamMessage(fields.error);
  return undefined;
}
