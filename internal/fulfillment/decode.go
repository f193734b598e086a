package fulfillment

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/licensecentral/clc/internal/jsonbody"
)

// maxBody bounds a request body: a deposit or a control change is a few hundred bytes.
const maxBody = 64 << 10

// readBody is separate from decoding because the simulator must read the body before it waits out
// its latency: only then does the server notice a client that gave up, and cancel the request.
func readBody(r *http.Request) ([]byte, *errorDetail) {
	body, err := jsonbody.Read(r.Body, maxBody)
	if err != nil {
		return nil, invalid("", err.Error())
	}
	return body, nil
}

// decodeStrict rejects unknown fields and wrong types naming the field.
func decodeStrict(body []byte, v any) *errorDetail {
	var e *jsonbody.Error
	if err := jsonbody.Decode(body, v); errors.As(err, &e) {
		return invalid(e.Field, e.Message)
	}
	return nil
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
