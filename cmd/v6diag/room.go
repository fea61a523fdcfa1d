package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/hostinfo"
	"github.com/v6diag/v6diag/live"
)

// What a live run needs, from the figures scripts/measure-rss.sh prints
// (README, "Small routers"): peak RSS 7.7 MB and 68 KB written on a healthy
// line; 18.3 MB and 5.1 MB under an RA and Advertise flood that fills the
// capture (10,000 frames of about 190 bytes: capture 1.9 MB, reports
// 2.7 MB for diag.MaxEvents messages, bundle 0.5 MB).
const (
	// runPeakRSS is the memory a run may take, the flood's peak rounded
	// up; the 16 MB soft limit of memory.go keeps the heap under it.
	runPeakRSS = 20 << 20
	// reportsBase is what a run with few messages writes, rounded up.
	reportsBase = 256 << 10
	// reportBytesPerEvent is what each analysed message adds to the
	// reports (1,367 bytes under the flood), twice: the bundle copies
	// them, compressed but counted whole.
	reportBytesPerEvent = 2 * 1400
	// frameOverhead bounds what a frame adds to capture.pcapng beyond the
	// MTU: its link header with two VLAN tags or PPPoE, the pcapng block
	// and padding. The bundle copies the capture: each frame counts twice.
	frameOverhead = 64
	// minRunFrames is the fewest frames a run must be able to record: a
	// broken line over the whole ladder and --timeout sends and hears
	// about 100.
	minRunFrames = 500
)

// room is how much a run may record in its output folder.
type room struct {
	// maxFrames is the capture cap that fits: live.MaxFrames, or fewer
	// when the folder (or, on tmpfs, the memory) has less room.
	maxFrames int
	free      uint64 // bytes free where the output goes
	note      string // why the cap was lowered; "" when it was not
}

// runNeed is what a run that records frames frames (the cap, plus the
// frames live records past it for the verdict) may write with an MTU.
func runNeed(frames, mtu int) uint64 {
	if mtu < 1280 {
		mtu = 1280
	}
	recorded := uint64(frames + live.MaxReservedFrames)
	events := uint64(min(frames+live.MaxReservedFrames, diag.MaxEvents))
	return reportsBase + 2*recorded*uint64(mtu+frameOverhead) + events*reportBytesPerEvent
}

// statfsFunc reports the bytes an unprivileged writer may still use in
// the file system of dir and whether it is a tmpfs (RAM, as /tmp is on
// OpenWrt).
type statfsFunc func(dir string) (free uint64, tmpfs bool, err error)

func statfs(dir string) (uint64, bool, error) {
	st, err := hostinfo.Statfs(dir)
	if err != nil {
		return 0, false, err
	}
	if st.ReadOnly {
		// Free blocks it has, but no one may write them: outputDir says
		// so in its own words.
		return 0, false, errors.New("read-only file system")
	}
	return st.Free, st.Tmpfs, nil
}

// existingAncestor is dir or the nearest folder above it that exists:
// where a new output folder would take its room from.
func existingAncestor(dir string) string {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
			return d
		}
	}
}

// checkRoom checks, before a run creates anything, that the output folder
// (named, or /tmp) and the memory have room for a run, and lowers the
// capture cap to what they hold. Too little for minRunFrames is a
// cannotRun with what to do. A folder statfs cannot look at is left to
// the writes, which say what is wrong.
func checkRoom(out string, mtu int, root fs.FS, stat statfsFunc) (room, error) {
	r := room{maxFrames: live.MaxFrames}
	avail, memKnown := hostinfo.MemAvailable(root)
	if memKnown && avail < runPeakRSS {
		return r, cannotRun{fmt.Errorf("not enough free memory: %d MiB available, a run may need %d MiB", avail>>20, runPeakRSS>>20),
			"stop services you can spare for the run (e.g. /etc/init.d/uhttpd stop) or reboot, then retry"}
	}
	if out == "" {
		out = os.TempDir()
	}
	dir := existingAncestor(out)
	free, tmpfs, err := stat(dir)
	if err != nil {
		return r, nil
	}
	r.free = free
	budget, where := free, fmt.Sprintf("%s has %d KiB free", dir, free>>10)
	if tmpfs && memKnown && avail-runPeakRSS < budget {
		// tmpfs pages are memory: what the run writes there comes out
		// of what the run itself needs.
		budget = avail - runPeakRSS
		where = fmt.Sprintf("%s is in memory (tmpfs) and %d MiB of memory are free", dir, avail>>20)
	}
	if need := runNeed(minRunFrames, mtu); budget < need {
		return r, cannotRun{fmt.Errorf("output folder %s is full for a run: %s, a run needs %d KiB", out, where, need>>10),
			"free some space there or choose another folder with --out"}
	}
	for r.maxFrames > minRunFrames && runNeed(r.maxFrames, mtu) > budget {
		r.maxFrames = max(minRunFrames, r.maxFrames*9/10)
	}
	if r.maxFrames < live.MaxFrames {
		r.note = fmt.Sprintf("capture capped at %d frames instead of %d: %s (a flood that fills the cap writes about %d KiB)",
			r.maxFrames, live.MaxFrames, where, runNeed(r.maxFrames, mtu)>>10)
	}
	return r, nil
}
