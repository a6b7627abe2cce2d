/**
 * Gate for tests that need root (AF_PACKET needs CAP_NET_RAW; the veth/netns topology needs
 * CAP_NET_ADMIN). Without root they skip with a message, except under CI=true, where a skipped
 * suite would hide a broken environment, so they fail instead.
 */
export const PRIVILEGE_REASON =
  "AF_PACKET tests need root (CAP_NET_RAW for the socket, CAP_NET_ADMIN for the veth/netns topology)";

export function requireRoot(ctx: Mocha.Context): void {
  if (process.getuid?.() === 0) return;
  if (process.env["CI"] === "true") throw new Error(`${PRIVILEGE_REASON}; CI=true, so this fails instead of skipping`);
  console.warn(`      skipping: ${PRIVILEGE_REASON} (not root)`);
  ctx.skip();
}
