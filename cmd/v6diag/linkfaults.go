package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/v6diag/v6diag/capture"
	"github.com/v6diag/v6diag/hostinfo"
)

// linkAfterRun looks at the interface again once a live run is over. A
// carrier lost, or the interface gone, mid-run explains the silence that
// followed better than the ISP does: the caller then reports no carrier
// (verdict link-down) and says when it happened, instead of blaming the
// server for Requests that never left the router.
func linkAfterRun(root fs.FS, before capture.Interface) (carrier bool, note string) {
	now, err := hostinfo.LookupInterface(root, before.Name)
	switch {
	case errors.Is(err, hostinfo.ErrNoInterface):
		return false, fmt.Sprintf("interface %s disappeared during the run; the capture ends there", before.Name)
	case err != nil:
		return before.Carrier, ""
	case before.Carrier && !now.Carrier:
		return false, fmt.Sprintf("interface %s lost its carrier during the run; what went unanswered after that may never have left the router", before.Name)
	}
	return before.Carrier, ""
}
