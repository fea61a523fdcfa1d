package main

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/v6diag/v6diag/capture"
)

// TestLinkAfterRun: the interface re-read after a run says whether the
// carrier went, or the interface itself, during the run.
func TestLinkAfterRun(t *testing.T) {
	sysfs := func(carrier string) fstest.MapFS {
		return fstest.MapFS{
			"sys/class/net/wan/ifindex": {Data: []byte("5\n")},
			"sys/class/net/wan/type":    {Data: []byte("1\n")},
			"sys/class/net/wan/address": {Data: []byte("02:11:22:33:44:55\n")},
			"sys/class/net/wan/carrier": {Data: []byte(carrier)},
		}
	}
	up := capture.Interface{Name: "wan", Carrier: true}
	tests := []struct {
		name    string
		root    fstest.MapFS
		before  capture.Interface
		carrier bool
		note    string
	}{
		{"still up", sysfs("1\n"), up, true, ""},
		{"carrier lost", sysfs("0\n"), up, false, "lost its carrier during the run"},
		{"interface gone", fstest.MapFS{}, up, false, "disappeared during the run"},
		{"down before and after", sysfs("0\n"), capture.Interface{Name: "wan"}, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			carrier, note := linkAfterRun(tc.root, tc.before)
			if carrier != tc.carrier || (tc.note == "") != (note == "") || !strings.Contains(note, tc.note) {
				t.Errorf("linkAfterRun = %v, %q; want %v and a note containing %q", carrier, note, tc.carrier, tc.note)
			}
		})
	}
}
