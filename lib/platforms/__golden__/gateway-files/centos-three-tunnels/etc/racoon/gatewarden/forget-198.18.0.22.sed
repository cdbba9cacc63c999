# Gatewarden: on teardown of tunnel t2, delete peer 198.18.0.22's line from /etc/racoon/psk.txt.
/^198\.18\.0\.22[[:space:]]/d
