package api

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/apicontract"
)

var update = flag.Bool("update", false, "rewrite openapi.json from openapi.yaml and the handlers' types")

// The served document is what openapi.yaml and the handlers' types make: a field added to a view, or a
// route to the YAML, shows in the contract only once it is regenerated.
func TestOpenAPIDocumentIsGenerated(t *testing.T) {
	src, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := buildOpenAPI(src)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("openapi.json", doc, 0o644); err != nil {
			t.Fatal(err)
		}
		openAPIDocument = doc
	}
	if !bytes.Equal(doc, openAPIDocument) {
		t.Fatal("openapi.json is not what openapi.yaml and the Go types make: " +
			"go test ./api -run TestOpenAPIDocumentIsGenerated -update")
	}
	// OpenAPI 3.1 with valid schemas and examples, whose routes a validator can match.
	if _, err := apicontract.Load(doc); err != nil {
		t.Fatal(err)
	}
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// Every route of /api/v1 the router serves is in the document, and every operation of the document is a
// route the router serves.
func TestOpenAPIRoutesMatchRouter(t *testing.T) {
	c, err := apicontract.Load(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	engine := New(Options{}).Handler().(*gin.Engine)
	var served []string
	for _, r := range engine.Routes() {
		if strings.HasPrefix(r.Path, apicontract.Prefix) {
			served = append(served, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
		}
	}
	var documented []string
	for path, item := range c.Doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not in openapi.yaml", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("%s is in openapi.yaml but not served", r)
		}
	}
	if len(served) < 40 {
		t.Errorf("only %d routes under %s: %v", len(served), apicontract.Prefix, served)
	}
}

// The contract is served to anyone, before sign-in, as the embedded document, and its own answer
// matches it.
func TestOpenAPIServedWithoutSignIn(t *testing.T) {
	c, err := apicontract.Load(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, OpenAPIPath, nil)
	rec := httptest.NewRecorder()
	New(Options{}).Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), openAPIDocument) {
		t.Fatalf("GET %s: %d, %d bytes", OpenAPIPath, rec.Code, rec.Body.Len())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if err := c.Check(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
		t.Error(err)
	}
}
