#!/bin/bash
# /usr/sbin/racoon of a Gatewarden LAB router of platform centos-racoon: the emulated IKE
# daemon that the lab's ifup starts (`racoon`) or reloads (`racoon --reload`, the SIGHUP
# stand-in).
#
# THIS IS AN EMULATION, FOR THE LAB ONLY. Like the real racoon (FACTS.md, "ifup ipsecN"), it
# returns 0 at once, before its configuration is read. Then it reads /etc/racoon/racoon.conf
# and its includes with Gatewarden's racoon grammar checker (/usr/sbin/gw-lab-racoon.mjs,
# built from lib/platforms/centos-racoon/racoon-grammar.ts, itself written from ipsec-tools'
# cfparse.y/cftoken.l): a missing compression_algorithm, a DH group racoon lacks (19–21), an
# include matching no file or a stray `;` stop it as they stop racoon —
#  - on start: "fatal parse failure", racoon exits (no daemon, nothing negotiated);
#  - on reload: "config reload failed", racoon stays up with no usable configuration.
# Both are logged to /run/racoon.log with racoon's own `path:line: "token" message`.
# When the files pass, every SPD entry ifup installed (/run/gw-lab-spd) gets a connection in
# the router's charon (IKEv1, ESP in user space): phase 1 from the peer's `remote` block (the
# FIRST exchange mode listed is the one it initiates with, as racoon), phase 2 from the
# sainfo, the key from psk.txt, start_action = trap: negotiated when traffic hits the policy,
# as racoon does on the kernel's acquire. See ifupdown-ipsec.sh for the differences.
# On a VM lab router (/etc/gw-lab/kernel-ipsec present: Debian's kernel, real XFRM) charon's
# SAs and policies are the kernel's, and a transport-mode policy gets a transport-mode SA.
set -u
RACOON=/etc/racoon
SPD_DIR=/run/gw-lab-spd
CONFD=/etc/swanctl/conf.d
LOG=/run/racoon.log
# A real CentOS router has no swanctl; the lab hides it from everyone but the emulation.
SWANCTL=/usr/sbin/gw-lab-swanctl
PIDFILE=/run/racoon.pid
KERNEL_IPSEC=no
[ -e /etc/gw-lab/kernel-ipsec ] && KERNEL_IPSEC=yes

log() { printf '%s racoon: %s\n' "$(date '+%F %T')" "$*" >>"$LOG"; }

# Prints "key<TAB>value" for the statements of the first block whose header matches.
racoon_block() { # file header-regex
  awk -v hdr="$2" '
    !inblk && $0 ~ hdr { inblk = 1; depth = 0 }
    inblk {
      line = $0; sub(/#.*/, "", line)
      n = split(line, parts, ";")
      for (i = 1; i <= n; i++) {
        s = parts[i]; gsub(/[{}]/, " ", s); gsub(/^[ \t]+|[ \t]+$/, "", s); gsub(/[ \t]+/, " ", s)
        if (s ~ /^(exchange_mode|encryption_algorithm|hash_algorithm|dh_group|pfs_group|lifetime|authentication_algorithm) /) {
          key = s; sub(/ .*/, "", key); val = substr(s, length(key) + 2); print key "\t" val
        }
      }
      depth += gsub(/{/, "{", line); depth -= gsub(/}/, "}", line)
      if (depth <= 0 && line ~ /}/) exit
    }' "$1" 2>/dev/null
}
value_of() { printf '%s\n' "$1" | awk -F'\t' -v k="$2" '$1 == k { print $2; exit }'; }
dh_name() {
  case $1 in
    1 | modp768) echo modp768 ;; 2 | modp1024) echo modp1024 ;; 5 | modp1536) echo modp1536 ;;
    14 | modp2048) echo modp2048 ;; 15 | modp3072) echo modp3072 ;; 16 | modp4096) echo modp4096 ;;
    17 | modp6144) echo modp6144 ;; 18 | modp8192) echo modp8192 ;; *) return 1 ;;
  esac
}
enc_name() { # racoon cipher → strongSwan keyword; empty = not available in the lab
  case $1 in
    3des) echo 3des ;; aes | rijndael | "aes 128" | "rijndael 128") echo aes128 ;;
    "aes 192" | "rijndael 192") echo aes192 ;; "aes 256" | "rijndael 256") echo aes256 ;;
    blowfish*) echo "" ;; # strongSwan has no 448-bit Blowfish (OpenSSL 3 keeps it in its legacy provider)
    *) return 1 ;;
  esac
}
hash_name() {
  case $1 in md5 | hmac_md5) echo md5 ;; sha1 | hmac_sha1) echo sha1 ;; sha256 | hmac_sha256) echo sha256 ;;
    sha384 | hmac_sha384) echo sha384 ;; sha512 | hmac_sha512) echo sha512 ;; *) return 1 ;; esac
}
list_of() { printf '%s\n' "$1" | tr ',' '\n' | sed 's/^ *//; s/ *$//; /^$/d'; }
# swanctl section names take no dots.
conn_name() { printf 'racoon-%s' "${1//./-}"; }
re() { printf '%s' "$1" | sed 's/[./]/\\&/g'; }

# The charon connection for one peer (every SPD entry towards it is a child); prints nothing
# and logs why when racoon could not negotiate with that peer.
peer_conn() { # dst
  local dst=$1 file src ph1 mode aggressive p1enc p1hash p1dh psk children="" i=0
  file=$RACOON/$dst.conf
  ph1=$(racoon_block "$file" "^[ \t]*remote[ \t]+$(re "$dst")([ \t]|\$)")
  [ -n "$ph1" ] || ph1=$(racoon_block "$RACOON/racoon.conf" "^[ \t]*remote[ \t]+$(re "$dst")([ \t]|\$)")
  if [ -z "$ph1" ]; then log "ERROR: couldn't find configuration for $dst"; return; fi
  mode=$(value_of "$ph1" exchange_mode); mode=${mode%%,*}; mode=${mode// /}
  case $mode in aggressive) aggressive=yes ;; main) aggressive=no ;; *) log "ERROR: $dst: exchange mode $mode not emulated"; return ;; esac
  p1enc=$(enc_name "$(value_of "$ph1" encryption_algorithm)") && [ -n "$p1enc" ] || { log "ERROR: $dst: phase-1 cipher not available in the lab"; return; }
  p1hash=$(hash_name "$(value_of "$ph1" hash_algorithm)") || { log "ERROR: $dst: phase-1 hash not available in the lab"; return; }
  p1dh=$(dh_name "$(value_of "$ph1" dh_group)") || { log "ERROR: $dst: phase-1 DH group not available"; return; }
  psk=$(awk -v d="$dst" '$1 == d { sub(/^[^ \t]+[ \t]+/, ""); print; exit }' "$RACOON/psk.txt" 2>/dev/null)
  if [ -z "$psk" ]; then log "ERROR: couldn't find the pskey for $dst"; return; fi
  for f in "$SPD_DIR"/*; do
    [ -f "$f" ] || continue
    read -r spd_src spd_dst smode src d ah esp <"$f"
    [ "$d" = "$dst" ] || continue
    if [ "$ah" = yes ]; then
      log "ERROR: lab: the policy $spd_src → $spd_dst requires AH (AH_PROTO is not none); the lab's ESP (strongSwan libipsec) has no AH, so nothing is negotiated for it"
      continue
    fi
    [ "$esp" = yes ] || continue
    local ph2 encs="" auths="" pfs="" life=28800 name
    ph2=$(racoon_block "$RACOON/racoon.conf" "^[ \t]*sainfo[ \t]+address[ \t]+$(re "$spd_src")[ \t]+any[ \t]+address[ \t]+$(re "$spd_dst")")
    [ -n "$ph2" ] || ph2=$(racoon_block "$RACOON/racoon.conf" "^[ \t]*sainfo[ \t]+anonymous")
    if [ -z "$ph2" ]; then log "ERROR: no sainfo found for $spd_src → $spd_dst"; continue; fi
    while IFS= read -r alg; do
      name=$(enc_name "$alg") || { log "ERROR: sainfo cipher $alg not available in the lab"; continue 2; }
      [ -n "$name" ] && [[ " $encs " != *" $name "* ]] && encs="$encs $name"
    done < <(list_of "$(value_of "$ph2" encryption_algorithm)")
    while IFS= read -r alg; do
      name=$(hash_name "$alg") || { log "ERROR: sainfo integrity $alg not available in the lab"; continue 2; }
      [[ " $auths " != *" $name "* ]] && auths="$auths $name"
    done < <(list_of "$(value_of "$ph2" authentication_algorithm)")
    if [ -n "$(value_of "$ph2" pfs_group)" ]; then pfs=$(dh_name "$(value_of "$ph2" pfs_group)") || continue; fi
    local lt n unit
    lt=$(value_of "$ph2" lifetime)
    if [ -n "$lt" ]; then
      read -r _ n unit <<<"$lt"
      case $unit in hour | hours) life=$((n * 3600)) ;; min | mins | minute | minutes) life=$((n * 60)) ;; *) life=$n ;; esac
    fi
    local lts=$spd_src rts=$spd_dst cmode=tunnel
    [ "$smode" = transport ] && lts=$src/32 rts=$d/32
    # libipsec has no transport mode (tunnel with /32 selectors there); the kernel has.
    [ "$smode" = transport ] && [ "$KERNEL_IPSEC" = yes ] && cmode=transport
    i=$((i + 1))
    children+="      spd$i {
        local_ts = $lts
        remote_ts = $rts
        esp_proposals = $(echo $encs $auths $pfs | tr ' ' '-')
        mode = $cmode
        start_action = start
        life_time = ${life}s
        rekey_time = $((life * 9 / 10))s
      }
"
    src_addr=$src
  done
  [ -n "$children" ] || return
  printf 'connections {\n  %s {\n    version = 1\n    aggressive = %s\n' "$(conn_name "$dst")" "$aggressive"
  printf '    local_addrs = %s\n    remote_addrs = %s\n    proposals = %s-%s-%s\n' "$src_addr" "$dst" "$p1enc" "$p1hash" "$p1dh"
  printf '    local {\n      auth = psk\n      id = %s\n    }\n    remote {\n      auth = psk\n      id = %s\n    }\n' "$src_addr" "$dst"
  printf '    children {\n%s    }\n  }\n}\n' "$children"
  printf 'secrets {\n  ike-%s {\n    id = %s\n    secret = 0s%s\n  }\n}\n' "$(conn_name "$dst")" "$dst" "$(printf '%s' "$psk" | base64 -w0)"
}

# Loads racoon's view of the files into charon: one connection per peer with an SPD entry.
load() { # start|reload
  local out old new dst
  old=$(ls "$CONFD" 2>/dev/null | sed -n 's/^racoon-\(.*\)\.conf$/\1/p')
  rm -f "$CONFD"/racoon-*.conf
  if ! out=$(/usr/bin/node /usr/sbin/gw-lab-racoon.mjs check 2>&1); then
    printf '%s\n' "$out" | while IFS= read -r l; do log "$l"; done
    if [ "$1" = start ]; then
      log "racoon exits: the configuration could not be read"
      rm -f "$PIDFILE"
    else
      log "ERROR: config reload failed"
    fi
  else
    mkdir -p "$CONFD"
    for dst in $(cat "$SPD_DIR"/* 2>/dev/null | awk '{ print $5 }' | sort -u); do
      local tmp
      tmp=$(mktemp "$CONFD/.racoon.XXXXXX")
      peer_conn "$dst" >"$tmp"
      if [ -s "$tmp" ]; then mv -f "$tmp" "$CONFD/racoon-$dst.conf"; else rm -f "$tmp"; fi
    done
    log "INFO: configuration read ($1)"
  fi
  "$SWANCTL" --load-all --clear >/dev/null 2>&1 || log "ERROR: lab: charon did not take the configuration"
  new=$(ls "$CONFD" 2>/dev/null | sed -n 's/^racoon-\(.*\)\.conf$/\1/p')
  # A peer no longer configured: its SAs go (a real racoon would leave them to expire unused).
  for dst in $old; do
    grep -qxF "$dst" <<<"$new" || "$SWANCTL" --terminate --ike "$(conn_name "$dst")" --force --timeout 3 >/dev/null 2>&1
  done
}

case ${1:-} in
  "")
    # daemon(3) before reading the configuration: the caller sees 0 whatever happens next.
    echo "$$" >"$PIDFILE"
    log "INFO: @(#)racoon (Gatewarden lab emulation) starting"
    load start
    ;;
  --reload)
    [ -f "$PIDFILE" ] || exit 1
    log "INFO: caught signal 1 (SIGHUP): reloading"
    load reload
    ;;
  *)
    echo "racoon (lab emulation): only start and --reload are emulated" >&2
    exit 1
    ;;
esac
exit 0
