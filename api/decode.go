package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/licensecentral/clc/models"
)

const maxBody = 1 << 20

// decodeJSON reads a JSON body strictly: unknown fields and wrong types are 400s naming the field.
func decodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return models.Invalid("", "the request body could not be read")
	}
	if len(body) > maxBody {
		return models.Invalid("", "the request body is larger than 1 MiB")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return models.Invalid("", "the request body is empty; a JSON object is expected")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			return models.Invalid(typeErr.Field, "%s must be a %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
		case errors.As(err, &syntaxErr):
			return models.Invalid("", "the body is not valid JSON (at byte %d)", syntaxErr.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return models.Invalid(field, "%s is not a known field", field)
		}
		return models.Invalid("", "the body is not valid JSON: %v", err)
	}
	if dec.More() {
		return models.Invalid("", "the body holds more than one JSON value")
	}
	return nil
}

func jsonKind(k string) string {
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
