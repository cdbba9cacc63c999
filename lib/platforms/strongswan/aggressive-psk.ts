// The one non-default strongSwan setting a crypto profile can need: charon refuses IKEv1
// aggressive mode with a PSK as responder ("Aggressive Mode PSK disabled for security
// reasons") unless this router-wide setting allows it. Named here, apart from the
// renderer, so the profile lint can say so too.
export const AGGRESSIVE_PSK_SETTING = "charon.i_dont_care_about_security_and_use_aggressive_mode_psk";
/** A stock strongswan.conf includes strongswan.d/*.conf: the drop-in Gatewarden writes. */
export const AGGRESSIVE_PSK_PATH = "/etc/strongswan.d/gatewarden-aggressive-psk.conf";
