// What racoon (ipsec-tools 0.8) accepts where, from its lexer and algorithm tables
// (FACTS.md, "racoon's configuration grammar"): the algorithm names of each class with
// their key lengths, and the DH groups. Shared by the grammar checker and the renderer.

/** Algorithm classes as the grammar knows them (`algclass_*`). */
export type AlgorithmClass = "ipsec-enc" | "ipsec-auth" | "ipsec-comp" | "ike-enc" | "ike-hash" | "ike-auth" | "dh";

/** Every word the lexer turns into an ALGORITHMTYPE, with the name it stands for (`cftoken.l:442-552`). */
const ALIASES: Record<string, string> = {
  des_iv64: "des_iv64",
  des: "des",
  "3des": "3des",
  rc5: "rc5",
  idea: "idea",
  cast128: "cast128",
  blowfish: "blowfish",
  "3idea": "3idea",
  des_iv32: "des_iv32",
  rc4: "rc4",
  null_enc: "null_enc",
  null: "null_enc",
  aes: "aes",
  rijndael: "aes",
  twofish: "twofish",
  camellia: "camellia",
  non_auth: "non_auth",
  hmac_md5: "hmac_md5",
  hmac_sha1: "hmac_sha1",
  hmac_sha2_256: "hmac_sha2_256",
  hmac_sha256: "hmac_sha2_256",
  hmac_sha2_384: "hmac_sha2_384",
  hmac_sha384: "hmac_sha2_384",
  hmac_sha2_512: "hmac_sha2_512",
  hmac_sha512: "hmac_sha2_512",
  des_mac: "des_mac",
  kpdk: "kpdk",
  md5: "md5",
  sha1: "sha1",
  tiger: "tiger",
  sha2_256: "sha2_256",
  sha256: "sha2_256",
  sha2_384: "sha2_384",
  sha384: "sha2_384",
  sha2_512: "sha2_512",
  sha512: "sha2_512",
  oui: "oui",
  deflate: "deflate",
  lzs: "lzs",
  modp768: "modp768",
  modp1024: "modp1024",
  modp1536: "modp1536",
  ec2n155: "ec2n155",
  ec2n185: "ec2n185",
  modp2048: "modp2048",
  modp3072: "modp3072",
  modp4096: "modp4096",
  modp6144: "modp6144",
  modp8192: "modp8192",
  pre_shared_key: "pre_shared_key",
  rsasig: "rsasig",
  dsssig: "dsssig",
  rsaenc: "rsaenc",
  rsarev: "rsarev",
  gssapi_krb: "gssapi_krb",
  hybrid_rsa_server: "hybrid_rsa_server",
  hybrid_dss_server: "hybrid_dss_server",
  hybrid_rsa_client: "hybrid_rsa_client",
  hybrid_dss_client: "hybrid_dss_client",
  xauth_psk_server: "xauth_psk_server",
  xauth_psk_client: "xauth_psk_client",
  xauth_rsa_server: "xauth_rsa_server",
  xauth_rsa_client: "xauth_rsa_client",
};

/** Ciphers with a variable key: a multiple of 8 in [min, max], or one of `only`; others take no length (`algorithm.c:784-887`). */
type KeyLengths = { min: number; max: number; only?: readonly number[] };
const VARIABLE: Record<string, KeyLengths> = {
  blowfish: { min: 40, max: 448 },
  cast128: { min: 40, max: 128 },
  twofish: { min: 40, max: 256 },
  aes: { min: 128, max: 256, only: [128, 192, 256] },
  camellia: { min: 128, max: 256, only: [128, 192, 256] },
};

/** Which names each class takes (`algorithm.c` tables; rc5/idea need OpenSSL headers RHEL does not ship). */
const CLASSES: Record<AlgorithmClass, readonly string[]> = {
  "ipsec-enc": ["des_iv64", "des", "3des", "cast128", "blowfish", "des_iv32", "null_enc", "aes", "twofish", "rc4", "camellia"],
  "ipsec-auth": ["hmac_md5", "hmac_sha1", "kpdk", "non_auth", "hmac_sha2_256", "hmac_sha2_384", "hmac_sha2_512"],
  "ipsec-comp": ["oui", "deflate", "lzs"],
  "ike-enc": ["des", "blowfish", "3des", "cast128", "aes", "camellia"],
  "ike-hash": ["md5", "sha1", "sha2_256", "sha2_384", "sha2_512"],
  "ike-auth": [
    "pre_shared_key",
    "dsssig",
    "rsasig",
    "rsaenc",
    "rsarev",
    "gssapi_krb",
    "hybrid_rsa_server",
    "hybrid_dss_server",
    "xauth_psk_server",
    "xauth_rsa_server",
    "hybrid_rsa_client",
    "hybrid_dss_client",
    "xauth_psk_client",
    "xauth_rsa_client",
  ],
  dh: ["modp768", "modp1024", "modp1536", "modp2048", "modp3072", "modp4096", "modp6144", "modp8192"],
};

/** Group numbers `num2dhgroup` maps (`cfparse.y:118-138`); 3 and 4 are EC2N, which racoon parses and then refuses to use. */
export const RACOON_DH_NUMBERS: readonly number[] = [1, 2, 3, 4, 5, 14, 15, 16, 17, 18];
/** The groups racoon can compute (`algorithm.c:271-288`): MODP only, no ECP group at all. */
export const RACOON_DH_GROUPS: readonly number[] = [1, 2, 5, 14, 15, 16, 17, 18];

/** The canonical algorithm a word stands for, or null when the lexer has no such algorithm. */
export const algorithmName = (word: string): string | null => (Object.hasOwn(ALIASES, word) ? ALIASES[word]! : null);

/**
 * Why racoon refuses `word [keyLength]` in this class, in racoon's words, or null when it
 * takes it. The word must be an algorithm name (algorithmName(word) !== null).
 */
export function algorithmProblem(cls: AlgorithmClass, word: string, keyLength: number | null): string | null {
  const name = algorithmName(word)!;
  if (!CLASSES[cls].includes(name)) return cls === "dh" ? "must be DH group" : "algorithm mismatched";
  if (keyLength === null) return null;
  const lengths = (cls === "ipsec-enc" || cls === "ike-enc") && Object.hasOwn(VARIABLE, name) ? VARIABLE[name]! : null;
  if (lengths === null) return "keylen not allowed";
  const fits = lengths.only
    ? lengths.only.includes(keyLength)
    : keyLength % 8 === 0 && keyLength >= lengths.min && keyLength <= lengths.max;
  return fits ? null : `invalid keylen ${keyLength}`;
}
