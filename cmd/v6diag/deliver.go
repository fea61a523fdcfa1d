package main

import (
	"io"
	"time"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

// delivery is what run and analyze hand over once the analysis is done:
// the report to write into dir, the config it suggests, and how to take
// back what was written when a step fails.
type delivery struct {
	doc     report.Document
	verdict diag.Verdict
	nc      netConfig
	rep     reportOptions
	config  string // the network config's path, whose secrets the report keeps out
	dir     string
	capture string // the capture the bundle ships
	started time.Time
	quiet   bool
	// undo removes what was written; configWritten says the suggested
	// config files may be among it.
	undo func(configWritten bool)
}

// deliver writes the reports, the config suggestion and the bundle, then
// prints the summary; it returns the exit code of the verdict. The steps
// and their order are run's and analyze's alike, so they are here once.
func deliver(d delivery, stdout io.Writer) (int, error) {
	cs, err := suggestConfig(d.nc, &d.doc)
	if err != nil {
		d.undo(false)
		return 0, cannotRun{err, ""}
	}
	// The router's config, when analysing on the router: its secrets are
	// kept out of the report whatever the capture holds.
	rs, err := prepareReport(d.doc, d.rep, d.config)
	if err != nil {
		d.undo(false)
		return 0, err
	}
	if err := writeReports(d.dir, rs); err != nil {
		d.undo(false)
		return 0, err
	}
	if err := cs.write(d.dir); err != nil {
		d.undo(true)
		return 0, err
	}
	bundleNotes, err := rs.writeBundle(d.dir, d.capture, d.started)
	if err != nil {
		d.undo(true)
		return 0, err
	}
	if err := rs.printSummary(stdout, d.dir, d.quiet, bundleNotes); err != nil {
		return 0, err
	}
	cs.print(stdout, d.dir, d.quiet)
	return exitFor(d.verdict), nil
}
