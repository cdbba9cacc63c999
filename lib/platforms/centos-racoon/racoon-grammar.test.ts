import { describe, expect, it } from "vitest";
import { checkRacoonConfig } from "./racoon-grammar";
import { expandGlob } from "./racoon-tokens";

const CONF = "/etc/racoon/racoon.conf";
const PEER = "/etc/racoon/198.18.2.1.conf";

/** The article's Listing 7 (= Listing 4), verbatim but for the peer address. */
const LISTING_7 = `# Racoon IKE daemon configuration file.
# See 'man racoon.conf' for a description of the format and entries.

path include "/etc/racoon";
path pre_shared_key "/etc/racoon/psk.txt";
path certificate "/etc/racoon/certs";

sainfo anonymous
{
  pfs_group 2;
  lifetime time 1 hour ;
  encryption_algorithm 3des, blowfish 448, rijndael ;
  authentication_algorithm hmac_sha1, hmac_md5 ;
  compression_algorithm deflate ;
}
include "/etc/racoon/198.18.2.1.conf"
`;

/** The article's Listing 8 (= Listing 3), verbatim but for the peer address. */
const LISTING_8 = `;
remote 198.18.2.1
{
  exchange_mode aggressive, main;
  my_identifier address;
  proposal {
    encryption_algorithm 3des;
    hash_algorithm sha1;
    authentication_method pre_shared_key;
    dh_group 2 ;
  }
}
`;

/** The two typos racoon stops at: the include's missing `;` and the stray `;` line. */
const FIXED_7 = LISTING_7.replace('.conf"\n', '.conf";\n');
const FIXED_8 = LISTING_8.slice(2);

const check = (conf: string, more: Record<string, string> = { [PEER]: FIXED_8 }) => checkRacoonConfig({ [CONF]: conf, ...more });

/** A sainfo whose body is replaced, every other line as in the article. */
const withSainfo = (body: string) => FIXED_7.replace(/sainfo anonymous\n\{[^}]*\}/, `sainfo anonymous\n{\n${body}\n}`);
const withProposal = (body: string) => ({ [PEER]: FIXED_8.replace(/proposal \{[^}]*\}/, `proposal {\n${body}\n  }`) });

describe("racoon grammar: the article's listings", () => {
  it("accepts Listings 7 and 8 once their two typos are fixed, and reads aggressive mode first", () => {
    expect(check(FIXED_7)).toEqual({
      error: null,
      remotes: [{ address: "198.18.2.1", exchangeModes: ["aggressive", "main"], path: PEER, line: 1 }],
      filesRead: [CONF, PEER],
    });
  });

  it("refuses Listing 8 as printed: its first line is a stray `;`", () => {
    expect(check(FIXED_7, { [PEER]: LISTING_8 }).error).toBe(`${PEER}:1: ";" syntax error`);
  });

  it("refuses Listing 7 as printed: the include has no `;`", () => {
    expect(check(LISTING_7).error).toBe(`${CONF}:17: "" syntax error (unexpected end of file)`);
  });
});

describe("racoon grammar: what racoon refuses", () => {
  it("a sainfo without compression_algorithm (or encryption, or authentication), at its closing brace", () => {
    const lines = ["  pfs_group 2;", "  encryption_algorithm aes 256;", "  authentication_algorithm hmac_sha256;"];
    expect(check(withSainfo(lines.join("\n"))).error).toBe(
      `${CONF}:13: "}" no compression algorithm at loc='ANONYMOUS', rmt='ANONYMOUS', peer='ANY', id=0`,
    );
    expect(check(withSainfo([lines[0], lines[2], "  compression_algorithm deflate;"].join("\n"))).error).toMatch(
      /:13: "}" no encryption algorithm at/,
    );
    expect(check(withSainfo([lines[1], "  compression_algorithm deflate;"].join("\n"))).error).toMatch(
      /:12: "}" no authentication algorithm at/,
    );
  });

  it("DH groups above 18 (racoon has no ECP group), by number or by name, in sainfo and in a proposal", () => {
    const sainfo = (pfs: string) =>
      withSainfo(
        `  pfs_group ${pfs};\n  encryption_algorithm aes;\n  authentication_algorithm hmac_sha1;\n  compression_algorithm deflate;`,
      );
    expect(check(sainfo("19")).error).toBe(`${CONF}:10: "19" must be DH group`);
    expect(check(sainfo("ecp256")).error).toBe(`${CONF}:10: "ecp256" syntax error`);
    expect(check(sainfo("3des")).error).toBe(`${CONF}:10: "3des" must be DH group`);
    expect(check(sainfo("modp2048")).error).toBeNull();
    expect(check(sainfo("14")).error).toBeNull();
    const proposal = (dh: string) =>
      withProposal(
        `    encryption_algorithm aes 256;\n    hash_algorithm sha256;\n    authentication_method pre_shared_key;\n    dh_group ${dh};`,
      );
    expect(check(FIXED_7, proposal("21")).error).toBe(`${PEER}:9: "21" must be DH group`);
    expect(check(FIXED_7, proposal("18")).error).toBeNull();
  });

  it("an include that matches no file, glob or not; and a glob that includes racoon.conf itself", () => {
    expect(check(FIXED_7, {}).error).toBe(`${CONF}:16: ";" glob found no matches for path "${PEER}"`);
    const glob = FIXED_7.replace("198.18.2.1.conf", "[0-9]*.conf");
    expect(check(glob, {}).error).toBe(`${CONF}:16: ";" glob found no matches for path "/etc/racoon/[0-9]*.conf"`);
    expect(check(glob).error).toBeNull();
    expect(check(FIXED_7.replace("198.18.2.1.conf", "*.conf")).error).toMatch(/Includes nested too deeply$/);
  });

  it("joins a relative include to `path include`", () => {
    expect(check(FIXED_7.replace('"/etc/racoon/198.18.2.1.conf"', '"198.18.2.1.conf"')).error).toBeNull();
    expect(
      check(
        FIXED_7.replace('"/etc/racoon/198.18.2.1.conf"', '"198.18.2.1.conf"').replace('path include "/etc/racoon"', 'path include "/tmp"'),
      ).error,
    ).toMatch(/no matches for path "\/tmp\/198.18.2.1.conf"/);
  });

  it("a stray `;`, an unknown keyword and unbalanced braces, wherever they are", () => {
    expect(check(`${FIXED_7};\n`).error).toBe(`${CONF}:17: ";" syntax error`);
    expect(check(`listen_address 1.2.3.4;\n${FIXED_7}`).error).toBe(`${CONF}:1: "listen_address" syntax error`);
    expect(
      check(
        withSainfo(
          "  encryption_algorithm aes;\n  authentication_algorithm hmac_sha1;\n  compression_algorithm deflate;\n  my_identifier address;",
        ),
      ).error,
    ).toBe(`${CONF}:13: "my_identifier" syntax error`);
    expect(check(FIXED_7, { [PEER]: FIXED_8.replace("my_identifier", "my_identity") }).error).toBe(`${PEER}:4: "my_identity" syntax error`);
    expect(check(FIXED_7, { [PEER]: FIXED_8.replace(/}\n$/, "") }).error).toBe(`${CONF}:17: "" syntax error (unexpected end of file)`);
    expect(check(FIXED_7, { [PEER]: `${FIXED_8}}\n` }).error).toBe(`${PEER}:12: "}" syntax error`);
    expect(check(FIXED_7.replace("sainfo anonymous\n{", "sainfo anonymous\n")).error).toBe(`${CONF}:10: "pfs_group" syntax error`);
  });

  it("algorithms of the wrong class and key lengths racoon does not take", () => {
    const esp = (enc: string) =>
      withSainfo(`  encryption_algorithm ${enc};\n  authentication_algorithm hmac_sha1;\n  compression_algorithm deflate;`);
    expect(check(esp("aes 512")).error).toBe(`${CONF}:10: "aes" invalid keylen 512`);
    expect(check(esp("3des 192")).error).toBe(`${CONF}:10: "3des" keylen not allowed`);
    expect(check(esp("hmac_sha1")).error).toBe(`${CONF}:10: "hmac_sha1" algorithm mismatched`);
    expect(check(esp("blowfish 448, aes 192, rijndael 256, camellia")).error).toBeNull();
    expect(check(withSainfo("  encryption_algorithm aes;\n  authentication_algorithm sha1;\n  compression_algorithm deflate;")).error).toBe(
      `${CONF}:11: "sha1" algorithm mismatched`,
    );
    expect(
      check(
        withSainfo(
          "  encryption_algorithm aes;\n  authentication_algorithm hmac_sha1;\n  compression_algorithm deflate;\n  lifetime byte 100 MB;",
        ),
      ).error,
    ).toBe(`${CONF}:13: "byte" byte lifetime support is deprecated`);
  });

  it("a remote without an exchange mode or a complete proposal, and dh_group outside the proposal", () => {
    expect(check(FIXED_7, { [PEER]: FIXED_8.replace("  exchange_mode aggressive, main;\n", "") }).error).toBe(
      `${PEER}:10: "}" no exchange mode specified.`,
    );
    expect(
      check(FIXED_7, withProposal("    encryption_algorithm aes;\n    hash_algorithm sha1;\n    authentication_method pre_shared_key;"))
        .error,
    ).toBe(`${PEER}:10: "}" DH group required.`);
    expect(check(FIXED_7, { [PEER]: FIXED_8.replace("  my_identifier address;", "  dh_group 2;") }).error).toBe(
      `${PEER}:4: "dh_group" dh_group cannot be defined here.`,
    );
    const twoProposals = FIXED_8.replace(/(  proposal \{[^}]*\}\n)/, "$1$1").replace("dh_group 2 ;", "dh_group 14;");
    expect(check(FIXED_7, { [PEER]: twoProposals }).error).toMatch(
      /"}" DH group must be equal in all proposals when aggressive mode is used\.$/,
    );
    expect(check(FIXED_7, { [PEER]: twoProposals.replace("aggressive, main", "main") }).error).toBeNull();
  });

  it("a peer's remote block included twice: racoon then negotiates nothing with that peer", () => {
    expect(check(`${FIXED_7}include "/etc/racoon/198.18.2.1.conf";\n`).error).toMatch(
      /second remote block for 198\.18\.2\.1 .*multiple exact configurations/,
    );
  });

  it("reports the file and line where racoon stops, inside included files too", () => {
    const files = {
      [CONF]: FIXED_7.replace(PEER, "/etc/racoon/peers/*.conf"),
      "/etc/racoon/peers/a.conf": FIXED_8,
      "/etc/racoon/peers/b.conf": "\n\nremote 198.18.3.1 { }\n",
    };
    expect(checkRacoonConfig(files)).toMatchObject({
      error: '/etc/racoon/peers/b.conf:3: "}" no exchange mode specified.',
      filesRead: [CONF, "/etc/racoon/peers/a.conf", "/etc/racoon/peers/b.conf"],
    });
  });
});

describe("expandGlob", () => {
  it("matches as glob(3) does: sorted, no leading dot, character classes", () => {
    const files = [
      "/etc/racoon/racoon.conf",
      "/etc/racoon/198.18.2.1.conf",
      "/etc/racoon/10.0.0.1.conf",
      "/etc/racoon/.x.conf",
      "/etc/racoon/sub/1.conf",
    ];
    expect(expandGlob("/etc/racoon/*.conf", files)).toEqual([
      "/etc/racoon/10.0.0.1.conf",
      "/etc/racoon/198.18.2.1.conf",
      "/etc/racoon/racoon.conf",
    ]);
    expect(expandGlob("/etc/racoon/[0-9]*.conf", files)).toEqual(["/etc/racoon/10.0.0.1.conf", "/etc/racoon/198.18.2.1.conf"]);
    expect(expandGlob("/etc/racoon/[!0-9]*.conf", files)).toEqual(["/etc/racoon/racoon.conf"]);
    expect(expandGlob("/etc/racoon/198.18.2.1.conf", files)).toEqual(["/etc/racoon/198.18.2.1.conf"]);
  });
});
