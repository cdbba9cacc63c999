# `setkey -D` of a VM lab CentOS router (THIS IS LAB CODE): the guest kernel's own SAD, as
# `ip -s xfrm state list nokeys` lists it through XFRM, printed in ipsec-tools' setkey layout
# (pfkey_dump.c; the same layout lab-racoon.ts prints in the namespace lab). No key is read
# or printed (a real setkey prints them in hex). awk, not node: a node start costs seconds
# of the VM's one emulated CPU, which its IKE daemon needs.
#   ip -s xfrm state list nokeys | awk -f gw-lab-setkey-kernel.awk
function when(s,   d) { # "2026-12-07 02:09:04" (local time) → epoch seconds
  d = s; gsub(/[-:]/, " ", d)
  return mktime(d)
}
function stamp(t) { return strftime("%b %e %H:%M:%S %Y", t) }
function hex8(n) { return sprintf("%08x", n) }
function alg(k) {
  if (k in NAMES) return NAMES[k]
  return k
}
function flush(   age) {
  if (src == "") return
  age = now - added; if (age < 0) age = 0
  printf "%s %s \n", src, dst
  printf "\t%s mode=%s spi=%.0f(0x%s) reqid=%d(0x%s)\n", proto, mode, spi, spihex, reqid, hex8(reqid)
  if (enc != "") printf "\tE: %s  \n", enc
  if (auth != "") printf "\tA: %s  \n", auth
  printf "\tseq=0x00000000 replay=4 flags=0x00000000 state=mature \n"
  printf "\tcreated: %s\tcurrent: %s\n", stamp(added), stamp(now)
  printf "\tdiff: %d(s)\thard: %d(s)\tsoft: %d(s)\n", age, hard, soft
  printf "\tlast: %s\thard: 0(s)\tsoft: 0(s)\n", used ? stamp(used) : "                    "
  printf "\tcurrent: %.0f(bytes)\thard: 0(bytes)\tsoft: 0(bytes)\n", bytes
  printf "\tallocated: %.0f\thard: 0\tsoft: 0\n", packets
  printf "\tsadb_seq=%d pid=0 refcnt=0\n", seq++
  count++
  src = ""
}
BEGIN {
  now = systime(); seq = 0; count = 0
  # The kernel's crypto names → setkey's (pfkey_dump.c).
  NAMES["cbc(aes)"] = "aes-cbc"; NAMES["cbc(des3_ede)"] = "3des-cbc"; NAMES["cbc(blowfish)"] = "blowfish-cbc"
  NAMES["cbc(cast5)"] = "cast128-cbc"; NAMES["rfc4106(gcm(aes))"] = "aes-gcm-16"
  NAMES["hmac(md5)"] = "hmac-md5"; NAMES["hmac(sha1)"] = "hmac-sha1"; NAMES["hmac(sha256)"] = "hmac-sha256"
  NAMES["hmac(sha384)"] = "hmac-sha384"; NAMES["hmac(sha512)"] = "hmac-sha512"
}
/^src / { flush(); src = $2; dst = $4; proto = ""; mode = ""; enc = ""; auth = ""; hard = 0; soft = 0; added = now; used = 0; bytes = 0; packets = 0; next }
/^\tproto / {
  proto = $2
  spihex = $4; sub(/\(.*/, "", spihex); sub(/^0x/, "", spihex)
  spi = $4; sub(/^[^(]*\(/, "", spi); sub(/\).*/, "", spi)
  reqid = $6; sub(/\(.*/, "", reqid)
  mode = $8
  next
}
/^\t(enc|aead) / { enc = alg($2); next }
/^\t(auth|auth-trunc) / { auth = alg($2); next }
/^\t  expire add: / { s = $4; sub(/\(.*/, "", s); h = $6; sub(/\(.*/, "", h); soft = s; hard = h; next }
/^\t  [0-9]+\(bytes\), / { b = $1; sub(/\(.*/, "", b); p = $2; sub(/\(.*/, "", p); bytes = b; packets = p; next }
/^\t  add / { added = when($2 " " $3); if ($5 != "-") used = when($5 " " $6); next }
END {
  flush()
  if (count == 0) print "No SAD entries."
}
