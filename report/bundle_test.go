package report_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/v6diag/v6diag/report"
)

func TestWriteBundle(t *testing.T) {
	files := []report.BundleFile{{Name: "report.txt", Data: []byte("verdict\n")}, {Name: "capture.pcapng", Data: bytes.Repeat([]byte{0x0a}, 3000)}}
	var b bytes.Buffer
	mod := time.Date(2026, 3, 1, 12, 0, 0, 500, time.UTC)
	if err := report.WriteBundle(&b, files, mod); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var got []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		want := files[len(got)]
		if h.Name != want.Name || !bytes.Equal(data, want.Data) || h.Mode != 0o600 || !h.ModTime.Equal(mod.Truncate(time.Second)) || h.Uid != 0 || h.Uname != "" {
			t.Errorf("member %s mode %o mtime %v uid %d: want %s 0600 %v uid 0", h.Name, h.Mode, h.ModTime, h.Uid, want.Name, mod)
		}
		got = append(got, h.Name)
	}
	if strings.Join(got, ",") != "report.txt,capture.pcapng" {
		t.Errorf("members %v", got)
	}
}

const plantedConfig = `config interface 'wan'
	option device 'eth0.7'
	option proto 'pppoe'
	option username 'user@isp'
	option password 'Sup3r-Secret!'
	option ipv6 'auto'

config wifi-iface 'default_radio0'
	option key "wifi passphrase 42"
	option encryption 'psk2'
	list auth_secret s3cr3t-radius
	option sae_password 'x'
`

func TestSecretValues(t *testing.T) {
	got := report.SecretValues([]byte(plantedConfig))
	want := []string{"wifi passphrase 42", "Sup3r-Secret!", "s3cr3t-radius"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("SecretValues = %q, want %q (one-letter values are left: they would garble reports)", got, want)
	}
}

func TestScrubSecrets(t *testing.T) {
	diff := "--- network\n+++ network.suggested\n@@ -3,4 +3,5 @@\n \toption proto 'pppoe'\n-\toption password 'Sup3r-Secret!'\n+\toption password \"Sup3r-Secret!\"\n \toption sae_password 'x'\n+\toption reqprefix '56' # the ISP delegates a /56\n"
	note := []byte("could not parse: near 'Sup3r-Secret!' and wifi passphrase 42")
	secrets := report.SecretValues([]byte(plantedConfig))
	for _, in := range [][]byte{[]byte(diff), note} {
		out := string(report.ScrubSecrets(in, secrets))
		for _, s := range []string{"Sup3r-Secret!", "wifi passphrase 42", "'x'"} {
			if strings.Contains(out, s) {
				t.Errorf("scrubbed text still holds %q:\n%s", s, out)
			}
		}
		if !strings.Contains(out, "********") {
			t.Errorf("nothing masked:\n%s", out)
		}
	}
	if out := string(report.ScrubSecrets([]byte(diff), secrets)); !strings.Contains(out, "+\toption reqprefix '56' # the ISP delegates a /56\n") {
		t.Errorf("an ordinary line changed:\n%s", out)
	}
}

// TestWriteBundleMatchesArchiveTar: the hand-written ustar members are,
// byte for byte, what archive/tar writes for the same files (issue 4 keeps
// archive/tar out of the binary), including sizes on a block boundary and
// an empty file.
func TestWriteBundleMatchesArchiveTar(t *testing.T) {
	files := []report.BundleFile{{Name: "report.txt", Data: []byte("verdict\n")}, {Name: "empty", Data: nil},
		{Name: "capture.pcapng", Data: bytes.Repeat([]byte{0x0a}, 1024)}, {Name: strings.Repeat("n", 99), Data: []byte("x")}}
	for _, mod := range []time.Time{time.Date(2026, 3, 1, 12, 0, 0, 500, time.UTC), {}} {
		var got bytes.Buffer
		if err := report.WriteBundle(&got, files, mod); err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(&got)
		if err != nil {
			t.Fatal(err)
		}
		gotTar, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		tw := tar.NewWriter(&want)
		for _, f := range files {
			h := &tar.Header{Name: f.Name, Mode: 0o600, Size: int64(len(f.Data)), ModTime: mod.UTC().Truncate(time.Second),
				Typeflag: tar.TypeReg, Format: tar.FormatPAX}
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(f.Data); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotTar, want.Bytes()) {
			for i := range min(len(gotTar), want.Len()) {
				if gotTar[i] != want.Bytes()[i] {
					t.Fatalf("mtime %v: tar differs from archive/tar's at byte %d (of %d, want %d): %q, want %q", mod, i, len(gotTar), want.Len(),
						gotTar[i-i%512:i-i%512+512], want.Bytes()[i-i%512:i-i%512+512])
				}
			}
			t.Fatalf("mtime %v: tar is %d bytes, archive/tar's %d", mod, len(gotTar), want.Len())
		}
	}
	for _, bad := range []string{"", strings.Repeat("n", 100), "dir/file", "é"} {
		if err := report.WriteBundle(io.Discard, []report.BundleFile{{Name: bad}}, time.Time{}); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

// scrubWhole is ScrubSecrets as it was before it streamed: the text split
// into lines, secret config lines masked one by one, then every secret
// value replaced in the whole text at once. SecretScrubber must write
// exactly this, however the text is cut into writes.
func scrubWhole(b []byte, secrets []string) string {
	lines := strings.SplitAfter(string(b), "\n")
	for i, l := range lines {
		lines[i] = string(report.ScrubSecrets([]byte(l), nil))
	}
	s := strings.Join(lines, "")
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "********")
		}
	}
	return s
}

// TestSecretScrubberStreams: text written through a SecretScrubber in
// pieces of any size, cut inside lines, inside secrets and between \r and
// \n, comes out as the whole text scrubbed at once.
func TestSecretScrubberStreams(t *testing.T) {
	secrets := report.SecretValues([]byte(plantedConfig))
	text := []byte(plantedConfig + "\r\nnote: near 'Sup3r-Secret!' and wifi passphrase 42\r\n+\toption key 'abc'\nlast line without end Sup3r-Secret!")
	want := scrubWhole(text, secrets)
	for size := 1; size <= len(text); size++ {
		var out bytes.Buffer
		s := report.NewSecretScrubber(&out, secrets)
		for p := text; len(p) > 0; {
			n := min(size, len(p))
			if m, err := s.Write(p[:n]); err != nil || m != n {
				t.Fatalf("Write = %d, %v", m, err)
			}
			p = p[n:]
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("pieces of %d bytes: got\n%q\nwant\n%q", size, out.String(), want)
		}
	}
}

// TestWriteBundleStreamsBody: a member read from Body is written exactly
// as the same bytes given as Data, and a Body that ends before Size (a
// file that shrank) fails instead of writing a broken archive.
func TestWriteBundleStreamsBody(t *testing.T) {
	data := bytes.Repeat([]byte("pcap"), 3001)
	mod := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var fromData, fromBody bytes.Buffer
	if err := report.WriteBundle(&fromData, []report.BundleFile{{Name: "capture.pcap", Data: data}}, mod); err != nil {
		t.Fatal(err)
	}
	body := []report.BundleFile{{Name: "capture.pcap", Body: bytes.NewReader(data), Size: int64(len(data))}}
	if err := report.WriteBundle(&fromBody, body, mod); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromData.Bytes(), fromBody.Bytes()) {
		t.Error("a streamed member differs from the same bytes given whole")
	}
	short := []report.BundleFile{{Name: "capture.pcap", Body: bytes.NewReader(data[:100]), Size: int64(len(data))}}
	if err := report.WriteBundle(io.Discard, short, mod); err == nil {
		t.Error("a body shorter than its size was bundled without an error")
	}
}
