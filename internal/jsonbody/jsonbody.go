// Package jsonbody reads JSON request bodies strictly, in one way for every server of the project:
// a bounded size, one JSON value, no unknown fields, and each mistake named by the field it is about,
// so a client's typo is a 400 it can fix rather than a field silently ignored.
package jsonbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Error is what is wrong with a body: the field at fault (empty for the body as a whole) and a message
// written for the person who sent it. TooLarge marks a body over the limit.
type Error struct {
	Field    string
	Message  string
	TooLarge bool
}

func (e *Error) Error() string { return e.Message }

// Read reads at most limit bytes of a body; a longer one is an Error with TooLarge set.
func Read(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	switch {
	case err != nil:
		return nil, &Error{Message: "the request body could not be read"}
	case int64(len(body)) > limit:
		return nil, &Error{Message: fmt.Sprintf("the request body is larger than %s", size(limit)), TooLarge: true}
	}
	return body, nil
}

// Decode decodes one JSON value into v, refusing an empty body, unknown fields, wrong types and
// trailing data, each with an *Error naming what is wrong.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &Error{Message: "the request body is empty; a JSON object is expected"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil && dec.More():
		return &Error{Message: "the body holds more than one JSON value"}
	case err == nil:
		return nil
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return &Error{Message: "the body must be a JSON object"}
	case errors.As(err, &typeErr):
		return &Error{Field: typeErr.Field, Message: fmt.Sprintf("%s must be a %s", typeErr.Field, kind(typeErr.Type.Kind().String()))}
	case errors.As(err, &syntaxErr):
		return &Error{Message: fmt.Sprintf("the body is not valid JSON (at byte %d)", syntaxErr.Offset)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &Error{Field: field, Message: field + " is not a known field"}
	}
	return &Error{Message: "the body is not valid JSON: " + err.Error()}
}

// kind names a Go kind the way a JSON author knows it.
func kind(k string) string {
	switch k {
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "object"
	case "bool":
		return "boolean"
	case "int", "int64", "float64", "uint":
		return "number"
	}
	return k
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
