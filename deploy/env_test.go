package deploy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/licensecentral/clc/internal/config"
)

// notYetInConfig are variables the deployment files set before config.Load reads them, each with the
// change that adds it. The check tolerates exactly these names; remove one once config.Load reads it
// (TestNotYetInConfigIsCurrent says so).
var notYetInConfig = map[string]string{}

var (
	configNamesOnce sync.Once
	configNames     map[string]bool
)

// configEnv is every variable config.Load reads, recorded by calling it with a getenv that notes each
// name: the names come from the code that reads them, not from a copy of the list.
func configEnv() map[string]bool {
	configNamesOnce.Do(func() {
		configNames = map[string]bool{}
		_, _ = config.Load(func(name string) string { configNames[name] = true; return "" })
	})
	return configNames
}

// knownEnv says whether the binaries read name (or it is one of notYetInConfig).
func knownEnv(name string) bool {
	_, pending := notYetInConfig[name]
	return configEnv()[name] || pending
}

func TestNotYetInConfigIsCurrent(t *testing.T) {
	if len(configEnv()) < 10 {
		t.Fatalf("config.Load read only %v: the recording getenv misses names", configEnv())
	}
	for name := range notYetInConfig {
		if configEnv()[name] {
			t.Logf("config.Load reads %s now: remove it from notYetInConfig in deploy/env_test.go", name)
		}
	}
}

// loadConfig runs the configuration the binary would get from env through config.Load and the check
// cmd/clc makes for command (api needs auth, all three need the database).
func loadConfig(command string, env map[string]string) error {
	c, err := config.Load(func(name string) string { return env[name] })
	if err != nil {
		return err
	}
	return c.Check(true, command == "api")
}

// listenPort is the port `clc command` serves HTTP on in env (CLC_LISTEN_ADDR for the api, the probes'
// CLC_WORKER_LISTEN_ADDR for the worker, each's default when unset), with the variable's name; 0 for a
// command that serves none.
func listenPort(command string, env map[string]string) (int, string, error) {
	c, err := config.Load(func(name string) string { return env[name] })
	if err != nil {
		return 0, "", err
	}
	addr, name := "", ""
	switch command {
	case "api":
		addr, name = c.ListenAddr, "CLC_LISTEN_ADDR"
	case "worker":
		addr, name = c.WorkerListenAddr, "CLC_WORKER_LISTEN_ADDR"
	}
	if addr == "" {
		return 0, name, nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, name, err
	}
	p, err := strconv.Atoi(port)
	return p, name, err
}

// clcCommands are the subcommands cmd/clc dispatches on: the string cases of the switch in its run.
func clcCommands(t *testing.T) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../cmd/clc/main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "run" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if cc, ok := n.(*ast.CaseClause); ok {
				for _, e := range cc.List {
					if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if s, err := strconv.Unquote(lit.Value); err == nil {
							out[s] = true
						}
					}
				}
			}
			return true
		})
		return false
	})
	for _, want := range []string{"api", "worker", "migrate"} {
		if !out[want] {
			t.Fatalf("cmd/clc/main.go: no %q command among %v", want, sortedKeys(out))
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
