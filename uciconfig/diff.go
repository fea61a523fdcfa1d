package uciconfig

import (
	"fmt"
	"slices"
	"strings"
)

// diffContext is the number of unchanged lines shown around a change, as
// diff -u and patch expect by default.
const diffContext = 3

// UnifiedDiff returns the unified diff (the format of diff -u, which patch
// applies) that turns old into new, with oldName and newName in the ---
// and +++ headers; nil when they are equal. Lines are compared whole,
// line endings included, so a CRLF file diffs as CRLF; a last line
// without a line ending is marked "\ No newline at end of file".
//
// It is the classic greedy algorithm of Myers ("An O(ND) Difference
// Algorithm and Its Variations", 1986), which is fast for the small edits
// a suggestion makes however long the file is.
func UnifiedDiff(oldName, newName string, old, new []byte) []byte {
	a, b := splitLines(string(old)), splitLines(string(new))
	ops := myers(a, b)
	var out strings.Builder
	wroteHeader := false
	for _, h := range hunks(ops) {
		if !wroteHeader {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
			wroteHeader = true
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(h.aStart, h.aLen), hunkRange(h.bStart, h.bLen))
		for _, op := range ops[h.from:h.to] {
			var line string
			var prefix byte
			switch op.kind {
			case opEqual:
				prefix, line = ' ', a[op.a]
			case opDelete:
				prefix, line = '-', a[op.a]
			case opInsert:
				prefix, line = '+', b[op.b]
			}
			out.WriteByte(prefix)
			out.WriteString(line)
			if !strings.HasSuffix(line, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
	}
	if !wroteHeader {
		return nil
	}
	return []byte(out.String())
}

// splitLines splits after each '\n', keeping it; a last line without one
// is a line too.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

type opKind uint8

const (
	opEqual opKind = iota
	opDelete
	opInsert
)

// diffOp is one line of the edit script: a index a (delete, equal) and b
// index b (insert, equal).
type diffOp struct {
	kind opKind
	a, b int
}

// myers returns the shortest edit script from a to b, deletions before
// insertions within a change, as diff prints them.
func myers(a, b []string) []diffOp {
	n, m := len(a), len(b)
	limit := n + m
	offset := limit + 1
	v := make([]int, 2*limit+3)
	// trace[d] is v[-d..d] after step d, to walk the path back: O(D²)
	// memory, small for the few lines a suggestion changes.
	var trace [][]int
	var dFound int
search:
	for d := 0; d <= limit; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[offset+k-1] < v[offset+k+1]) {
				x = v[offset+k+1] // down: an insertion
			} else {
				x = v[offset+k-1] + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[offset+k] = x
			if x >= n && y >= m {
				dFound = d
				break search
			}
		}
		trace = append(trace, slices.Clone(v[offset-d:offset+d+1]))
	}

	// Walk back from (n, m), collecting ops in reverse.
	var rev []diffOp
	x, y := n, m
	for d := dFound; d > 0; d-- {
		prev := func(k int) int { return trace[d-1][k+d-1] }
		k := x - y
		var prevK int
		if k == -d || (k != d && prev(k-1) < prev(k+1)) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := prev(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			rev = append(rev, diffOp{kind: opEqual, a: x, b: y})
		}
		if x == prevX {
			y--
			rev = append(rev, diffOp{kind: opInsert, a: x, b: y})
		} else {
			x--
			rev = append(rev, diffOp{kind: opDelete, a: x, b: y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, diffOp{kind: opEqual, a: x, b: y})
	}
	ops := make([]diffOp, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		ops = append(ops, rev[i])
	}
	// Within each run of changes, print deletions first.
	for i := 0; i < len(ops); {
		if ops[i].kind == opEqual {
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].kind != opEqual {
			j++
		}
		var dels, ins []diffOp
		for _, op := range ops[i:j] {
			if op.kind == opDelete {
				dels = append(dels, op)
			} else {
				ins = append(ins, op)
			}
		}
		copy(ops[i:], append(dels, ins...))
		i = j
	}
	return ops
}

// hunk is a slice ops[from:to] with the line ranges it covers, 0-based.
type hunk struct {
	from, to     int
	aStart, aLen int
	bStart, bLen int
}

// hunks groups the changes with diffContext lines around each, merging
// changes whose contexts touch.
func hunks(ops []diffOp) []hunk {
	var out []hunk
	for i := 0; i < len(ops); {
		if ops[i].kind == opEqual {
			i++
			continue
		}
		from := max(i-diffContext, 0)
		// Extend while the gap of equal lines to the next change is at
		// most two contexts.
		j := i
		for {
			for j < len(ops) && ops[j].kind != opEqual {
				j++
			}
			k := j
			for k < len(ops) && ops[k].kind == opEqual {
				k++
			}
			if k < len(ops) && k-j <= 2*diffContext {
				j = k
				continue
			}
			break
		}
		to := min(j+diffContext, len(ops))
		h := hunk{from: from, to: to}
		h.aStart, h.bStart = position(ops, from)
		for _, op := range ops[from:to] {
			if op.kind != opInsert {
				h.aLen++
			}
			if op.kind != opDelete {
				h.bLen++
			}
		}
		out = append(out, h)
		i = to
	}
	return out
}

// position is the 0-based line in a and in b where ops[i] stands.
func position(ops []diffOp, i int) (a, b int) {
	for _, op := range ops[:i] {
		if op.kind != opInsert {
			a++
		}
		if op.kind != opDelete {
			b++
		}
	}
	return a, b
}

// hunkRange formats "start,len" as diff -u does: 1-based, the start of an
// empty range being the line before it, and ",1" left out.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
