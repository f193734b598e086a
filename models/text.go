package models

import (
	"strings"
	"unicode"
)

// HasControl reports whether s holds control characters (a NUL byte, which PostgreSQL refuses to
// store, above all) or bidirectional overrides and isolates (which reorder what a mail subject or a
// page shows); multiline text may hold line breaks and tabs.
func HasControl(s string, multiline bool) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r) || bidiControl(r)
	}) >= 0
}

// bidiControl reports the invisible characters that change the direction of the text around them.
func bidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\u200e' || r == '\u200f' ||
		r == '\u061c'
}

// CheckText refuses a text field with control characters, naming the field.
func CheckText(field, s string, multiline bool) error {
	if HasControl(s, multiline) {
		return Invalid(field, "%s holds control characters", field)
	}
	return nil
}
