// The article's two scenarios as tunnel ends, shared by the golden tests and the
// integration test. Public IPs ("X.X.X.X" in the article) are in 198.18.0.0/15.
import type { TunnelEnd } from "../contract";
import { ARTICLE_LEGACY_PROFILE } from "../crypto-profiles";

/** Node-to-node: two hosts, PSK `my_key`, connection ipsec0 (Listings 1–3). */
export const ARTICLE_NODE_TO_NODE: TunnelEnd = {
  tunnelId: "article-n2n",
  connectionName: "gw-article-n2n",
  kind: "host-to-host",
  interfaceName: "ipsec0",
  local: { publicIp: "198.18.0.1", lanAddress: null, subnets: [] },
  remote: { publicIp: "198.18.0.2", lanAddress: null, subnets: [] },
  psk: "my_key",
  profile: ARTICLE_LEGACY_PROFILE,
};

/** Network-to-network: 192.168.1.0/24 <-> 192.168.2.0/24, gateways .254, PSK `r3dh4t11nux`, ipsec1 (Listings 6–8). */
export const ARTICLE_NET_TO_NET: TunnelEnd = {
  tunnelId: "article-net",
  connectionName: "gw-article-net",
  kind: "net-to-net",
  interfaceName: "ipsec1",
  local: { publicIp: "198.18.1.1", lanAddress: "192.168.1.254", subnets: ["192.168.1.0/24"] },
  remote: { publicIp: "198.18.2.1", lanAddress: "192.168.2.254", subnets: ["192.168.2.0/24"] },
  psk: "r3dh4t11nux",
  profile: ARTICLE_LEGACY_PROFILE,
};
