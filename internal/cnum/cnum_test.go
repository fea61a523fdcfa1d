package cnum

import (
	"math"
	"testing"
)

// The expected values are what glibc's strtoul, strtol and atoi return on
// x86_64 for the same text.
func TestStrtoul(t *testing.T) {
	for _, c := range []struct {
		in   string
		base int
		v    uint64
		rest string
	}{
		{"48", 10, 48, ""},
		{"  +48,1", 10, 48, ",1"},
		{"-1", 10, math.MaxUint64, ""},
		{"abc", 10, 0, "abc"},
		{" ", 10, 0, " "},
		{"", 10, 0, ""},
		{"0x1f4", 0, 500, ""},
		{"0755", 0, 493, ""},
		{"09", 0, 0, "9"}, // octal stops at 9
		{"0x", 0, 0, "x"}, // 0x without a hex digit is the 0
		{"0xg", 16, 0, "xg"},
		{"ff", 16, 255, ""},
		{"0Xff", 16, 255, ""},
		{"99999999999999999999999", 10, math.MaxUint64, ""},
		{"-99999999999999999999999", 10, math.MaxUint64, ""},
		{"4294967297", 10, 4294967297, ""},
		{"12:34", 10, 12, ":34"},
	} {
		v, rest := Strtoul(c.in, c.base)
		if v != c.v || rest != c.rest {
			t.Errorf("Strtoul(%q, %d) = %d, %q; want %d, %q", c.in, c.base, v, rest, c.v, c.rest)
		}
	}
}

func TestStrtolAtoi(t *testing.T) {
	for _, c := range []struct {
		in   string
		v    int64
		rest string
		atoi int32
	}{
		{"120", 120, "", 120},
		{"-5", -5, "", -5},
		{"7x", 7, "x", 7},
		{"abc", 0, "abc", 0},
		{"\t\n 42", 42, "", 42},
		{"2147483648", 2147483648, "", math.MinInt32},
		{"4294967297", 4294967297, "", 1},
		{"99999999999999999999", math.MaxInt64, "", -1},
		{"-99999999999999999999", math.MinInt64, "", 0},
		{"0x10", 0, "x10", 0}, // base 10: the 0, then garbage
	} {
		v, rest := Strtol(c.in, 10)
		if v != c.v || rest != c.rest {
			t.Errorf("Strtol(%q, 10) = %d, %q; want %d, %q", c.in, v, rest, c.v, c.rest)
		}
		if got := Atoi(c.in); got != c.atoi {
			t.Errorf("Atoi(%q) = %d; want %d", c.in, got, c.atoi)
		}
	}
	if v, rest := Strtol("0x10", 0); v != 16 || rest != "" {
		t.Errorf("Strtol(0x10, 0) = %d, %q; want 16", v, rest)
	}
	if v, rest := Strtol("010", 0); v != 8 || rest != "" {
		t.Errorf("Strtol(010, 0) = %d, %q; want 8", v, rest)
	}
}
