package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// This file builds openapi.json, the API's contract: the paths, parameters, responses and the few
// shapes the handlers answer as gin.H are written in openapi.yaml; every schema of a Go type the
// handlers decode or answer is generated here from the type itself (schemaTypes), so a field added to
// a view or a request body shows in the document, and TestOpenAPIDocumentIsGenerated fails until
// `go test ./api -run TestOpenAPIDocumentIsGenerated -update` rewrites it.

// componentRef is where a generated schema is found.
func componentRef(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// schemaGen turns Go types into JSON Schema 2020-12 (OpenAPI 3.1) as encoding/json writes and
// internal/jsonbody reads them.
type schemaGen struct {
	names   map[reflect.Type]string
	request map[reflect.Type]bool
	// required lists, for request bodies, the members a handler refuses to go without.
	required map[reflect.Type][]string
	enums    map[reflect.Type][]string
	// echo marks answers that repeat the caller's input as it came: their text is not held to an enum.
	echo map[reflect.Type]bool
}

// typeSchema is the schema of a value of type t; registered named types are referenced, others inline.
func (g *schemaGen) typeSchema(t reflect.Type, inline bool) map[string]any {
	if name, ok := g.names[t]; ok && !inline {
		return componentRef(name)
	}
	switch t {
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[json.RawMessage]():
		// Any JSON value, null included (a handler that reads the member itself). The items of any kind
		// are said: the linter refuses "array" without them.
		return map[string]any{"type": []string{"null", "boolean", "number", "string", "array", "object"}, "items": map[string]any{}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.typeSchema(t.Elem(), false)
	case reflect.String:
		s := map[string]any{"type": "string"}
		if values, ok := g.enums[t]; ok {
			s["enum"] = values
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.typeSchema(t.Elem(), false)}
	case reflect.Map:
		s := map[string]any{"type": "object", "additionalProperties": g.typeSchema(t.Elem(), false)}
		if values, ok := g.enums[t.Key()]; ok {
			s["propertyNames"] = map[string]any{"enum": values}
		}
		return s
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		return g.structSchema(t)
	}
	panic(fmt.Sprintf("openapi: no schema for %s", t))
}

// structSchema lists the members encoding/json writes: embedded structs flattened, `-` left out. A
// member without omitempty/omitzero is always written, so it is required in an answer; a pointer
// without them may be null. No other member is allowed: answers have only these, and request bodies
// refuse members they do not know.
func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.members(t, props, &required, g.echo[t])
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if g.request[t] {
		required = g.required[t]
	}
	if len(required) > 0 {
		slices.Sort(required)
		s["required"] = required
	}
	return s
}

func (g *schemaGen) members(t reflect.Type, props map[string]any, required *[]string, echo bool) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			g.members(f.Type, props, required, echo)
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		s := g.typeSchema(f.Type, false)
		if echo && f.Type.Kind() == reflect.String {
			s = map[string]any{"type": "string"}
		}
		if f.Type.Kind() == reflect.Pointer && !optional {
			s = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		}
		props[name] = s
		if !optional {
			*required = append(*required, name)
		}
	}
}

// buildOpenAPI is openapi.yaml with the generated schemas added to its components, as indented JSON.
func buildOpenAPI(source []byte) ([]byte, error) {
	js, err := yaml.YAMLToJSON(source)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js, &doc); err != nil {
		return nil, err
	}
	g := &schemaGen{names: map[reflect.Type]string{}, request: map[reflect.Type]bool{},
		required: map[reflect.Type][]string{}, enums: schemaEnums, echo: map[reflect.Type]bool{}}
	for _, st := range schemaTypes {
		t := reflect.TypeOf(st.value)
		g.names[t] = st.name
		g.echo[t] = st.echo
		if st.request {
			g.request[t] = true
			g.required[t] = st.required
		}
	}
	// The anchors the operations merge their error answers from have done their work.
	for k := range doc {
		if strings.HasPrefix(k, "x-") {
			delete(doc, k)
		}
	}
	components, _ := doc["components"].(map[string]any)
	if components == nil {
		return nil, fmt.Errorf("openapi.yaml has no components")
	}
	schemas, _ := components["schemas"].(map[string]any)
	if schemas == nil {
		schemas = map[string]any{}
		components["schemas"] = schemas
	}
	for _, st := range schemaTypes {
		if _, taken := schemas[st.name]; taken {
			return nil, fmt.Errorf("schema %s is both written in openapi.yaml and generated from %T", st.name, st.value)
		}
		s := g.typeSchema(reflect.TypeOf(st.value), true)
		if st.description != "" {
			s["description"] = st.description
		}
		schemas[st.name] = s
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
