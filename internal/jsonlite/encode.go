// Package jsonlite writes and reads report.json without encoding/json.
//
// encoding/json costs about 0.4 MB of the 4.5 MB flash budget of the mips
// build (issue 4). report.json needs little of it: structs with json tags
// (name, omitempty, "-"), embedded structs and pointers to them, pointers,
// slices, strings, bools, integers and floats. Encode writes these exactly
// as json.Encoder with SetIndent("", "  ") does, byte for byte (the tests
// hold it to encoding/json); Unmarshal reads them back, skipping unknown
// keys. Any other kind is an error, never a silent difference.
package jsonlite

import (
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Encode writes v as indented JSON and a newline, as json.Encoder with
// SetIndent("", "  ") and HTML escaping (its default) writes it. It
// streams: the text goes to w in pieces of about flushSize bytes, so a
// report.json of megabytes never sits whole in memory (issue 11's 16 MB
// peak RSS, scripts/bench-analyze.sh). Unlike json.Encoder it may have
// written part of the text when it returns an error.
func Encode(w io.Writer, v any) error {
	e := encoder{w: w, b: make([]byte, 0, flushSize+flushSize/4)}
	if err := e.value(reflect.ValueOf(v), 0); err != nil {
		return err
	}
	e.b = append(e.b, '\n')
	return e.flush()
}

// Marshal returns v as indented JSON, without the trailing newline.
func Marshal(v any) ([]byte, error) {
	e := encoder{}
	if err := e.value(reflect.ValueOf(v), 0); err != nil {
		return nil, err
	}
	return e.b, nil
}

// flushSize is how much text Encode gathers before writing it out.
const flushSize = 16 << 10

// encoder appends JSON text to b; with a writer w (Encode) it hands b to w
// whenever b passes flushSize.
type encoder struct {
	w io.Writer
	b []byte
}

// flush writes what b holds to w, if there is a writer.
func (e *encoder) flush() error {
	if e.w == nil || len(e.b) == 0 {
		return nil
	}
	_, err := e.w.Write(e.b)
	e.b = e.b[:0]
	return err
}

// maybeFlush writes b out once it passes flushSize.
func (e *encoder) maybeFlush() error {
	if e.w == nil || len(e.b) < flushSize {
		return nil
	}
	return e.flush()
}

func (e *encoder) newline(depth int) {
	e.b = append(e.b, '\n')
	for range depth {
		e.b = append(e.b, ' ', ' ')
	}
}

func (e *encoder) value(v reflect.Value, depth int) error {
	switch v.Kind() {
	case reflect.Invalid:
		e.b = append(e.b, "null"...)
	case reflect.String:
		e.b = appendString(e.b, v.String())
	case reflect.Bool:
		e.b = strconv.AppendBool(e.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = strconv.AppendInt(e.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.b = strconv.AppendUint(e.b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return e.float(v.Float(), v.Type().Bits())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		return e.value(v.Elem(), depth)
	case reflect.Slice:
		if v.IsNil() {
			e.b = append(e.b, "null"...)
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Errorf("jsonlite: %s: byte slices are not supported", v.Type())
		}
		e.b = append(e.b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.newline(depth + 1)
			if err := e.value(v.Index(i), depth+1); err != nil {
				return err
			}
			if err := e.maybeFlush(); err != nil {
				return err
			}
		}
		if v.Len() > 0 {
			e.newline(depth)
		}
		e.b = append(e.b, ']')
	case reflect.Struct:
		e.b = append(e.b, '{')
		n, err := e.fields(v, depth, 0)
		if err != nil {
			return err
		}
		if n > 0 {
			e.newline(depth)
		}
		e.b = append(e.b, '}')
	default:
		return fmt.Errorf("jsonlite: %s: kind %s is not supported", v.Type(), v.Kind())
	}
	return nil
}

// fields writes the fields of struct v, continuing after n written ones
// (embedded structs are inlined), and returns the new count.
func (e *encoder) fields(v reflect.Value, depth, n int) (int, error) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, omitEmpty, ok := fieldName(f)
		if !ok {
			continue
		}
		fv := v.Field(i)
		if name == "" { // embedded, untagged: its fields are promoted
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			var err error
			if n, err = e.fields(fv, depth, n); err != nil {
				return n, err
			}
			continue
		}
		if omitEmpty && isEmpty(fv) {
			continue
		}
		if n > 0 {
			e.b = append(e.b, ',')
		}
		n++
		e.newline(depth + 1)
		e.b = appendString(e.b, name)
		e.b = append(e.b, ':', ' ')
		if err := e.value(fv, depth+1); err != nil {
			return n, fmt.Errorf("%s: %w", name, err)
		}
	}
	return n, nil
}

// fieldName reads a field's json tag. ok is false for a field JSON leaves
// out; name is "" for an embedded struct whose fields are promoted.
func fieldName(f reflect.StructField) (name string, omitEmpty, ok bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == "omitempty" {
			omitEmpty = true
		}
	}
	if f.Anonymous && name == "" {
		t := f.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Struct {
			return "", false, true
		}
	}
	if !f.IsExported() {
		return "", false, false
	}
	if name == "" {
		name = f.Name
	}
	return name, omitEmpty, true
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// float writes f as encoding/json does: like ES6, plain notation between
// 1e-6 and 1e21, exponent notation outside, without a leading zero in the
// exponent.
func (e *encoder) float(f float64, bits int) error {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return errors.New("jsonlite: unsupported value: " + strconv.FormatFloat(f, 'g', -1, bits))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, bits)
	if format == 'e' {
		// e-09 becomes e-9
		if n := len(e.b); n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping: <, >
// and & as \u00XX, U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
