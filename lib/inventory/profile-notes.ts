// What each built-in crypto profile is for, in a sentence a newcomer understands: the
// names alone ("Article (legacy)") assume one knows where Gatewarden came from.
export const ARTICLE_SOURCE =
  "“Use of IPSEC in Linux when configuring network-to-network and point-to-point VPN connections” (A. Derevyanko, IBM developerWorks, 2012), the CentOS ifup-ipsec/racoon setup Gatewarden's CentOS platform follows";

const NOTES: Record<string, string> = {
  Modern: "IKEv2 with AES-256, SHA-256 and ECP-256 (RFC 8247/8221). The default between strongSwan and Libreswan routers.",
  "Modern IKEv1 (racoon)":
    "The strongest proposal CentOS's racoon can run: IKEv1 main mode, AES-256, SHA-256, MODP-2048 and PFS. The default when an end is a CentOS router.",
  "Article (legacy)": `The proposal of ${ARTICLE_SOURCE}: aggressive mode, 3DES, MD5, DH 2. Only for talking to routers set up by hand from that article; never a default.`,
};

export function builtInProfileNote(name: string): string | null {
  return NOTES[name] ?? null;
}
