# Gatewarden: on teardown of tunnel article-net, delete peer 198.18.2.1's line from /etc/racoon/psk.txt.
/^198\.18\.2\.1[[:space:]]/d
