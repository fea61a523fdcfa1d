// Package cnum reads numbers the way the C library does, for the OpenWrt
// programs v6diag speaks for: odhcp6c reads its arguments with strtoul
// and atoi, and netifd converts UCI options to integers with strtol. They
// accept more than a Go parser would (leading white space, a sign, a 0x or
// 0 prefix, trailing garbage for atoi) and wrap or clamp what does not
// fit; to say what those programs do with a value, v6diag reads it the
// same way.
//
// The figures are those of a 64-bit C library (glibc or musl on x86_64 or
// aarch64). A 32-bit router's long is 32 bits, so values past 2^31 clamp
// there instead; callers note it where it matters.
package cnum

import "math"

// IsSpace is C's isspace in the "C" locale.
func IsSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// digitValue is the value of c as a digit in bases up to 36, or 36 when
// it is none.
func digitValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 36
}

// HexValue is the value of a hex digit, or -1.
func HexValue(c byte) int {
	if d := digitValue(c); d < 16 {
		return d
	}
	return -1
}

// scan reads what strtoul and strtol share: white space, a sign, for base
// 16 (and base 0) an optional 0x, then digits. It returns the magnitude
// (saturated at MaxUint64, overflow set), the sign, and what follows; rest
// is s itself when there were no digits, as C's end pointer is then.
func scan(s string, base int) (v uint64, neg, overflow bool, rest string) {
	i := 0
	for i < len(s) && IsSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	// A 0x not followed by a hex digit reads as the digit 0, as in C.
	if (base == 0 || base == 16) && i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && digitValue(s[i+2]) < 16 {
		i += 2
		base = 16
	} else if base == 0 {
		base = 10
		if i < len(s) && s[i] == '0' {
			base = 8
		}
	}
	start := i
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
			v = math.MaxUint64
			continue
		}
		v = v*uint64(base) + uint64(d)
	}
	if i == start {
		return 0, false, false, s
	}
	return v, neg, overflow, s[i:]
}

// Strtoul reads s as strtoul(s, &end, base) does for base 0, 10 or 16. A
// value past the unsigned long range is ULONG_MAX; a minus sign negates
// the result modulo 2^64. rest is what end points at.
func Strtoul(s string, base int) (v uint64, rest string) {
	v, neg, overflow, rest := scan(s, base)
	switch {
	case overflow:
		return math.MaxUint64, rest
	case neg:
		return -v, rest
	}
	return v, rest
}

// Strtol reads s as strtol(s, &end, base) does for base 0, 10 or 16,
// clamping to the long range.
func Strtol(s string, base int) (v int64, rest string) {
	u, neg, overflow, rest := scan(s, base)
	switch {
	case neg && (overflow || u > math.MaxInt64):
		return math.MinInt64, rest
	case neg:
		return -int64(u), rest
	case overflow || u > math.MaxInt64:
		return math.MaxInt64, rest
	}
	return int64(u), rest
}

// Atoi is C's atoi: strtol(s, NULL, 10) truncated to a 32-bit int. Text
// without digits reads as 0.
func Atoi(s string) int32 {
	v, _ := Strtol(s, 10)
	return int32(v)
}
