// Who may do what. Every server action and route handler calls one of these before
// touching data; hiding a button in the UI is only a courtesy on top.
export const ROLES = ["admin", "operator", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Add, change and delete sites, gateways, subnets and tunnels. */
export const canManageInventory = (role: Role) => role === "admin" || role === "operator";
/** Push configurations, tear tunnels down, rotate keys. */
export const canOperateTunnels = (role: Role) => role === "admin" || role === "operator";
/** Show a pre-shared key in clear text (audited). */
export const canRevealPsk = (role: Role) => role === "admin";
/** Trust a gateway's SSH host key. */
export const canAcceptHostKey = (role: Role) => role === "admin";
/** Create users and change roles. */
export const canManageUsers = (role: Role) => role === "admin";
/** Define crypto profiles. */
export const canManageProfiles = (role: Role) => role === "admin";
/** Work on one's own account (password, sessions): every role, once signed in. */
export const anySignedInUser = (_role: Role) => true;
/** Create, rotate and delete named SSH credentials, and turn a gateway's own key into one (picking one for a gateway is inventory). */
export const canManageCredentials = (role: Role) => role === "admin";
/** Configure alert channels and rules, PSK age policy and the rotation window. */
export const canManageAlerts = (role: Role) => role === "admin";
/** See the Alerts page (history and delivery log): every role. */
export const canViewAlerts = (_role: Role) => true;

/**
 * Why a control is disabled for this role, to show beside it ("Admins only: …"), or null
 * when the role may use it. Pages pass it down so a viewer never gets a button that the
 * server would refuse.
 */
export function deniedReason(role: Role, allowed: (role: Role) => boolean, what: string): string | null {
  if (allowed(role)) return null;
  const who = ROLES.filter((r) => allowed(r)).map((r) => `${r}s`);
  return `Your role (${role}) cannot ${what}: ${who.join(" and ") || "nobody"} only.`;
}
