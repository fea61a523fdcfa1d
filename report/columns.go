package report

import (
	"strings"
	"unicode/utf8"
)

// alignColumns lays rows of cells out as an aligned text table: each cell
// but a row's last is padded with spaces to its column's widest cell (in
// runes) plus two, and each line ends without trailing blanks. It is the
// layout text/tabwriter gave with padding 2 and a space pad character,
// written out because the tables here are uniform and tabwriter cost
// 7.6 KB of the mips binary.
func alignColumns(rows [][]string) string {
	var widths []int
	for _, row := range rows {
		for i := 0; i < len(row)-1; i++ {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(row[i]))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			line.WriteString(cell)
			if i < len(row)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]+2-utf8.RuneCountInString(cell)))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteString("\n")
	}
	return b.String()
}
