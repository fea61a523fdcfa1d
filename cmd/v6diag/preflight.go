package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/v6diag/v6diag/hostinfo"
)

// The checks here run before a run creates anything, so that input v6diag
// cannot use ends in one line that names the problem and the fix, exit
// status 2, and nothing left behind.

// capNetRaw is CAP_NET_RAW's bit in the capability sets of
// /proc/PID/status (linux/capability.h): AF_PACKET sockets need it.
const capNetRaw = 13

// minFreeBytes is the space an output folder must have free: the reports
// take a few KiB, the capture of a healthy run less than 64 KiB; a folder
// with less is full for any practical purpose and would leave half-written
// files behind.
const minFreeBytes = 1 << 20

// preflightRun checks what would stop `v6diag run` before anything is
// read or created: the process must be allowed to capture. (The network
// config is checked by loadNetConfig, the output folder by outputDir.)
func preflightRun() error {
	return checkCapture(os.DirFS("/"))
}

// checkCapture fails when the process lacks CAP_NET_RAW, which the
// AF_PACKET capture needs. When /proc cannot tell, the capture itself will.
func checkCapture(root fs.FS) error {
	caps, ok := hostinfo.EffectiveCapabilities(root)
	if ok && caps&(1<<capNetRaw) == 0 {
		return cannotRun{errors.New("not allowed to capture: v6diag run needs root (CAP_NET_RAW) for its raw socket"),
			"run it as root, e.g. 'sudo v6diag run'"}
	}
	return nil
}

// checkFreeSpace fails when the folder's file system has less than
// minFreeBytes for an unprivileged writer.
func checkFreeSpace(dir string) error {
	st, err := hostinfo.Statfs(dir)
	if err != nil {
		return nil // the writes themselves will say what is wrong
	}
	if free := st.Free; free < minFreeBytes {
		return cannotRun{fmt.Errorf("output folder %s is full (%d KiB free)", dir, free>>10),
			"free some space there or choose another folder with --out"}
	}
	return nil
}
