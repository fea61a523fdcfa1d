//go:build !linux

package main

import "os"

// terminalWidth: v6diag runs live on Linux only; elsewhere output is plain.
func terminalWidth(*os.File) (int, bool) { return 0, false }
