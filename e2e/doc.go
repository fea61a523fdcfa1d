// Package e2e runs the real v6diag binary in one network namespace against
// real servers — Debian's Kea and radvd — in another, joined by a veth
// pair. It holds tests only; they need root and skip without it.
package e2e
