package main

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the soft limit on the Go heap and runtime. Routers have
// 64–256 MB of RAM shared with everything else, and the budget is 16 MB
// resident (issue 11; 32 MB under a flood). The runtime does not count the
// binary's own pages, which are about 4 MB resident (text and read-only
// data of the stripped build, /proc/PID/smaps), so the limit leaves that
// room: at 16 MB an analyze of a large capture peaked at 16.7 MB resident,
// at 12 MB at 13.3 MB and no slower (scripts/bench-analyze.sh). With
// GOGC's default alone the heap may grow to twice what is live before a
// collection; with this limit the collector runs earlier as the heap nears
// it, at a little CPU. What is live stays bounded by the packages' own caps
// (capture buffer, recorded frames, timeline) and the reports are streamed
// to their files.
const memoryLimit = 12 << 20

// limitMemory applies memoryLimit unless the user set GOMEMLIMIT, which
// the runtime has already applied and which wins.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
