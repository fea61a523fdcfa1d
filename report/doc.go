// Package report renders one diagnosis in the formats a user, a forum and
// an ISP read: plain text and versioned JSON. Wording of findings lives in
// diag; this package only lays them out.
package report
