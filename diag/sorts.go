package diag

import "sort"

// sortInts and sortStrings sort through sort.Slice, whose one
// implementation the binary holds anyway; slices.Sort would add a
// generic instantiation per element type (about 5 KB each on mips, where
// the flash budget is tight).
func sortInts(s []int) { sort.Slice(s, func(i, j int) bool { return s[i] < s[j] }) }

func sortStrings(s []string) { sort.Slice(s, func(i, j int) bool { return s[i] < s[j] }) }
