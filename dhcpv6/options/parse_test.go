package options

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    []Option
		wantErr string
	}{
		{name: "empty", in: nil},
		{
			name: "two options",
			in: []byte{
				0x00, 0x01, 0x00, 0x02, 0xaa, 0xbb, // code 1, length 2
				0x00, 0x0e, 0x00, 0x00, // code 14, empty
			},
			want: []Option{
				{Code: 1, Data: []byte{0xaa, 0xbb}, Offset: 0},
				{Code: 14, Data: []byte{}, Offset: 6},
			},
		},
		{
			name:    "length 0xffff",
			in:      []byte{0x00, 0x03, 0xff, 0xff, 1, 2, 3},
			wantErr: "option 3 length 65535 runs past the message (3 bytes left)",
		},
		{
			name:    "trailing bytes",
			in:      []byte{0x00, 0x0e, 0x00, 0x00, 0x00},
			want:    []Option{{Code: 14, Data: []byte{}, Offset: 0}},
			wantErr: "1 trailing bytes are too short for an option header",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b []byte) bool { return string(a) == string(b) })); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
	opts, _ := Parse([]byte{0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 9})
	if Count(opts, 1) != 2 || Count(opts, 3) != 0 {
		t.Errorf("Count wrong on %v", opts)
	}
	if o, ok := First(opts, 1); !ok || o.Offset != 0 {
		t.Errorf("First(1) = %v, %v", o, ok)
	}
	if _, ok := First(opts, 3); ok {
		t.Error("First found an absent option")
	}
}

// FuzzParse: every option returned lies inside the input and the options
// tile it exactly up to any error.
func FuzzParse(f *testing.F) {
	f.Add([]byte{0, 3, 0xff, 0xfc, 1})
	f.Add([]byte{0, 1, 0, 2, 1, 2, 0, 14, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		opts, err := Parse(b)
		end := 0
		for _, o := range opts {
			if o.Offset != end || o.Offset+HeaderLen+len(o.Data) > len(b) {
				t.Fatalf("option %+v does not follow at %d within %d bytes", o, end, len(b))
			}
			end = o.Offset + HeaderLen + len(o.Data)
		}
		if err == nil && end != len(b) {
			t.Fatalf("options end at %d of %d without error", end, len(b))
		}
	})
}
