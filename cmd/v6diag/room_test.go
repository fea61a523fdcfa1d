package main

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/live"
)

func TestCheckRoom(t *testing.T) {
	meminfo := func(kb string) fstest.MapFS {
		return fstest.MapFS{"proc/meminfo": {Data: []byte("MemTotal:         245760 kB\nMemFree:           20000 kB\nMemAvailable:   " + kb + " kB\nBuffers:  1 kB\n")}}
	}
	disk := func(free uint64, tmpfs bool) statfsFunc {
		return func(string) (uint64, bool, error) { return free, tmpfs, nil }
	}
	const mib = 1 << 20
	tests := []struct {
		name      string
		root      fstest.MapFS
		stat      statfsFunc
		wantErr   []string // substrings of the one-line error; nil: no error
		maxFrames int      // 0: lowered below live.MaxFrames, with a note
	}{
		{"plenty", meminfo("204800"), disk(1<<30, false), nil, live.MaxFrames},
		{"no /proc/meminfo: the memory check is skipped", fstest.MapFS{}, disk(1<<30, true), nil, live.MaxFrames},
		{"statfs fails: left to the writes", meminfo("204800"), func(string) (uint64, bool, error) { return 0, false, errors.New("EACCES") }, nil, live.MaxFrames},
		{"a 20 MiB folder lowers the cap", meminfo("204800"), disk(20*mib, false), nil, 0},
		{"tmpfs with room but little memory lowers the cap", meminfo("32768"), disk(100*mib, true), nil, 0},
		{"too little memory", meminfo("16384"), disk(1<<30, false), []string{"not enough free memory: 16 MiB available", "stop services"}, 0},
		{"a full folder", meminfo("204800"), disk(2*mib, false), []string{"is full for a run", "2048 KiB free", "free some space", "--out"}, 0},
		{"tmpfs: memory decides", meminfo("24576"), disk(100*mib, true), []string{"is full for a run", "is in memory (tmpfs) and 24 MiB of memory are free"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := checkRoom(t.TempDir(), 1500, tt.root, tt.stat)
			if tt.wantErr != nil {
				var cr cannotRun
				if !errors.As(err, &cr) {
					t.Fatalf("err %v; want a cannotRun", err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.maxFrames != 0 && (r.maxFrames != tt.maxFrames || r.note != ""):
				t.Errorf("maxFrames %d note %q; want %d and no note", r.maxFrames, r.note, tt.maxFrames)
			case tt.maxFrames == 0 && (r.maxFrames >= live.MaxFrames || r.maxFrames < minRunFrames || !strings.Contains(r.note, "capture capped at")):
				t.Errorf("maxFrames %d note %q; want a lowered cap with a note", r.maxFrames, r.note)
			}
			if free, _, err := tt.stat(""); err == nil && tt.maxFrames == 0 {
				budget := free
				if mem, ok := hostinfo.MemAvailable(tt.root); ok && strings.Contains(r.note, "tmpfs") {
					budget = mem - runPeakRSS
				}
				if runNeed(r.maxFrames, 1500) > budget {
					t.Errorf("cap %d needs %d bytes, more than the %d there are", r.maxFrames, runNeed(r.maxFrames, 1500), budget)
				}
			}
		})
	}
}

// TestRunNeed: the figures README quotes, and a larger MTU needs more.
func TestRunNeed(t *testing.T) {
	full, least := runNeed(live.MaxFrames, 1500), runNeed(minRunFrames, 1500)
	t.Logf("a run needs %d KiB with the full cap, %d KiB at least (MTU 1500)", full>>10, least>>10)
	if full>>20 != 38 || least>>20 != 8 {
		t.Errorf("runNeed: %d MiB full, %d MiB least; README says 38 and 8", full>>20, least>>20)
	}
	if runNeed(minRunFrames, 9000) <= least || runNeed(minRunFrames, 100) != runNeed(minRunFrames, 1280) {
		t.Error("runNeed does not follow the MTU")
	}
}
