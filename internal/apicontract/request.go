package apicontract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// CheckRequest validates the body a client sends with req against the operation the document gives its
// route, so a test cannot rely on a request shape the document does not describe (a member it does not
// name, a required one left out, a body where the operation takes none). A path outside /api/v1 or a
// route the document does not know is not checked here: Check reports the latter on the answer.
func (c *Contract) CheckRequest(req *http.Request, body []byte) error {
	if !strings.HasPrefix(req.URL.Path, Prefix) {
		return nil
	}
	r := req.Clone(req.Context())
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	r.GetBody = nil
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		return nil
	}
	op := route.Operation
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		if len(body) > 0 {
			return fmt.Errorf("%s %s (%s) takes no body in the OpenAPI document, but was sent: %s",
				req.Method, req.URL.Path, op.OperationID, clip(body))
		}
		return nil
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, SkipSettingDefaults: true,
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequestBody(req.Context(), in, op.RequestBody.Value); err != nil {
		return fmt.Errorf("%s %s (%s) sent a body the OpenAPI document does not describe: %w\nbody: %s",
			req.Method, req.URL.Path, op.OperationID, err, clip(body))
	}
	return nil
}
