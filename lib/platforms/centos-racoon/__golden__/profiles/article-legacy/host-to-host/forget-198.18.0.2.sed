# Gatewarden: on teardown of tunnel article-n2n, delete peer 198.18.0.2's line from /etc/racoon/psk.txt.
/^198\.18\.0\.2[[:space:]]/d
