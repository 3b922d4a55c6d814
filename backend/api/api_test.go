package api

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestSpecIsValid lints openapi.yaml: it must load and validate as OpenAPI
// 3.1, every operation must have an operationId, a summary and a
// description (Spectral's operation-description), and every envelope schema
// the protocol names must exist.
func TestSpecIsValid(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(Spec)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("%s %s lacks an operationId, a summary or a description", method, path)
			}
		}
	}
	for _, name := range []string{"ClientEnvelope", "ServerEnvelope", "SendEnvelope", "PingEnvelope", "ReceiptEnvelope", "WelcomeEnvelope",
		"JoinedEnvelope", "MessageEnvelope", "PrivateEnvelope", "AckEnvelope", "PongEnvelope", "RoomsEnvelope", "RoomsChangedEnvelope",
		"UsersEnvelope", "EventEnvelope", "HelpEnvelope", "ErrorEnvelope", "ErrorResponse"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
}

// TestEveryComponentIsUsed: a schema, response or parameter under components
// that nothing refers to is dead weight or a forgotten link (Spectral's
// oas3-unused-component). The WebSocket envelopes are referred to from the
// /api/v1/ws operation.
func TestEveryComponentIsUsed(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(Spec)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	text := string(Spec)
	check := func(kind string, names []string) {
		for _, name := range names {
			if !strings.Contains(text, "'#/components/"+kind+"/"+name+"'") {
				t.Errorf("components/%s/%s is never referred to", kind, name)
			}
		}
	}
	check("schemas", slices.Collect(maps.Keys(doc.Components.Schemas)))
	check("responses", slices.Collect(maps.Keys(doc.Components.Responses)))
	check("parameters", slices.Collect(maps.Keys(doc.Components.Parameters)))
}
