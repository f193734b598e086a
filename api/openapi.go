package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the API's contract, OpenAPI 3.1: generated from openapi.yaml and the handlers'
// types (see openapi_gen_test.go), checked against the router and against every answer of the
// end-to-end tests.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument is the contract served at GET /api/v1/openapi.json, for the tests that check
// answers against it.
func OpenAPIDocument() []byte { return openAPIDocument }

// OpenAPIPath is where the contract is served; it needs no sign-in.
const OpenAPIPath = "/api/v1/openapi.json"

func serveOpenAPI(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json", openAPIDocument)
}
