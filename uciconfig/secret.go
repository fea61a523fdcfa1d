package uciconfig

import "strings"

// SecretMask replaces a secret value in everything a person reads.
const SecretMask = "********"

// secretWords are parts of option names that hold secrets across
// OpenWrt's configs: PPPoE and 6in4 "password", wireless "key", "key1".."key4",
// "sae_password", "auth_secret", "priv_key_pwd", WireGuard "private_key" and
// "preshared_key", 3G/QMI "pincode", DDNS "password", tokens of tunnel
// brokers.
var secretWords = []string{"pass", "pwd", "key", "secret", "psk", "token", "pin", "cred", "auth"}

// IsSecretOption reports whether an option or list called name is likely
// to hold a secret — a password, a key, a PIN — and so must never be shown:
// not in a diff, not on a terminal, not in a report or its bundle. It errs
// on the side of hiding: a public_key is hidden too, because a wrong "no"
// leaks a password while a wrong "yes" only hides a harmless value.
func IsSecretOption(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
