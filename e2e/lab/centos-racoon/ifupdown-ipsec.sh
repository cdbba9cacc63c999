#!/bin/bash
# /sbin/ifup and /sbin/ifdown of a Gatewarden LAB router of platform centos-racoon.
#
# THIS IS AN EMULATION OF THE CENTOS TARGET, FOR THE LAB ONLY, written from what the real
# initscripts ifup-ipsec/ifdown-ipsec do (fedora-sysv/initscripts 95521ae815ae, the last
# revision with them; facts and line numbers in lib/platforms/centos-racoon/FACTS.md). It
# follows them step by step:
#  - it reads ifcfg-<dev> and then keys-<dev> (when readable) from the scripts directory,
#    with the real defaults: IKE_DHGROUP=2, AH_PROTO=sha1, ESP_PROTO=3des, IKE_AUTH=$AH_PROTO,
#    IKE_ENC=$ESP_PROTO (none → sha1 / 3des). It validates nothing the real one does not.
#  - SRCNET or DSTNET set: tunnel mode and `ip route add to DSTNET via SRCGW src SRCGW`;
#    otherwise transport mode between SRC and DST and no route.
#  - AH is required by the policy unless AH_PROTO=none (the real SPD asks esp+ah).
#  - psk.txt: the peer's lines dropped, "DST  PSK" appended, through a mktemp file (0600).
#  - /etc/racoon/DST.conf is written ONLY when missing or older than ifcfg-<dev>, always with
#    `exchange_mode aggressive, main;` and no lifetime: IKE_EXCHANGE_MODE is never read.
#  - racoon.conf: the peer's include line dropped and appended again, through mktemp (0600).
#  - racoon started when not running, else reloaded (SIGHUP); ifup's exit status is that
#    command's: 0 at once, whatever racoon then makes of its configuration.
#  - ifdown removes the route, the policies and the include and reloads racoon; it KEEPS
#    DST.conf and the psk.txt line.
#
# The kernel SPD is emulated (this kernel has no ESP, AH or PF_KEY): each policy pair ifup
# installs is a file in /run/gw-lab-spd, which the emulated `setkey -DP` prints, and the
# emulated racoon (/usr/sbin/racoon, see that script) negotiates for it with the router's
# strongSwan charon in IKEv1 (kernel-libipsec) on demand, when traffic hits the policy.
# Differences from a real router (see also the racoon script):
#  - libipsec has no transport mode: host-to-host runs as tunnel mode with /32 selectors
#    (SRC/DST), and the emulated `setkey -D` lists it in the mode ifup's policy asks for.
#  - libipsec has no AH: a policy that requires AH (AH_PROTO other than none) is installed
#    but the emulated racoon negotiates nothing for it and logs why (a real pair of routers
#    would negotiate AH+ESP).
#  - ifdown ends the peer's SAs (a real racoon leaves them in the kernel until they expire).
#  - manual keying (KEY_AH/KEY_ESP) and X.509 are not emulated (exit 1).
# The PSK is never put on a command line: it travels through files and builtins only.
set -u
PROG=${0##*/}
NETSCRIPTS=/etc/sysconfig/network-scripts
RACOON=/etc/racoon
SPD_DIR=/run/gw-lab-spd

[ $# -ge 1 ] || { echo "Usage: $PROG <configuration>" >&2; exit 1; }
cd "$NETSCRIPTS" || exit 1
# /sbin/ifup finds ifcfg-<dev> (network-functions' need_config) and hands ifup-ipsec the
# file name relative to the scripts directory: `-ot $1` below compares with that file.
CONFIG=$1
[ -f "$CONFIG" ] || CONFIG=ifcfg-${1#ifcfg-}
[ -f "$CONFIG" ] || { echo "$PROG: configuration for $1 not found." >&2; exit 1; }
DEVICE=${CONFIG#ifcfg-}
# source_config: the ifcfg file, then keys-<dev> when readable.
# shellcheck disable=SC1090
. "./$CONFIG"
# shellcheck disable=SC1090
[ -r "keys-$DEVICE" ] && . "./keys-$DEVICE"
[ "${TYPE:-}" = IPSEC ] || { echo "$PROG: $CONFIG: TYPE=${TYPE:-}: this lab router only emulates TYPE=IPSEC" >&2; exit 1; }
set -- "$CONFIG"

KEYING=manual
IKE_METHOD=${IKE_METHOD:-}
[ -n "${IKE_PSK:-}" ] && IKE_METHOD=PSK
[ -n "${IKE_CERTFILE:-}${IKE_PEER_CERTFILE:-}${IKE_DNSSEC:-}" ] && IKE_METHOD=X509
[ -n "$IKE_METHOD" ] && KEYING=automatic
if [ "$KEYING" != automatic ] || [ "$IKE_METHOD" != PSK ]; then
  echo "$PROG: the lab emulates automatic keying with a pre-shared key only (KEYING=$KEYING IKE_METHOD=$IKE_METHOD)" >&2
  exit 1
fi

DST=${DST:-}
[ -n "${SRC:-}" ] || SRC=$(ip -o route get to "$DST" 2>/dev/null | sed -n 's|.* src \([^ ]*\).*|\1|p')

if [ -n "${SRCNET:-}" ] || [ -n "${DSTNET:-}" ]; then
  MODE=tunnel
  [ -n "${SRCNET:-}" ] || SRCNET=$SRC/32
  [ -n "${DSTNET:-}" ] || DSTNET=$DST/32
  SPD_SRC=$SRCNET SPD_DST=$DSTNET
  [ -n "${SRCGW:-}" ] || SRCGW=$(ip -o route get to "${SRCNET%/*}" 2>/dev/null | sed -n 's|.* src \([^ ]*\).*|\1|p')
else
  MODE=transport
  SPD_SRC=$SRC SPD_DST=$DST
fi
SPD_FILE="$SPD_DIR/${SPD_SRC//\//_}-${SPD_DST//\//_}"

racoon_running() { [ -f /run/racoon.pid ]; }

# --- ifdown --------------------------------------------------------------------------
if [ "$PROG" = ifdown ]; then
  [ "$MODE" = tunnel ] && ip route del to "$DSTNET" via "$SRCGW" src "$SRCGW" 2>/dev/null
  rm -f "$SPD_FILE"
  if [ -f "$RACOON/racoon.conf" ]; then
    tmp=$(mktemp "$RACOON/racoon.XXXXXX")
    grep -v "^include \"$RACOON/$DST.conf\";" "$RACOON/racoon.conf" >>"$tmp"
    mv -f "$tmp" "$RACOON/racoon.conf"
  fi
  racoon_running && /usr/sbin/racoon --reload
  exit 0
fi
[ "$PROG" = ifup ] || { echo "must be called as ifup or ifdown" >&2; exit 1; }

# --- ifup ----------------------------------------------------------------------------
[ "$MODE" = tunnel ] && ip route add to "$DSTNET" via "$SRCGW" src "$SRCGW"

IKE_DHGROUP=${IKE_DHGROUP:-2}
AH_PROTO=${AH_PROTO:-sha1}
ESP_PROTO=${ESP_PROTO:-3des}
IKE_AUTH=${IKE_AUTH:-$AH_PROTO}
IKE_ENC=${IKE_ENC:-$ESP_PROTO}
[ "$IKE_AUTH" = none ] && IKE_AUTH=sha1
[ "$IKE_ENC" = none ] && IKE_ENC=3des
SPD_AH=yes SPD_ESP=yes
[ "$AH_PROTO" = none ] && SPD_AH=no
[ "$ESP_PROTO" = none ] && SPD_ESP=no

# The SPD: ifup deletes the pair, then adds it (setkey spddelete / spdadd).
mkdir -p "$SPD_DIR"
printf '%s %s %s %s %s %s %s\n' "$SPD_SRC" "$SPD_DST" "$MODE" "$SRC" "$DST" "$SPD_AH" "$SPD_ESP" >"$SPD_FILE"

MYID=address
case ${MYID_TYPE:-} in *fqdn*) MYID="$MYID_TYPE \"${MYID_VALUE:-}\"" ;; esac
tmp=$(mktemp "$RACOON/psk.XXXXXX")
grep -v "^$DST " "$RACOON/psk.txt" >"$tmp" 2>/dev/null
echo "$DST  $IKE_PSK" >>"$tmp"
mv -f "$tmp" "$RACOON/psk.txt"

if [ ! -f "$RACOON/$DST.conf" ] || [ "$RACOON/$DST.conf" -ot "$1" ]; then
  cat >"$RACOON/$DST.conf" <<EOF
remote $DST
{
	exchange_mode aggressive, main;
	my_identifier $MYID;
	proposal {
	        encryption_algorithm $IKE_ENC;
		hash_algorithm $IKE_AUTH;
		authentication_method pre_shared_key;
		dh_group $IKE_DHGROUP;
	}
}
EOF
fi
tmp=$(mktemp "$RACOON/racoon.XXXXXX")
grep -v "^include \"$RACOON/$DST.conf\";" "$RACOON/racoon.conf" >>"$tmp" 2>/dev/null
echo "include \"$RACOON/$DST.conf\";" >>"$tmp"
mv -f "$tmp" "$RACOON/racoon.conf"

if ! racoon_running; then
  /usr/sbin/racoon
else
  /usr/sbin/racoon --reload
fi
