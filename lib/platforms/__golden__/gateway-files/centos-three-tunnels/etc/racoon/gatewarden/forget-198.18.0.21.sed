# Gatewarden: on teardown of tunnel t1, delete peer 198.18.0.21's line from /etc/racoon/psk.txt.
/^198\.18\.0\.21[[:space:]]/d
