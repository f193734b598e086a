package deploy

import (
	"os"
	"testing"

	"go.temporal.io/server/common/dynamicconfig"
)

// TestTemporalDynamicConfig loads the dynamic config docker-compose.yml mounts into the Temporal
// server with the server's own loader, and takes its warnings (a key it does not know, a value of the
// wrong type) as failures: the server would only log them and run without the setting. The registry
// is the one of go.temporal.io/server in go.mod, which may be newer than the image docker-compose.yml
// runs; keys registered outside package dynamicconfig would show as unknown here.
func TestTemporalDynamicConfig(t *testing.T) {
	data, err := os.ReadFile("temporal-dynamicconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lr := dynamicconfig.LoadYamlFile(data)
	if err := lr.Err(); err != nil {
		t.Errorf("temporal-dynamicconfig.yaml: %v", err)
	}
	for _, w := range lr.Warnings {
		t.Errorf("temporal-dynamicconfig.yaml: %v", w)
	}
	if len(lr.Map) == 0 {
		t.Errorf("temporal-dynamicconfig.yaml sets nothing")
	}
}
