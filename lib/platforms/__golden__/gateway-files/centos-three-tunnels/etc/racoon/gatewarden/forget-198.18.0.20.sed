# Gatewarden: on teardown of tunnel t0, delete peer 198.18.0.20's line from /etc/racoon/psk.txt.
/^198\.18\.0\.20[[:space:]]/d
