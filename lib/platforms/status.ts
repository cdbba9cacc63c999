// Neutral status types every platform's parsers produce and every caller reads:
// IKE and CHILD security associations with their SPIs and counters, routes and
// kernel policies. Named after what IPsec has, not after one daemon's output.

export interface SaEndpoint {
  /** IKE identity as printed ('%any' while connecting). */
  id: string;
  address: string;
  port: number;
}

export interface ChildSaTraffic {
  spi: string;
  bytes: number;
  packets: number;
  /** Seconds since the last packet; null when none passed yet. */
  lastPacketSecondsAgo: number | null;
}

export interface ChildSa {
  name: string;
  uniqueId: number;
  reqid: number | null;
  /** INSTALLED, REKEYING, REKEYED, DELETING... */
  state: string;
  /** TUNNEL, TRANSPORT, BEET (without the "-in-UDP" suffix). */
  mode: string;
  udpEncapsulated: boolean;
  protocol: string;
  /** e.g. "AES_CBC-256/HMAC_SHA2_256_128". */
  algorithms: string;
  installedSecondsAgo: number | null;
  rekeyInSeconds: number | null;
  expiresInSeconds: number | null;
  inbound: ChildSaTraffic | null;
  outbound: ChildSaTraffic | null;
  localTs: string[];
  remoteTs: string[];
}

export interface IkeSa {
  /** Connection name; "(unnamed)" for a half-open responder SA. */
  name: string;
  uniqueId: number;
  /** ESTABLISHED, CONNECTING, REKEYING, REKEYED (replaced, not yet deleted), DELETING... */
  state: string;
  version: 1 | 2;
  /**
   * IKE SPIs as printed. Libreswan prints none, and CentOS's status is read from the
   * kernel's SAs: there these are the ESP SPIs of the SA's newest installed CHILD SA, lower
   * first ("" without one, or on CentOS when the newest pair cannot be told): both ends
   * print them alike, and they change with every new CHILD SA, so with every negotiated
   * IKE SA too (an IKE SA rekey keeps its CHILD SAs, and with them the old ones).
   */
  initiatorSpi: string;
  responderSpi: string;
  /** swanctl stars our own SPI: true when this router initiated the IKE SA. */
  localIsInitiator: boolean;
  local: SaEndpoint;
  remote: SaEndpoint;
  /** e.g. "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256"; null while connecting. */
  algorithms: string | null;
  establishedSecondsAgo: number | null;
  rekeyInSeconds: number | null;
  reauthInSeconds: number | null;
  children: ChildSa[];
}

export interface IpRoute {
  /** unicast unless the line starts with another type (local, broadcast, unreachable...). */
  type: string;
  /** As printed: "default", "192.168.2.0/24", "198.18.0.2" (host route), "fe80::/64". */
  destination: string;
  family: "inet" | "inet6";
  via: string | null;
  dev: string | null;
  src: string | null;
  /** "main" when the line names no table (that is how ip prints main-table routes). */
  table: string;
  proto: string | null;
  scope: string | null;
  metric: number | null;
}

/** A kernel IPsec policy (SPD entry), as `ip xfrm policy` or `setkey -DP` show it. */
export interface IpsecPolicy {
  source: string;
  destination: string;
  direction: "in" | "out" | "fwd";
  /** "tunnel" or "transport"; null when the output does not say. */
  mode: string | null;
  /** ipsec, allow, block, … */
  action: string;
}
