package jsonbody

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type address struct {
	Line1 string `json:"line1"`
}

type request struct {
	Name         string   `json:"name"`
	Quantity     int      `json:"quantity"`
	Emails       []string `json:"emails"`
	Headquarters address  `json:"headquarters"`
}

// Each body a lax decoder would take (encoding/json keeps the last of a name given twice and matches
// names whatever their case) is refused, naming the field.
func TestDecodeRefusesWhatALaxDecoderTakes(t *testing.T) {
	for body, want := range map[string]Error{
		`{"name":"a","name":"b"}`:                    {Field: "name", Message: "name is given more than once"},
		`{"headquarters":{"line1":"a","line1":"b"}}`: {Field: "headquarters.line1", Message: "headquarters.line1 is given more than once"},
		`{"NAME":"a"}`:                               {Field: "NAME", Message: "NAME is not a known field (field names are case-sensitive)"},
		`{"headquarters":{"Line1":"a"}}`:             {Field: "headquarters.Line1", Message: "headquarters.Line1 is not a known field (field names are case-sensitive)"},
		`{"nickname":"a"}`:                           {Field: "nickname", Message: "nickname is not a known field (field names are case-sensitive)"},
		`{"quantity":"2"}`:                           {Field: "quantity", Message: "quantity must be a number"},
		`{"emails":["a",2]}`:                         {Field: "emails[1]", Message: "emails[1] must be a string"},
		`{"headquarters":"1 Main St"}`:               {Field: "headquarters", Message: "headquarters must be an object"},
		`["name"]`:                                   {Message: "the body must be a JSON object"},
		`{"name":"a"} {"name":"b"}`:                  {Message: "the body holds more than one JSON value"},
		"  \n":                                       {Message: "the request body is empty; a JSON object is expected"},
		`{"name":"a"`:                                {Message: "the body is not valid JSON: it ends early"},
		`{"name":"a",}`:                              {Message: "the body is not valid JSON (at byte 11)"},
		"{\"name\":\"\xff\"}":                        {Message: "the body is not valid JSON (at byte 9)"},
	} {
		var v request
		err := Decode([]byte(body), &v)
		var e *Error
		if !errors.As(err, &e) || e.Field != want.Field || e.Message != want.Message || e.TooLarge || e.NotJSON {
			t.Errorf("%q: %#v, want %#v", body, err, want)
		}
	}
	var v request
	if err := Decode([]byte(`{"name":"Acme","quantity":2,"emails":["a@b.c"],"headquarters":{"line1":"1 Main St"}}`), &v); err != nil ||
		v.Name != "Acme" || v.Quantity != 2 || v.Emails[0] != "a@b.c" || v.Headquarters.Line1 != "1 Main St" {
		t.Errorf("a good body: %v, %+v", err, v)
	}
}

func TestMediaType(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/json": true, "application/json; charset=utf-8": true, "Application/JSON; charset=UTF-8": true,
		"application/merge-patch+json": true,
		"text/plain":                   false, "text/plain; charset=utf-8": false, "application/x-www-form-urlencoded": false,
		"multipart/form-data; boundary=x": false, "": false, "application/json; charset=latin1": false, "json": false,
	} {
		err := MediaType(ct)
		var e *Error
		if ok != (err == nil) || (!ok && (!errors.As(err, &e) || !e.NotJSON)) {
			t.Errorf("%q: %v", ct, err)
		}
	}
	if err := MediaType("text/plain"); !strings.Contains(err.Error(), `"text/plain"`) {
		t.Errorf("the refusal does not say what was sent: %v", err)
	}
}

// A body over the limit is TooLarge whether Read bounds it or the server did, with the limit said.
func TestReadTooLarge(t *testing.T) {
	if _, err := Read(strings.NewReader(strings.Repeat("x", 11)), 10); !tooLarge(err, "10 bytes") {
		t.Errorf("own limit: %v", err)
	}
	if b, err := Read(strings.NewReader(strings.Repeat("x", 10)), 10); err != nil || len(b) != 10 {
		t.Errorf("at the limit: %d bytes, %v", len(b), err)
	}
	r := http.MaxBytesReader(httptest.NewRecorder(), readCloser{strings.NewReader(strings.Repeat("x", 2<<10))}, 1<<10)
	if _, err := Read(r, 0); !tooLarge(err, "1 KiB") {
		t.Errorf("the server's limit: %v", err)
	}
}

func tooLarge(err error, limit string) bool {
	var e *Error
	return errors.As(err, &e) && e.TooLarge && strings.HasSuffix(e.Message, limit)
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
