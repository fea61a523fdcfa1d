package report_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/v6diag/v6diag/diag"
	"github.com/v6diag/v6diag/report"
)

// fill sets every settable field below v: strings to hostile text, numbers
// and flags to non-zero values, pointers and two-element slices allocated.
func fill(v reflect.Value, depth int) {
	if depth > 8 || !v.CanSet() && v.Kind() != reflect.Struct {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(`<b>"x" & 'y' \ ` + "\n\u2028 é " + v.Type().Name())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(-3 - depth))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(200 + depth))
	case reflect.Float64, reflect.Float32:
		v.SetFloat(0.0000001 * float64(depth+1))
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fill(v.Elem(), depth+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), depth+1)
		}
	}
}

// TestWriteJSONMatchesEncodingJSON: report.json is written without
// encoding/json (flash budget, issue 4) but byte for byte as it wrote it,
// for every field of the document filled (a field added later included),
// with the live-capture fields flattened in.
func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	doc, _, _ := render(t, "radvd-no-dhcpv6", "radvd-no-dhcpv6.pcapng")
	drops := 2
	live := report.NewDocument(report.Run{Mode: "run", Capture: &report.LiveCapture{Method: "packet socket", MaxFrames: 9, KernelDrops: &drops}}, &diag.Result{})
	filled := live
	fill(reflect.ValueOf(&filled).Elem(), 0)
	for name, d := range map[string]report.Document{"golden": doc, "live": live, "every field": filled} {
		var got, want bytes.Buffer
		if err := report.WriteJSON(&got, d); err != nil {
			t.Fatal(err)
		}
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
		if name != "golden" && !bytes.Contains(got.Bytes(), []byte(`"method": "packet socket"`)) {
			t.Errorf("%s: the live capture's fields are not flattened into capture", name)
		}
		if got.String() != want.String() {
			t.Errorf("%s: report.json differs from encoding/json's:\n%s\nwant\n%s", name, got.String(), want.String())
		}
	}
}
