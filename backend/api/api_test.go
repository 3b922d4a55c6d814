package api

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestSpecIsValid lints openapi.yaml: it must load and validate as OpenAPI
// 3.1, every operation must have an operationId, and every envelope schema
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
			if op.OperationID == "" || op.Summary == "" {
				t.Errorf("%s %s lacks an operationId or summary", method, path)
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
