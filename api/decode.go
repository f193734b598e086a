package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/jsonbody"
	"github.com/licensecentral/clc/models"
)

// This file is the one decoding layer of every input: JSON bodies, posted forms, path parameters and
// query strings. Each refuses text with control characters (a NUL byte poisons the database; bidi
// overrides reorder mail subjects) with a 400 naming the field, so nothing behind it ever sees one.
// Text fields that may hold line breaks are marked `text:"multiline"` in JSON bodies, and listed in
// multilineFields for forms.

// DefaultMaxBodyBytes bounds a request body when Options.MaxBodyBytes is zero: the largest body of
// the API, an order of a thousand lines, is a few hundred KiB.
const DefaultMaxBodyBytes = 1 << 20

// limitBody bounds the body of every request, whatever route it is for: one that says it is longer is
// refused before anything else (413), and one that does not say is cut at the limit where it is read,
// with the same 413 (DecodeJSON, readForm).
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.maxBody {
		s.refuseInput(c, tooLarge(jsonbody.TooLarge(s.maxBody)))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBody)
	c.Next()
}

func tooLarge(e *jsonbody.Error) error {
	return &models.Error{Code: models.CodeTooLarge, Message: e.Message}
}

// DecodeJSON reads a JSON body strictly (internal/jsonbody): a body not declared as JSON is a 415, one
// over the limit a 413; unknown, mis-cased or repeated fields and wrong types are 400s naming the
// field, and so is text with control characters. It is exported for the routes mounted through
// Options.Extra (the dev stack's), which answer its errors with WriteError.
func DecodeJSON(r *http.Request, v any) error {
	err := jsonbody.MediaType(r.Header.Get("Content-Type"))
	var body []byte
	if err == nil {
		body, err = jsonbody.Read(r.Body, 0) // limitBody bounds every body
	}
	if err == nil {
		err = jsonbody.Decode(body, v)
	}
	var e *jsonbody.Error
	switch {
	case errors.As(err, &e) && e.TooLarge:
		return tooLarge(e)
	case errors.As(err, &e) && e.NotJSON:
		return &models.Error{Code: models.CodeNotJSON, Message: e.Message}
	case errors.As(err, &e):
		return models.Invalid(e.Field, "%s", e.Message)
	}
	return checkValue(reflect.ValueOf(v), "", false)
}

// readForm reads a posted form and refuses control characters in it; a form over the limit is a 413.
func readForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		var over *http.MaxBytesError
		if errors.As(err, &over) {
			return nil, tooLarge(jsonbody.TooLarge(over.Limit))
		}
		return nil, models.Invalid("", "the form could not be read")
	}
	return r.PostForm, checkForm(r.PostForm)
}

// bind reads the route's account for the caller (with load: the caller may see it, or find it) and
// then the JSON body into B: the two steps every write to an account starts with, in this order, so a
// stranger is answered 404 whatever they sent.
func bind[B any](c *gin.Context, load func(*gin.Context) (caller, error)) (caller, B, error) {
	var body B
	who, err := load(c)
	if err == nil {
		err = DecodeJSON(c.Request, &body)
	}
	return who, body, err
}

// checkValue walks a decoded value and refuses the first text with control characters, naming its
// JSON path (headquarters.line1, forEmails[2]).
func checkValue(v reflect.Value, path string, multiline bool) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkValue(v.Elem(), path, multiline)
	case reflect.String:
		return models.CheckText(path, v.String(), multiline)
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := checkValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i), multiline); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			name := join(path, fmt.Sprint(k))
			if err := models.CheckText(name, fmt.Sprint(k), false); err != nil {
				return err
			}
			if err := checkValue(v.MapIndex(k), name, multiline); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			child := path
			if !f.Anonymous || name != "" {
				if name == "" {
					name = f.Name
				}
				child = join(path, name)
			}
			if err := checkValue(v.Field(i), child, f.Tag.Get("text") == "multiline"); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// multilineFields are the form fields that may hold line breaks: the free text a person types, and the
// lists of emails typed one a line.
var multilineFields = []string{"reason", "note", "nominees", "forEmails"}

// checkForm refuses a posted form with control characters in any field, naming it.
func checkForm(values url.Values) error {
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := models.CheckText(name, name, false); err != nil {
			return err
		}
		for _, v := range values[name] {
			if err := models.CheckText(name, v, slices.Contains(multilineFields, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRequest refuses a request whose path or query holds control characters: an id with a NUL byte
// names nothing that can exist (404, as any unknown id), a query parameter is bad input (400 naming it).
// Neither reaches the database, which would refuse the byte with an error.
func (s *Server) checkRequest(c *gin.Context) {
	for _, p := range c.Params {
		if models.HasControl(p.Value, false) {
			s.refuseInput(c, &models.Error{Code: models.CodeNotFound, Field: p.Key,
				Message: "no such " + p.Key + ": the address holds control characters"})
			return
		}
	}
	if err := checkForm(c.Request.URL.Query()); err != nil {
		s.refuseInput(c, err)
		return
	}
	c.Next()
}

// refuseInput answers bad input as the route's kind of client expects: the page of an emailed link, or
// the API's JSON error.
func (s *Server) refuseInput(c *gin.Context, err error) {
	if strings.HasPrefix(c.FullPath(), "/a/") {
		s.renderError(c, err, nil)
		c.Abort()
		return
	}
	s.writeError(c, err)
}
