package fulfillment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBody bounds a request body: a deposit or a control change is a few hundred bytes.
const maxBody = 64 << 10

// readBody is separate from decoding because the simulator must read the body before it waits out
// its latency: only then does the server notice a client that gave up, and cancel the request.
func readBody(r *http.Request) ([]byte, *errorDetail) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	switch {
	case err != nil:
		return nil, invalid("", "the request body could not be read")
	case len(body) > maxBody:
		return nil, invalid("", fmt.Sprintf("the request body is larger than %d KiB", maxBody>>10))
	}
	return body, nil
}

// decodeStrict rejects unknown fields and wrong types naming the field, so a caller's typo is a
// 400 it can fix rather than a field silently ignored.
func decodeStrict(body []byte, v any) *errorDetail {
	if len(bytes.TrimSpace(body)) == 0 {
		return invalid("", "the request body is empty; a JSON object is expected")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil && dec.More():
		return invalid("", "the body holds more than one JSON value")
	case err == nil:
		return nil
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return invalid("", "the body must be a JSON object")
	case errors.As(err, &typeErr):
		return invalid(typeErr.Field, fmt.Sprintf("%s must be a %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String())))
	case errors.As(err, &syntaxErr):
		return invalid("", fmt.Sprintf("the body is not valid JSON (at byte %d)", syntaxErr.Offset))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(field, field+" is not a known field")
	}
	return invalid("", "the body is not valid JSON: "+err.Error())
}

// jsonKind names a Go kind the way a JSON author knows it.
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

func invalid(field, message string) *errorDetail {
	return &errorDetail{Code: CodeInvalid, Field: field, Message: message}
}

// writeJSON answers v with status; an encoding failure can only be a bug, and the status is sent.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers {"error":{...}} with the status that goes with its code.
func writeError(w http.ResponseWriter, e *errorDetail) {
	writeJSON(w, errorStatus[e.Code], errorBody{Error: *e})
}

var errorStatus = map[string]int{
	CodeInvalid:     http.StatusBadRequest,
	CodeNotFound:    http.StatusNotFound,
	CodeConflict:    http.StatusConflict,
	CodeSKURejected: http.StatusUnprocessableEntity,
	CodeUnavailable: http.StatusServiceUnavailable,
}
