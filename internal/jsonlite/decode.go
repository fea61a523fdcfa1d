package jsonlite

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Raw holds a JSON value undecoded, for a field read loosely later (as
// json.RawMessage does).
type Raw []byte

var rawType = reflect.TypeFor[Raw]()

// Object holds a JSON object's members in document order, each value
// undecoded, for an object whose keys are data rather than a schema (a
// map in encoding/json terms): netifd's per-protocol "data", its prefix
// assignments keyed by interface. Decoding only; null leaves it nil.
type Object []Member

// Member is one key and its undecoded value.
type Member struct {
	Key   string
	Value Raw
}

var objectType = reflect.TypeFor[Object]()

// Compact returns r without the white space between tokens, as
// encoding/json's Compact writes it; strings are kept byte for byte.
func (r Raw) Compact() string {
	out := make([]byte, 0, len(r))
	inString, escaped := false, false
	for _, c := range []byte(r) {
		switch {
		case inString:
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			if c == '"' {
				inString = true
			}
			out = append(out, c)
		}
	}
	return string(out)
}

// maxDepth bounds nesting, so a hostile file cannot exhaust the stack.
const maxDepth = 1000

// Unmarshal reads the JSON document b into v, a non-nil pointer. Object
// keys match a field's json name, exactly or else ignoring case, as with
// encoding/json; unknown keys are skipped; null leaves a value as it is
// and clears a pointer or slice. A value of the wrong type is an error.
func Unmarshal(b []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("jsonlite: unmarshal needs a non-nil pointer")
	}
	d := decoder{b: b}
	if err := d.value(rv.Elem(), 0); err != nil {
		return err
	}
	if d.space(); d.i != len(d.b) {
		return d.errorf("data after the value")
	}
	return nil
}

type decoder struct {
	b []byte
	i int
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("jsonlite: offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *decoder) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\t' || d.b[d.i] == '\n' || d.b[d.i] == '\r') {
		d.i++
	}
}

func (d *decoder) literal(word string) error {
	if !strings.HasPrefix(string(d.b[d.i:min(len(d.b), d.i+len(word))]), word) {
		return d.errorf("invalid literal")
	}
	d.i += len(word)
	return nil
}

// value reads one value into v; an invalid v (reflect.Value{}) skips it.
func (d *decoder) value(v reflect.Value, depth int) error {
	if depth > maxDepth {
		return d.errorf("nested too deep")
	}
	d.space()
	if d.i >= len(d.b) {
		return d.errorf("unexpected end of input")
	}
	if v.IsValid() && v.Type() == rawType {
		start := d.i
		if err := d.value(reflect.Value{}, depth); err != nil {
			return err
		}
		v.SetBytes(append([]byte(nil), d.b[start:d.i]...))
		return nil
	}
	c := d.b[d.i]
	if v.IsValid() && v.Type() == objectType && c != 'n' {
		return d.members(v, depth)
	}
	if c == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		if v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice) {
			v.SetZero()
		}
		return nil
	}
	if v.IsValid() && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.value(v.Elem(), depth)
	}
	switch {
	case c == '{':
		return d.object(v, depth)
	case c == '[':
		return d.array(v, depth)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return err
		}
		if !v.IsValid() {
			return nil
		}
		if v.Kind() != reflect.String {
			return d.errorf("a string for %s", v.Type())
		}
		v.SetString(s)
	case c == 't' || c == 'f':
		word := "true"
		if c == 'f' {
			word = "false"
		}
		if err := d.literal(word); err != nil {
			return err
		}
		if !v.IsValid() {
			return nil
		}
		if v.Kind() != reflect.Bool {
			return d.errorf("a bool for %s", v.Type())
		}
		v.SetBool(c == 't')
	default:
		return d.number(v)
	}
	return nil
}

func (d *decoder) object(v reflect.Value, depth int) error {
	if v.IsValid() && v.Kind() != reflect.Struct {
		return d.errorf("an object for %s", v.Type())
	}
	return d.eachMember(func(key string) error {
		var f reflect.Value
		if v.IsValid() {
			f = field(v, key)
		}
		return d.value(f, depth+1)
	})
}

// members reads an object into an Object, keeping each value's bytes.
func (d *decoder) members(v reflect.Value, depth int) error {
	if d.b[d.i] != '{' {
		return d.errorf("an object for %s", v.Type())
	}
	obj := Object{}
	err := d.eachMember(func(key string) error {
		d.space()
		start := d.i
		if err := d.value(reflect.Value{}, depth+1); err != nil {
			return err
		}
		obj = append(obj, Member{Key: key, Value: append(Raw(nil), d.b[start:d.i]...)})
		return nil
	})
	if err != nil {
		return err
	}
	v.Set(reflect.ValueOf(obj))
	return nil
}

// eachMember reads the object at d.i ('{'), calling value with each key
// when the reader stands at that key's value, which value must consume.
func (d *decoder) eachMember(value func(key string) error) error {
	d.i++ // {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return d.errorf("expected a key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return d.errorf("expected ':'")
		}
		d.i++
		if err := value(key); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.b) {
			return d.errorf("unexpected end of input")
		}
		d.i++
		switch d.b[d.i-1] {
		case ',':
		case '}':
			return nil
		default:
			d.i--
			return d.errorf("expected ',' or '}'")
		}
	}
}

// field finds the field of struct v named key: its json name exactly, else
// ignoring case; fields of embedded structs count as v's own. It returns
// an invalid Value if there is none.
func field(v reflect.Value, key string) reflect.Value {
	var fold reflect.Value
	var walk func(v reflect.Value) reflect.Value
	walk = func(v reflect.Value) reflect.Value {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name, _, ok := fieldName(t.Field(i))
			if !ok {
				continue
			}
			fv := v.Field(i)
			if name == "" {
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						if !fv.CanSet() {
							continue
						}
						fv.Set(reflect.New(fv.Type().Elem()))
					}
					fv = fv.Elem()
				}
				if f := walk(fv); f.IsValid() {
					return f
				}
				continue
			}
			if name == key {
				return fv
			}
			if !fold.IsValid() && strings.EqualFold(name, key) {
				fold = fv
			}
		}
		return reflect.Value{}
	}
	if f := walk(v); f.IsValid() {
		return f
	}
	return fold
}

func (d *decoder) array(v reflect.Value, depth int) error {
	if v.IsValid() && v.Kind() != reflect.Slice {
		return d.errorf("an array for %s", v.Type())
	}
	d.i++ // [
	if v.IsValid() {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return nil
	}
	for {
		var elem reflect.Value
		if v.IsValid() {
			elem = reflect.New(v.Type().Elem()).Elem()
		}
		if err := d.value(elem, depth+1); err != nil {
			return err
		}
		if v.IsValid() {
			v.Set(reflect.Append(v, elem))
		}
		d.space()
		if d.i >= len(d.b) {
			return d.errorf("unexpected end of input")
		}
		d.i++
		switch d.b[d.i-1] {
		case ',':
		case ']':
			return nil
		default:
			d.i--
			return d.errorf("expected ',' or ']'")
		}
	}
}

// number reads a number in JSON's grammar into an integer or float.
func (d *decoder) number(v reflect.Value) error {
	start := d.i
	digits := func() int {
		n := 0
		for d.i < len(d.b) && '0' <= d.b[d.i] && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		return d.errorf("invalid character")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return d.errorf("invalid number")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return d.errorf("invalid number")
		}
	}
	if !v.IsValid() {
		return nil
	}
	s := string(d.b[start:d.i])
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return d.errorf("number %s for %s", s, v.Type())
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v.OverflowUint(n) {
			return d.errorf("number %s for %s", s, v.Type())
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return d.errorf("number %s for %s", s, v.Type())
		}
		v.SetFloat(f)
	default:
		return d.errorf("a number for %s", v.Type())
	}
	return nil
}

// str reads a quoted string, as encoding/json does: escapes decoded,
// invalid UTF-8 and lone surrogates as U+FFFD, control bytes an error.
func (d *decoder) str() (string, error) {
	d.i++ // "
	var out []byte
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return string(out), nil
		case c < 0x20:
			return "", d.errorf("control character in string")
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return "", d.errorf("unexpected end of input")
			}
			e := d.b[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", d.errorf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if save := d.i; d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
						d.i += 2
						var ok2 bool
						if r2, ok2 = d.hex4(); !ok2 {
							return "", d.errorf("invalid \\u escape")
						}
						if utf16.DecodeRune(r, r2) == utf8.RuneError {
							d.i, r2 = save, -1
						}
					}
					if r2 >= 0 {
						r = utf16.DecodeRune(r, r2)
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", d.errorf("invalid escape")
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			d.i++
		default:
			r, size := utf8.DecodeRune(d.b[d.i:])
			out = utf8.AppendRune(out, r)
			d.i += size
		}
	}
	return "", d.errorf("unexpected end of input")
}

func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(d.b[d.i:d.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(n), true
}
