// Package jsonbody reads JSON request bodies strictly, in one way for every server of the project:
// declared as JSON, a bounded size, one JSON value, every member name exactly one known field,
// given once, and each mistake named by the field it is about, so a client's typo is an answer it can
// fix rather than a field silently ignored or silently overwritten.
//
// The decoding is encoding/json/v2's (through github.com/go-json-experiment/json, the same code):
// unlike encoding/json, it matches names case-sensitively ("NAME" is not "name") and refuses a name
// given twice (where encoding/json keeps the last), and invalid UTF-8.
package jsonbody

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Error is what is wrong with a body: the field at fault (empty for the body as a whole) and a message
// written for the person who sent it. TooLarge marks a body over the limit, NotJSON one not declared
// as JSON; the other errors are bad input.
type Error struct {
	Field    string
	Message  string
	TooLarge bool
	NotJSON  bool
}

func (e *Error) Error() string { return e.Message }

// Read reads a body of at most limit bytes; a longer one is an Error with TooLarge set. limit <= 0
// leaves the bound to the reader: a body the server bounded with http.MaxBytesReader is TooLarge too,
// with that reader's limit in its message.
func Read(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		body, err := io.ReadAll(r)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, TooLarge(tooLarge.Limit)
		}
		if err != nil {
			return nil, &Error{Message: "the request body could not be read"}
		}
		return body, nil
	}
	body, err := Read(io.LimitReader(r, limit+1), 0)
	if err == nil && int64(len(body)) > limit {
		return nil, TooLarge(limit)
	}
	return body, err
}

// TooLarge is the Error of a body over limit bytes.
func TooLarge(limit int64) *Error {
	return &Error{Message: fmt.Sprintf("the request body is larger than %s", size(limit)), TooLarge: true}
}

// MediaType checks a request's Content-Type: application/json or a +json type, in UTF-8. Anything
// else (text/plain, a form, none at all) is an Error with NotJSON set: such a body may not have been
// meant as JSON, and text/plain and forms are what another site's page can make a browser send.
func MediaType(contentType string) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err == nil && (mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
		return &Error{NotJSON: true, Message: "a JSON body must be UTF-8; send Content-Type: application/json"}
	}
	got := "none"
	if contentType != "" {
		got = strconv.Quote(contentType)
	}
	return &Error{NotJSON: true, Message: "the body must be JSON, sent with Content-Type: application/json (the request has " + got + ")"}
}

// Decode decodes one JSON value into v, refusing an empty body, unknown or mis-cased fields, a field
// given twice, wrong types and trailing data, each with an *Error naming what is wrong.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &Error{Message: "the request body is empty; a JSON object is expected"}
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if err := json.UnmarshalDecode(dec, v, json.RejectUnknownMembers(true)); err != nil {
		return explain(err)
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return &Error{Message: "the body holds more than one JSON value"}
	}
	return nil
}

// explain turns a decoding error into an *Error naming the field, in the dotted form the rest of the
// project names fields in (headquarters.line1, forEmails[2]).
func explain(err error) error {
	var semErr *json.SemanticError
	var synErr *jsontext.SyntacticError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Message: "the body is not valid JSON: it ends early"}
	case errors.As(err, &synErr) && errors.Is(synErr.Err, jsontext.ErrDuplicateName):
		field := fieldOf(synErr.JSONPointer)
		return &Error{Field: field, Message: field + " is given more than once"}
	case errors.As(err, &synErr):
		return &Error{Message: fmt.Sprintf("the body is not valid JSON (at byte %d)", synErr.ByteOffset)}
	case errors.As(err, &semErr) && errors.Is(semErr.Err, json.ErrUnknownName):
		field := fieldOf(semErr.JSONPointer)
		return &Error{Field: field, Message: field + " is not a known field (field names are case-sensitive)"}
	case errors.As(err, &semErr) && semErr.JSONPointer == "":
		return &Error{Message: "the body must be a JSON object"}
	case errors.As(err, &semErr) && semErr.GoType != nil:
		field := fieldOf(semErr.JSONPointer)
		return &Error{Field: field, Message: fmt.Sprintf("%s must be %s", field, kind(semErr.GoType.Kind().String()))}
	}
	return &Error{Message: "the body is not valid JSON: " + err.Error()}
}

// fieldOf writes a JSON pointer (/headquarters/line1, /forEmails/2) as a field name.
func fieldOf(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// kind names a Go kind the way a JSON author knows it.
func kind(k string) string {
	switch k {
	case "slice", "array":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	case "bool":
		return "a boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	}
	return "a " + k
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
