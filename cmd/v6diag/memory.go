package main

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the soft limit on the Go heap and runtime (not the binary's
// own pages, about 4 MB more). Routers have 64–256 MB of RAM shared with
// everything else, and the budget is 16 MB resident on a healthy
// line and 32 MB under a flood. With GOGC's default alone the heap may grow
// to twice what is live before a collection, which on a large analysis or a
// flood means tens of MB of garbage; with this limit the collector runs
// earlier as the heap nears it, at a little CPU. What is live stays bounded
// by the packages' own caps (capture buffer, recorded frames, timeline).
const memoryLimit = 16 << 20

// limitMemory applies memoryLimit unless the user set GOMEMLIMIT, which
// the runtime has already applied and which wins.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
