package jsonlite_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/v6diag/v6diag/internal/jsonlite"
)

type Inner struct {
	A string  `json:"a"`
	B []int   `json:"b"`
	C *string `json:"c"`
}

type live struct {
	Method string `json:"method"`
	Drops  *int   `json:"drops"`
}

type Empty struct{}

// sample has every kind report.json uses, and the tag forms.
type sample struct {
	Str       string            `json:"str"`
	Int       int               `json:"int"`
	Int64     int64             `json:"int64"`
	U32       uint32            `json:"u32"`
	U16       uint16            `json:"u16"`
	F         float64           `json:"f"`
	F32       float32           `json:"f32"`
	Bool      bool              `json:"bool"`
	Ptr       *float64          `json:"ptr"`
	NilPtr    *int              `json:"nil_ptr"`
	Strs      []string          `json:"strs"`
	NilStrs   []string          `json:"nil_strs"`
	EmptyStrs []string          `json:"empty_strs"`
	Inners    []Inner           `json:"inners"`
	In        Inner             `json:"in"`
	InPtr     *Inner            `json:"in_ptr"`
	Empty     Empty             `json:"empty"`
	Omit      string            `json:"omit,omitempty"`
	OmitSet   string            `json:"omit_set,omitempty"`
	OmitNum   int               `json:"omit_num,omitempty"`
	OmitPtr   *Inner            `json:"omit_ptr,omitempty"`
	OmitSlice []int             `json:"omit_slice,omitempty"`
	Skipped   string            `json:"-"`
	Untagged  string            // no tag: keeps its Go name
	hidden    string            // unexported: left out
	Nested    [][]Inner         `json:"nested"`
	Ints      []int             `json:"ints"`
	PtrSlice  []*Inner          `json:"ptr_slice"`
	Deep      struct{ X Inner } `json:"deep"`
	*live
}

func encodingJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func jsonliteEncode(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := jsonlite.Encode(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const hostile = "<script>alert(\"x\")</script> & \\ \x00\x01\b\f\n\r\t\x1f\x7f é ✕ \u2028\u2029 \xff\xfe end"

// TestEncodeMatchesEncodingJSON: byte for byte what json.Encoder with a
// two-space indent writes, for every kind and tag form report.json uses.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	f, c, drops := 0.25, "c", 3
	full := sample{Str: hostile, Int: -7, Int64: math.MaxInt64, U32: math.MaxUint32, U16: 7, F: 1e21, F32: 1.5e-7, Bool: true, Ptr: &f,
		Strs: []string{"a", "", hostile}, EmptyStrs: []string{}, Inners: []Inner{{A: "x", B: []int{}}, {C: &c}},
		In: Inner{A: "in", B: []int{1, 2}}, InPtr: &Inner{}, OmitSet: "set", Skipped: "no", Untagged: "u", hidden: "h",
		Nested: [][]Inner{{}, {{A: "n"}}, nil}, Ints: []int{0, -1}, PtrSlice: []*Inner{nil, {A: "p"}},
		live: &live{Method: "packet", Drops: &drops}}
	for name, v := range map[string]any{"full": full, "zero": sample{}, "pointer": &full, "nil pointer": (*sample)(nil),
		"slice": []sample{{}, full}, "string": hostile, "empty struct": Empty{}} {
		if got, want := jsonliteEncode(t, v), encodingJSON(t, v); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
		}
	}
}

// TestEncodeFloats: the same numbers as encoding/json at every magnitude.
func TestEncodeFloats(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 0.000001, 0.0000009999, 1e-7, 1e-300, 123456789.125, 1e20, 1e21, 1.5e300,
		-2.5e-9, 4.0, 3600, 0.213, 1.0 / 3, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		if got, want := jsonliteEncode(t, f), encodingJSON(t, f); got != want {
			t.Errorf("%v: got %s want %s", f, got, want)
		}
		if math.Abs(f) > math.MaxFloat32 {
			continue
		}
		if got, want := jsonliteEncode(t, float32(f)), encodingJSON(t, float32(f)); got != want {
			t.Errorf("float32 %v: got %s want %s", f, got, want)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := jsonlite.Marshal(bad); err == nil {
			t.Errorf("%v encoded without an error", bad)
		}
	}
}

// TestEncodeUnsupported: a kind report.json does not use is an error, not
// a silent difference from encoding/json.
func TestEncodeUnsupported(t *testing.T) {
	for _, v := range []any{map[string]int{"a": 1}, []byte("x"), struct{ C chan int }{}} {
		if _, err := jsonlite.Marshal(v); err == nil {
			t.Errorf("%T encoded without an error", v)
		}
	}
}

// FuzzEncodeString: any string is quoted as encoding/json quotes it.
func FuzzEncodeString(f *testing.F) {
	for _, s := range []string{"", hostile, "plain", "\u2028", "\xed\xa0\x80", "a\"b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := jsonliteEncode(t, s), encodingJSON(t, s); got != want {
			t.Errorf("%q: got %s want %s", s, got, want)
		}
	})
}

// advice mirrors the part of report.json `config --from` reads.
type advice struct {
	Verdict struct {
		Code       string `json:"code"`
		WhoMustAct string `json:"who_must_act"`
	} `json:"verdict"`
	DHCPv6 struct {
		DelegatedPrefixes []struct {
			Prefix string `json:"prefix"`
		} `json:"delegated_prefixes"`
	} `json:"dhcpv6"`
	Attempts []struct {
		Index  int `json:"index"`
		Netifd *struct {
			ReqAddress string `json:"reqaddress"`
			NoFQDN     bool   `json:"noclientfqdn"`
		} `json:"netifd"`
		Length uint8   `json:"delegated_prefix_length"`
		F      float64 `json:"f"`
	} `json:"attempts"`
	BestAttempt int `json:"best_attempt"`
}

var decodeSeeds = []string{
	`{"verdict":{"code":"ok","who_must_act":"nobody"},"dhcpv6":{"delegated_prefixes":[{"prefix":"2001:db8::/56"}]},"attempts":[],"best_attempt":0}`,
	`{"best_attempt":2,"attempts":[{"index":1,"netifd":null},{"index":2,"netifd":{"reqaddress":"try","noclientfqdn":true},"delegated_prefix_length":56,"f":-1.5e-3}]}`,
	`{"unknown":[1,{"a":[null,true,false,"x\u00e9\ud83d\ude00\ud800"]}],"VERDICT":{"Code":"fold"}} `,
	` {"verdict": {"code": "a\"\\\/\b\f\n\r\t\u2028"}, "attempts": null}`,
	`{"best_attempt":1.5}`, `{"best_attempt":"1"}`, `{"best_attempt":1e2}`, `{"attempts":[{"delegated_prefix_length":256}]}`,
	`{"verdict":{"code":"ok"}} x`, `{"verdict":{"code":"ok"},}`, `[1]`, `null`, `"s"`, `{"verdict":{"code":"\x01"}}`, `{"a":01}`, `{"a":-}`,
	`{"a":.5}`, `{"a":1.}`, `{"a":1e}`, `{"verdict":{"code":"\xff"}}`, `{"verdict":{"code":"\ud800\u0041"}}`, `{"a" 1}`, `{"a":[1 2]}`, `{`,
	`{"attempts":[{"index":-0}]}`, `{"best_attempt":-9223372036854775809}`, `{"verdict":nul}`, `{"verdict":{"code":"\u12"}}`,
}

// TestUnmarshalMatchesEncodingJSON: where encoding/json reads a document,
// jsonlite reads the same values; where it fails, jsonlite fails too.
func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecode(t, s)
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	f.Fuzz(checkDecode)
}

func checkDecode(t *testing.T, s string) {
	var got, want advice
	errGot, errWant := jsonlite.Unmarshal([]byte(s), &got), json.Unmarshal([]byte(s), &want)
	if (errGot != nil) != (errWant != nil) {
		t.Fatalf("%q: jsonlite error %v, encoding/json error %v", s, errGot, errWant)
	}
	if errWant == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%q: got %+v, want %+v", s, got, want)
	}
}

// TestRaw: a Raw field keeps its value's text for a later, looser read.
func TestRaw(t *testing.T) {
	var v struct {
		Shape jsonlite.Raw `json:"shape"`
		After int          `json:"after"`
	}
	if err := jsonlite.Unmarshal([]byte(`{"shape": {"rapid_commit": true, "x": [1, "]"]}, "after": 3}`), &v); err != nil {
		t.Fatal(err)
	}
	if string(v.Shape) != `{"rapid_commit": true, "x": [1, "]"]}` || v.After != 3 {
		t.Fatalf("got %q, %d", v.Shape, v.After)
	}
	var s struct {
		RapidCommit bool `json:"rapid_commit"`
	}
	if err := jsonlite.Unmarshal(v.Shape, &s); err != nil || !s.RapidCommit {
		t.Fatalf("shape: %v, %+v", err, s)
	}
}

// TestUnmarshalDepth: a hostile nesting is refused, not a stack overflow.
func TestUnmarshalDepth(t *testing.T) {
	var v advice
	if err := jsonlite.Unmarshal([]byte(`{"x":`+strings.Repeat("[", 100000)), &v); err == nil {
		t.Fatal("no error")
	}
}

// pieceWriter records the size of every Write.
type pieceWriter struct {
	bytes.Buffer
	pieces []int
	fail   error
}

func (w *pieceWriter) Write(p []byte) (int, error) {
	if w.fail != nil {
		return 0, w.fail
	}
	w.pieces = append(w.pieces, len(p))
	return w.Buffer.Write(p)
}

// TestEncodeStreams: a large value reaches the writer in pieces of about
// 16 KB, never as one text of its whole size (report.json of a dense
// capture is megabytes, issue 11's memory budget), and the pieces join to
// exactly what encoding/json writes. A failing writer's error comes back.
func TestEncodeStreams(t *testing.T) {
	c := "x"
	v := make([]Inner, 5000)
	for i := range v {
		v[i] = Inner{A: strings.Repeat("a", i%50), B: []int{i, -i}, C: &c}
	}
	var w pieceWriter
	if err := jsonlite.Encode(&w, v); err != nil {
		t.Fatal(err)
	}
	if got, want := w.String(), encodingJSON(t, v); got != want {
		t.Fatalf("streamed text differs from encoding/json's (%d bytes, want %d)", len(got), len(want))
	}
	if len(w.pieces) < 10 {
		t.Errorf("%d bytes came in %d writes: not streamed", w.Len(), len(w.pieces))
	}
	for _, n := range w.pieces {
		if n > 20<<10 {
			t.Errorf("a write of %d bytes: pieces should stay near 16 KB", n)
		}
	}
	broken := errors.New("disk full")
	if err := jsonlite.Encode(&pieceWriter{fail: broken}, v); !errors.Is(err, broken) {
		t.Errorf("Encode to a failing writer = %v, want %v", err, broken)
	}
}

// TestObject: an Object keeps every member of an object in order, each
// value as encoding/json's RawMessage has it; Compact matches json.Compact.
func TestObject(t *testing.T) {
	for _, s := range []string{
		`{"data": {"passthru": "0017", "zone": "wan", "n": 3, "l": [1, {"a": "b\"}"}], "e": {}, "z": null}}`,
		`{"data": {}}`,
		`{"data": null}`,
		"{\"data\": {\n\t\"leasetime\": 3600 ,\"x\" :\"a b\\u00e9\\\\\"\n}}",
		`{"data": []}`,
		`{"data": {"a" 1}}`,
		`{"data": {"a": 1,}}`,
		`{"data": "x"}`,
	} {
		var got struct {
			Data jsonlite.Object `json:"data"`
		}
		var want struct {
			Data map[string]json.RawMessage `json:"data"`
		}
		errGot, errWant := jsonlite.Unmarshal([]byte(s), &got), json.Unmarshal([]byte(s), &want)
		if (errGot != nil) != (errWant != nil) {
			t.Errorf("%q: jsonlite error %v, encoding/json error %v", s, errGot, errWant)
			continue
		}
		if errWant != nil {
			continue
		}
		if len(got.Data) != len(want.Data) || (got.Data == nil) != (want.Data == nil) {
			t.Errorf("%q: %d members (nil %v), encoding/json %d (nil %v)", s, len(got.Data), got.Data == nil, len(want.Data), want.Data == nil)
		}
		var keys []string
		for _, m := range got.Data {
			keys = append(keys, m.Key)
			var c bytes.Buffer
			if err := json.Compact(&c, want.Data[m.Key]); err != nil {
				t.Fatal(err)
			}
			if m.Value.Compact() != c.String() {
				t.Errorf("%q: %s = %s, encoding/json %s", s, m.Key, m.Value.Compact(), c.String())
			}
		}
		if i := strings.Index(s, "{\"passthru\""); i >= 0 && strings.Join(keys, ",") != "passthru,zone,n,l,e,z" {
			t.Errorf("member order %q", keys)
		}
	}
}
