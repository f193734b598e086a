// Package apicontract checks HTTP answers against the API's OpenAPI document (api/openapi.json) with
// kin-openapi: the route must be in the document, the status among the operation's, and the body match
// its schema. The end-to-end tests put Transport in front of every request they make, so every answer
// of /api/v1 they see is checked.
package apicontract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Prefix is the part of the URL space the document describes.
const Prefix = "/api/v1/"

// Contract is a loaded, validated document and its router.
type Contract struct {
	Doc    *openapi3.T
	router routers.Router
}

// Load parses and validates the document (examples included) and builds its router.
func Load(doc []byte) (*Contract, error) {
	l := openapi3.NewLoader()
	t, err := l.LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi document is not valid: %w", err)
	}
	r, err := gorillamux.NewRouter(t)
	if err != nil {
		return nil, fmt.Errorf("openapi routes: %w", err)
	}
	return &Contract{Doc: t, router: r}, nil
}

// Check validates one answer to req. A path outside /api/v1 is not checked. A path the document does
// not know is an error unless it was answered 404 or 405 (a test asking for what does not exist).
func (c *Contract) Check(req *http.Request, status int, header http.Header, body []byte) error {
	if !strings.HasPrefix(req.URL.Path, Prefix) {
		return nil
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return nil
		}
		return fmt.Errorf("%s %s answered %d is not in the OpenAPI document: %w", req.Method, req.URL.Path, status, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return fmt.Errorf("%s %s answered %d against the OpenAPI document (%s): %w\nbody: %s",
			req.Method, req.URL.Path, status, route.Operation.OperationID, err, clip(body))
	}
	return nil
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// Transport checks every answer that passes through it; a mismatch is the round trip's error, so the
// caller's request fails with what differs.
func (c *Contract) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{c: c, next: next}
}

type roundTripper struct {
	c    *Contract
	next http.RoundTripper
}

// ErrContract marks an answer that does not match the document.
var ErrContract = errors.New("answer breaks the API contract")

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || !strings.HasPrefix(req.URL.Path, Prefix) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := t.c.Check(req, resp.StatusCode, resp.Header, body); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrContract, err)
	}
	return resp, nil
}
