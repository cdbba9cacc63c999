#!/bin/bash
# /sbin/ifup and /sbin/ifdown of a Gatewarden LAB router of platform centos-racoon.
#
# THIS IS AN EMULATION OF THE CENTOS TARGET, FOR THE LAB ONLY. A real CentOS router
# runs initscripts' ifup-ipsec/ifdown-ipsec, setkey and the racoon daemon. The lab's
# kernel has no ESP/AH and no PF_KEY and racoon is not packaged for Debian 12, so
# this script honours the initscripts TYPE=IPSEC contract on the files — it reads
# /etc/sysconfig/network-scripts/ifcfg-<dev> and keys-<dev>, writes
# /etc/racoon/psk.txt ("DST  PSK", 0600), /etc/racoon/<DST>.conf (the remote
# block), appends `include "/etc/racoon/<DST>.conf";` to racoon.conf and, for
# net-to-net, adds `ip route add to DSTNET via SRCGW src SRCGW` — and then brings
# the tunnel up with the router's strongSwan charon in IKEv1 (kernel-libipsec),
# using the proposal read back FROM THOSE RACOON FILES (phase 1 from <DST>.conf,
# phase 2 from racoon.conf's sainfo).
#
# Differences from the real thing, on purpose:
#  - ifup waits for the tunnel and fails (exit 2) if it does not come up; the real
#    one returns at once and racoon negotiates on demand. Exit 1 = bad/missing
#    config (as the real one). The configuration stays installed after exit 2, so
#    running ifup on the peer afterwards brings the tunnel up; ifdown removes it.
#  - <DST>.conf is rewritten on every ifup (the real one only when older than ifcfg).
#  - Host-to-host runs as tunnel mode with /32 selectors SRC/DST (libipsec has no
#    transport mode); AH is not emulated (libipsec has ESP only); IPComp
#    (compression_algorithm) is ignored; Blowfish is skipped (strongSwan has no
#    448-bit Blowfish and OpenSSL 3 keeps Blowfish in its legacy provider).
#  - Both ends use the first mode of exchange_mode (strongSwan picks one per conn).
#  - Only TYPE=IPSEC with IKE_METHOD=PSK is handled.
# The PSK is never put on a command line: it travels through files and pipes only.
set -u
umask 022
PROG=${0##*/}
NETSCRIPTS=/etc/sysconfig/network-scripts
RACOON=/etc/racoon
CONFD=/etc/swanctl/conf.d
TIMEOUT=${IFUP_IPSEC_TIMEOUT:-10}

die() { echo "$PROG: $*" >&2; exit 1; }
tunnel_failed() { echo "$PROG: $*" >&2; exit 2; }

is_ipv4() {
  local IFS=. a b c d x
  [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  read -r a b c d <<<"$1"
  for x in "$a" "$b" "$c" "$d"; do (( 10#$x <= 255 )) || return 1; done
}
is_cidr() {
  [[ $1 == */* ]] || return 1
  is_ipv4 "${1%/*}" && [[ ${1#*/} =~ ^[0-9]{1,2}$ ]] && (( 10#${1#*/} <= 32 ))
}

# --- locate and read the configuration (as initscripts' need_config/source_config)
[ $# -ge 1 ] || die "Usage: $PROG <configuration>"
CONFIG=$1
case $CONFIG in
  */*) ;;
  ifcfg-*) CONFIG=$NETSCRIPTS/$CONFIG ;;
  *) CONFIG=$NETSCRIPTS/ifcfg-$CONFIG ;;
esac
[ -f "$CONFIG" ] || die "configuration for $1 not found."
unset TYPE DEVICE ONBOOT IKE_METHOD SRC DST SRCGW DSTGW SRCNET DSTNET IKE_ENC IKE_AUTH IKE_DHGROUP AH_PROTO ESP_PROTO IKE_EXCHANGE_MODE IKE_PSK
bash -n "$CONFIG" 2>/dev/null || die "$CONFIG: syntax error (the file is sourced by bash)"
# shellcheck disable=SC1090
. "$CONFIG" || die "$CONFIG: cannot be read"
DEVICE=${DEVICE:-${CONFIG##*/ifcfg-}}
[[ $DEVICE =~ ^[A-Za-z0-9_.:-]+$ ]] || die "bad device name '$DEVICE'"
[ "${TYPE:-}" = IPSEC ] || die "$CONFIG: TYPE=${TYPE:-<unset>}: this lab router only emulates TYPE=IPSEC"
KEYS=$NETSCRIPTS/keys-$DEVICE

[ -n "${DST:-}" ] || die "$CONFIG: DST (the peer's public address) is missing"
is_ipv4 "$DST" || die "$CONFIG: DST=$DST is not an IPv4 address"
if [ -n "${SRC:-}" ]; then is_ipv4 "$SRC" || die "$CONFIG: SRC=$SRC is not an IPv4 address"; fi
TUNNEL_MODE=no
if [ -n "${SRCNET:-}" ] || [ -n "${DSTNET:-}" ]; then
  TUNNEL_MODE=yes
  is_cidr "${SRCNET:-}" || die "$CONFIG: SRCNET=${SRCNET:-<unset>} is not a network (a.b.c.d/n)"
  is_cidr "${DSTNET:-}" || die "$CONFIG: DSTNET=${DSTNET:-<unset>} is not a network (a.b.c.d/n)"
  is_ipv4 "${SRCGW:-}" || die "$CONFIG: SRCGW=${SRCGW:-<unset>} is not an IPv4 address"
  if [ -n "${DSTGW:-}" ]; then is_ipv4 "$DSTGW" || die "$CONFIG: DSTGW=$DSTGW is not an IPv4 address"; fi
fi

ip_src_for() { ip -o route get to "$1" 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n1; }

# --- ifdown ------------------------------------------------------------------
if [ "$PROG" = ifdown ]; then
  swanctl --terminate --ike "ifup-$DEVICE" --force --timeout 5 >/dev/null 2>&1
  rm -f "$CONFD/ifup-$DEVICE.conf"
  swanctl --load-all --clear >/dev/null 2>&1
  if [ "$TUNNEL_MODE" = yes ]; then
    ip route del to "$DSTNET" via "$SRCGW" 2>/dev/null
  fi
  if [ -f "$RACOON/racoon.conf" ]; then
    tmp=$(mktemp "$RACOON/racoon.conf.XXXXXX")
    grep -vxF "include \"$RACOON/$DST.conf\";" "$RACOON/racoon.conf" >"$tmp"
    chmod 644 "$tmp" && mv -f "$tmp" "$RACOON/racoon.conf"
  fi
  rm -f "$RACOON/$DST.conf"
  if [ -f "$RACOON/psk.txt" ]; then
    tmp=$(umask 077; mktemp "$RACOON/psk.XXXXXX")
    grep -v "^$DST[[:space:]]" "$RACOON/psk.txt" >"$tmp"
    mv -f "$tmp" "$RACOON/psk.txt"
  fi
  echo "$PROG: $DEVICE down"
  exit 0
fi
[ "$PROG" = ifup ] || die "must be called as ifup or ifdown"

# --- ifup: validate the IKE settings -------------------------------------------
[ "${IKE_METHOD:-PSK}" = PSK ] || die "$CONFIG: IKE_METHOD=$IKE_METHOD: only PSK is emulated in the lab"
[ -f "$KEYS" ] || die "$KEYS not found (IKE_METHOD=PSK needs IKE_PSK)"
bash -n "$KEYS" 2>/dev/null || die "$KEYS: syntax error"
# shellcheck disable=SC1090
. "$KEYS" || die "$KEYS: cannot be read"
[ -n "${IKE_PSK:-}" ] || die "$KEYS: IKE_PSK is missing or empty"
[[ $IKE_PSK != *$'\n'* ]] || die "$KEYS: IKE_PSK must be one line"

IKE_ENC=${IKE_ENC:-3des}
case $IKE_ENC in 3des | aes | "aes 128" | "aes 192" | "aes 256") ;; *) die "$CONFIG: IKE_ENC=$IKE_ENC is not one of 3des, aes, aes 128, aes 192, aes 256" ;; esac
IKE_AUTH=${IKE_AUTH:-sha1}
case $IKE_AUTH in md5 | sha1 | sha256 | sha384 | sha512) ;; *) die "$CONFIG: IKE_AUTH=$IKE_AUTH is not one of md5, sha1, sha256, sha384, sha512" ;; esac
IKE_DHGROUP=${IKE_DHGROUP:-2}
case $IKE_DHGROUP in 1 | 2 | 5 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21) ;; *) die "$CONFIG: IKE_DHGROUP=$IKE_DHGROUP is not a supported group" ;; esac
IKE_EXCHANGE_MODE=${IKE_EXCHANGE_MODE:-aggressive, main}
[[ $IKE_EXCHANGE_MODE =~ ^(main|aggressive)(\ *,\ *(main|aggressive))?$ ]] || die "$CONFIG: IKE_EXCHANGE_MODE=$IKE_EXCHANGE_MODE must be 'main' or 'aggressive, main'"
if [ -n "${AH_PROTO:-}" ] && [ "$AH_PROTO" != none ]; then
  echo "$PROG: note: AH_PROTO=$AH_PROTO ignored (the lab's libipsec does ESP only)" >&2
fi
[ -n "${SRC:-}" ] || SRC=$(ip_src_for "$DST")
is_ipv4 "${SRC:-}" || die "no local address towards $DST (set SRC)"

# --- ifup: the racoon files, as initscripts' ifup-ipsec writes them ----------------
mkdir -p "$RACOON" || die "cannot create $RACOON"
tmp=$(umask 077; mktemp "$RACOON/psk.XXXXXX") || die "cannot write $RACOON/psk.txt"
[ -f "$RACOON/psk.txt" ] && grep -v "^$DST[[:space:]]" "$RACOON/psk.txt" >"$tmp"
printf '%s  %s\n' "$DST" "$IKE_PSK" >>"$tmp"
chmod 600 "$tmp" && mv -f "$tmp" "$RACOON/psk.txt"

cat >"$RACOON/$DST.conf" <<EOF
;
remote $DST
{
	exchange_mode $IKE_EXCHANGE_MODE;
	my_identifier address;
	proposal {
		encryption_algorithm $IKE_ENC;
		hash_algorithm $IKE_AUTH;
		authentication_method pre_shared_key;
		dh_group $IKE_DHGROUP;
	}
}
EOF

if [ ! -f "$RACOON/racoon.conf" ]; then
  cat >"$RACOON/racoon.conf" <<'EOF'
# Racoon IKE daemon configuration file.
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
EOF
fi
INCLUDE="include \"$RACOON/$DST.conf\";"
grep -qxF "$INCLUDE" "$RACOON/racoon.conf" || printf '%s\n' "$INCLUDE" >>"$RACOON/racoon.conf"

if [ "$TUNNEL_MODE" = yes ]; then
  if ! ip route show to "$DSTNET" | grep -q "via $SRCGW"; then
    ip route add to "$DSTNET" via "$SRCGW" src "$SRCGW" || die "cannot add route to $DSTNET via $SRCGW"
  fi
fi

# --- read the proposal back from the racoon files --------------------------------
# Prints "key<TAB>value" for the statements of the first block whose header matches.
racoon_block() { # file header-regex
  awk -v hdr="$2" '
    !inblk && $0 ~ hdr { inblk = 1; depth = 0 }
    inblk {
      line = $0; sub(/#.*/, "", line)
      n = split(line, parts, ";")
      for (i = 1; i <= n; i++) {
        s = parts[i]; gsub(/[{}]/, " ", s); gsub(/^[ \t]+|[ \t]+$/, "", s); gsub(/[ \t]+/, " ", s)
        if (s ~ /^(exchange_mode|encryption_algorithm|hash_algorithm|dh_group|pfs_group|lifetime|authentication_algorithm|compression_algorithm) /) {
          key = s; sub(/ .*/, "", key); val = substr(s, length(key) + 2); print key "\t" val
        }
      }
      depth += gsub(/{/, "{", line); depth -= gsub(/}/, "}", line)
      if (depth <= 0 && line ~ /}/) exit
    }' "$1"
}
value_of() { printf '%s\n' "$1" | awk -F'\t' -v k="$2" '$1 == k { print $2; exit }'; }

PH1=$(racoon_block "$RACOON/$DST.conf" "^[ \t]*remote[ \t]+${DST//./\\.}([ \t]|\$)")
ESC_SRCNET=${SRCNET:-$SRC/32}; ESC_DSTNET=${DSTNET:-$DST/32}
PH2=$(racoon_block "$RACOON/racoon.conf" "^[ \t]*sainfo[ \t]+address[ \t]+${ESC_SRCNET//./\\.}[ \t]+any[ \t]+address[ \t]+${ESC_DSTNET//./\\.}")
[ -n "$PH2" ] || PH2=$(racoon_block "$RACOON/racoon.conf" "^[ \t]*sainfo[ \t]+anonymous")
[ -n "$PH2" ] || die "$RACOON/racoon.conf: no sainfo block (anonymous or for $ESC_SRCNET $ESC_DSTNET)"

dh_name() {
  case $1 in
    1 | modp768) echo modp768 ;; 2 | modp1024) echo modp1024 ;; 5 | modp1536) echo modp1536 ;;
    14 | modp2048) echo modp2048 ;; 15 | modp3072) echo modp3072 ;; 16 | modp4096) echo modp4096 ;;
    17 | modp6144) echo modp6144 ;; 18 | modp8192) echo modp8192 ;;
    19) echo ecp256 ;; 20) echo ecp384 ;; 21) echo ecp521 ;; *) return 1 ;;
  esac
}
enc_name() { # racoon encryption name → strongSwan keyword (empty = skip)
  case $1 in
    3des) echo 3des ;; aes | rijndael | "aes 128" | "rijndael 128") echo aes128 ;;
    "aes 192" | "rijndael 192") echo aes192 ;; "aes 256" | "rijndael 256") echo aes256 ;;
    blowfish*) echo "" ;; # no 448-bit Blowfish in strongSwan (see header)
    *) return 1 ;;
  esac
}
hash_name() {
  case $1 in md5 | hmac_md5) echo md5 ;; sha1 | hmac_sha1) echo sha1 ;; sha256 | hmac_sha256) echo sha256 ;;
    sha384 | hmac_sha384) echo sha384 ;; sha512 | hmac_sha512) echo sha512 ;; *) return 1 ;; esac
}
list_of() { # "a, b 448, c" → one per line
  printf '%s\n' "$1" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | sed '/^$/d'
}

MODE=$(value_of "$PH1" exchange_mode); MODE=${MODE%%,*}; MODE=${MODE// /}
case $MODE in aggressive) AGGRESSIVE=yes ;; main) AGGRESSIVE=no ;; *) die "$RACOON/$DST.conf: bad exchange_mode" ;; esac
P1ENC=$(enc_name "$(value_of "$PH1" encryption_algorithm)") && [ -n "$P1ENC" ] || die "$RACOON/$DST.conf: unsupported encryption_algorithm"
P1HASH=$(hash_name "$(value_of "$PH1" hash_algorithm)") || die "$RACOON/$DST.conf: unsupported hash_algorithm"
P1DH=$(dh_name "$(value_of "$PH1" dh_group)") || die "$RACOON/$DST.conf: unsupported dh_group"

ESP_ENCS="" ESP_AUTHS="" PFS="" LIFETIME=3600
while IFS= read -r alg; do
  name=$(enc_name "$alg") || die "$RACOON/racoon.conf: unsupported encryption_algorithm '$alg'"
  [ -n "$name" ] && [[ " $ESP_ENCS " != *" $name "* ]] && ESP_ENCS="$ESP_ENCS $name"
done < <(list_of "$(value_of "$PH2" encryption_algorithm)")
while IFS= read -r alg; do
  name=$(hash_name "$alg") || die "$RACOON/racoon.conf: unsupported authentication_algorithm '$alg'"
  [[ " $ESP_AUTHS " != *" $name "* ]] && ESP_AUTHS="$ESP_AUTHS $name"
done < <(list_of "$(value_of "$PH2" authentication_algorithm)")
[ -n "$ESP_ENCS" ] || die "$RACOON/racoon.conf: no usable encryption_algorithm in sainfo"
[ -n "$ESP_AUTHS" ] || die "$RACOON/racoon.conf: no usable authentication_algorithm in sainfo"
if PG=$(value_of "$PH2" pfs_group) && [ -n "$PG" ]; then PFS=$(dh_name "$PG") || die "$RACOON/racoon.conf: unsupported pfs_group $PG"; fi
if LT=$(value_of "$PH2" lifetime) && [ -n "$LT" ]; then
  read -r _ n unit <<<"$LT"
  case $unit in hour | hours) LIFETIME=$((n * 3600)) ;; min | mins | minute | minutes) LIFETIME=$((n * 60)) ;; sec | secs | second | seconds) LIFETIME=$n ;; *) die "$RACOON/racoon.conf: bad lifetime '$LT'" ;; esac
fi
IKE_PROPOSAL="$P1ENC-$P1HASH-$P1DH"
ESP_PROPOSAL=$(echo $ESP_ENCS $ESP_AUTHS $PFS | tr ' ' '-')
if [ "$TUNNEL_MODE" = yes ]; then LOCAL_TS=$SRCNET REMOTE_TS=$DSTNET; else LOCAL_TS=$SRC/32 REMOTE_TS=$DST/32; fi

# --- hand the tunnel to strongSwan (the lab's stand-in for racoon) ----------------
mkdir -p "$CONFD"
CONF="$CONFD/ifup-$DEVICE.conf"
tmp=$(umask 077; mktemp "$CONFD/.ifup.XXXXXX") || die "cannot write $CONF"
{
  printf '# Written by the lab ifup from %s and the racoon files. Do not edit.\n' "$CONFIG"
  printf 'connections {\n  ifup-%s {\n    version = 1\n    aggressive = %s\n' "$DEVICE" "$AGGRESSIVE"
  printf '    local_addrs = %s\n    remote_addrs = %s\n    proposals = %s\n' "$SRC" "$DST" "$IKE_PROPOSAL"
  printf '    local {\n      auth = psk\n      id = %s\n    }\n    remote {\n      auth = psk\n      id = %s\n    }\n' "$SRC" "$DST"
  printf '    children {\n      %s {\n        local_ts = %s\n        remote_ts = %s\n' "$DEVICE" "$LOCAL_TS" "$REMOTE_TS"
  printf '        esp_proposals = %s\n        mode = tunnel\n        life_time = %ss\n        rekey_time = %ss\n      }\n    }\n  }\n}\n' \
    "$ESP_PROPOSAL" "$LIFETIME" "$((LIFETIME * 9 / 10))"
  printf 'secrets {\n  ike-ifup-%s {\n    id = %s\n    secret = 0s%s\n  }\n}\n' "$DEVICE" "$DST" "$(printf '%s' "$IKE_PSK" | base64 -w0)"
} >"$tmp"
chmod 600 "$tmp" && mv -f "$tmp" "$CONF"

if ! out=$(swanctl --load-all --clear 2>&1); then
  tunnel_failed "loading the strongSwan configuration failed (is the router's charon running?): $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"
fi
# Like ifdown+ifup: a running SA of this device is replaced (the new PSK must authenticate).
swanctl --terminate --ike "ifup-$DEVICE" --force --timeout 3 >/dev/null 2>&1

out=$(swanctl --initiate --child "$DEVICE" --timeout "$TIMEOUT" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
  echo "$PROG: $DEVICE up: IKEv1 $MODE mode $IKE_PROPOSAL, ESP $ESP_PROPOSAL, $LOCAL_TS === $REMOTE_TS"
  exit 0
fi
swanctl --terminate --ike "ifup-$DEVICE" --force --timeout 2 >/dev/null 2>&1
if grep -q "AUTH_FAILED\|HASH does not match" <<<"$out"; then
  reason="authentication failed (AUTH_FAILED): the peer $DST has a different pre-shared key"
elif grep -q "NO_PROPOSAL_CHOSEN" <<<"$out"; then
  reason="the peer $DST rejected the proposal or has no matching connection (NO_PROPOSAL_CHOSEN): is the peer configured with the same settings (ifup on the peer)?"
elif grep -q "not established after" <<<"$out"; then
  reason="no answer from $DST within ${TIMEOUT}s (peer down, not configured, or a pre-shared key mismatch in main mode)"
else
  reason="$(printf '%s' "$out" | grep -v '^\[' | tail -n 2 | tr '\n' ' ')"
fi
tunnel_failed "$DEVICE: tunnel to $DST did not come up: $reason (configuration left installed; ifdown $DEVICE removes it)"
