/**
 * What counts as a JSON request body, decided once (RFC 9110 media types: case-insensitive type and
 * subtype, optional whitespace around `;`, parameters after it): `application/json`, with or
 * without parameters. The JSON body middleware applies it and then hands the request on with the
 * canonical `application/json`, so that the route's validator sees the same body it accepted.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = contentType.split(";", 1)[0]?.trim().toLowerCase();
  return essence === "application/json";
}

export const CANONICAL_JSON = "application/json";
