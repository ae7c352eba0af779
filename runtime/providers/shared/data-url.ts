export interface DataUrl {
  mediaType: string;
  /** The payload, base64-encoded. */
  base64: string;
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s;

/** A `data:` URL split into media type and base64 payload; undefined for anything else. */
export function parseDataUrl(url: string): DataUrl | undefined {
  const match = DATA_URL.exec(url);
  if (match === null) return undefined;
  const mediaType = match[1] || "text/plain";
  const payload = match[4] ?? "";
  const base64 = match[3] !== undefined ? payload.replace(/\s+/g, "") : Buffer.from(decodeURIComponent(payload), "utf8").toString("base64");
  return { mediaType: mediaType.toLowerCase(), base64 };
}
