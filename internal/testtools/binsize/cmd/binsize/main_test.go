package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestRunOnSelf(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"-top", "3", exe}, &out); err != nil {
		t.Skipf("test binary without symbols: %v", err)
	}
	for _, want := range []string{".text", "package", "runtime", "symbol"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(nil, &out); err == nil {
		t.Error("no error without a binary")
	}
}
