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

const maxBody = 1 << 20

// decodeJSON reads a JSON body strictly: unknown fields and wrong types are 400s naming the field, and
// so is text with control characters.
func decodeJSON(r *http.Request, v any) error {
	body, err := jsonbody.Read(r.Body, maxBody)
	if err == nil {
		err = jsonbody.Decode(body, v)
	}
	var e *jsonbody.Error
	if errors.As(err, &e) {
		return models.Invalid(e.Field, "%s", e.Message)
	}
	return checkValue(reflect.ValueOf(v), "", false)
}

// bind reads the route's account for the caller (with load: the caller may see it, or find it) and
// then the JSON body into B: the two steps every write to an account starts with, in this order, so a
// stranger is answered 404 whatever they sent.
func bind[B any](c *gin.Context, load func(*gin.Context) (caller, error)) (caller, B, error) {
	var body B
	who, err := load(c)
	if err == nil {
		err = decodeJSON(c.Request, &body)
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

// multilineFields are the form fields that may hold line breaks: the free text a person types.
var multilineFields = []string{"reason", "note"}

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
