/**
 * The key a client address is limited by: an IPv4 address as is, an IPv6 address by its /64 (one
 * subscriber usually holds a whole /64, so per-address limits on IPv6 would be per-request limits).
 */
export function addressKey(address: string | undefined): string {
  return prefixKey(address, 4);
}

/**
 * The key of a client's network, for a wider limit beside addressKey's: an IPv6 address by its /48
 * (what one site is usually given: 65,536 /64s, each with a budget of its own under addressKey);
 * undefined for IPv4, whose address already is the site (one public address behind NAT).
 */
export function networkKey(address: string | undefined): string | undefined {
  return address?.includes(":") ? prefixKey(address, 3) : undefined;
}

/** An IPv6 address's first `groups` 16-bit groups as `a:b:c::/n`; an IPv4 address as is. */
function prefixKey(address: string | undefined, groupCount: number): string {
  if (!address) return "unknown";
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::", 2);
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const rightGroups = right.flatMap((g) => (g.includes(".") ? ["v4", "v4"] : [g]));
  const groups = address.includes("::")
    ? [...left, ...Array(Math.max(0, 8 - left.length - rightGroups.length)).fill("0"), ...rightGroups]
    : left;
  const prefix = groups.slice(0, groupCount).map((g) => (g === "v4" ? "0" : g.replace(/^0+(?=.)/, "")));
  return `${prefix.join(":")}::/${groupCount * 16}`;
}
