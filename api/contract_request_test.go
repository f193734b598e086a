package api_test

import (
	"net/http"
)

// badBody is a request body a test sends knowing the OpenAPI document does not describe it (malformed
// JSON, a member left out or of the wrong type, a body where none is taken), to see the handler refuse
// it. Only such bodies skip the request check in harness.do.
type badBody struct{ body any }

// deliberatelyBad marks body as one the document does not describe, on purpose.
func deliberatelyBad(body any) badBody { return badBody{body} }

// unwrapBad returns the body to send and whether the test marked it deliberately bad.
func unwrapBad(body any) (any, bool) {
	if b, ok := body.(badBody); ok {
		return b.body, true
	}
	return body, false
}

// checkRequest fails the test on a request body the OpenAPI document does not describe: a handler test
// that sends what the document does not say a client may send proves nothing a client can rely on
// (issue 9: the tests' traffic validated against the document, requests as well as answers).
func (h *harness) checkRequest(req *http.Request, raw []byte) {
	h.t.Helper()
	c, err := contract()
	if err != nil {
		h.t.Fatalf("%v", err)
	}
	if err := c.CheckRequest(req, raw); err != nil {
		h.t.Errorf("request breaks the API contract: %v", err)
	}
}
