package deploy

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

const composeFile = "../docker-compose.yml"

// composeServices are the services the README names: PostgreSQL, the Temporal cluster and its UI,
// Mailpit, and License Central's migrate, api and worker.
var composeServices = []string{"postgres", "temporal", "temporal-ui", "mailpit", "migrate", "api", "worker"}

// loadCompose parses a compose file the way `docker compose config` does (schema validation,
// interpolation, depends_on consistency), with an empty environment so the host's cannot change it.
func loadCompose(data []byte) (*types.Project, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return nil, err
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, "docker-compose.yml"), Content: data}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("clc", true) })
}

// checkCompose reports what in p would not run: missing services, dangling references, variables the
// binaries do not read, settings config.Load refuses, files that are not there.
func checkCompose(p *types.Project, commands map[string]bool) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, name := range composeServices {
		if _, ok := p.Services[name]; !ok {
			bad("service %s is missing (the README names it)", name)
		}
	}
	for _, name := range sortedKeys(p.Services) {
		s := p.Services[name]
		for dep := range s.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				bad("%s depends on %s, which is no service", name, dep)
			}
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				if _, err := os.Stat(v.Source); err != nil {
					bad("%s mounts %s: %v", name, v.Source, err)
				}
			}
		}
		if s.Build == nil {
			continue
		}
		// Built from this repository: the clc image, run with one of its commands.
		if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
			bad("%s builds with %s: %v", name, s.Build.Dockerfile, err)
		}
		if len(s.Command) != 1 || !commands[s.Command[0]] {
			bad("%s runs %q, not one clc command of %v", name, []string(s.Command), sortedKeys(commands))
			continue
		}
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
			if strings.HasPrefix(k, "CLC_") && !knownEnv(k) {
				bad("%s sets %s, which config.Load does not read", name, k)
			}
		}
		if err := loadConfig(s.Command[0], env); err != nil {
			bad("%s (%s): config: %v", name, s.Command[0], err)
		}
		// The hosts the settings name are services of this file.
		hosts := map[string]string{"CLC_SMTP_HOST": env["CLC_SMTP_HOST"]}
		if h, _, err := net.SplitHostPort(env["CLC_TEMPORAL_ADDRESS"]); err == nil {
			hosts["CLC_TEMPORAL_ADDRESS"] = h
		}
		if u, err := url.Parse(env["CLC_DATABASE_URL"]); err == nil {
			hosts["CLC_DATABASE_URL"] = u.Hostname()
		}
		for _, k := range sortedKeys(hosts) {
			if _, ok := p.Services[hosts[k]]; !ok {
				bad("%s: %s names host %q, which is no service", name, k, hosts[k])
			}
		}
		switch s.Command[0] {
		case "api", "worker":
			// The migration runs first, as the Kubernetes Job does.
			if d, ok := s.DependsOn["migrate"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
				bad("%s must depend on migrate with condition %s", name, types.ServiceConditionCompletedSuccessfully)
			}
		}
		if s.Command[0] == "api" {
			port, _, err := listenPort("api", env)
			published := false
			for _, pc := range s.Ports {
				published = published || int(pc.Target) == port
			}
			if err == nil && !published {
				bad("%s listens on %d, which it does not publish (%v)", name, port, s.Ports)
			}
		}
	}
	return problems
}

func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadCompose(data)
	if err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, problem := range checkCompose(p, clcCommands(t)) {
		t.Error("docker-compose.yml: " + problem)
	}
}

// TestComposeChecksCatch breaks docker-compose.yml in the ways the checks exist for, and expects each
// to be reported.
func TestComposeChecksCatch(t *testing.T) {
	data, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	commands := clcCommands(t)
	for _, c := range []struct{ name, old, new, want string }{
		{"misspelt key", "    environment: *clc-env\n    ports:", "    enviroment: *clc-env\n    ports:", "enviroment"},
		{"unknown variable", "CLC_SMTP_TLS: none", "CLC_SMTP_TLS: none\n      CLC_SMTP_TLS_MODE: none", "CLC_SMTP_TLS_MODE"},
		{"bad value", "CLC_SMTP_TLS: none", "CLC_SMTP_TLS: never", "CLC_SMTP_TLS"},
		{"dangling depends_on", "depends_on: [temporal]", "depends_on: [temporal-frontend]", "temporal-frontend"},
		{"host no service", "CLC_SMTP_HOST: mailpit", "CLC_SMTP_HOST: mail", `"mail"`},
		{"missing service", "  mailpit:\n    image: axllent/mailpit:v1.21\n    ports: [\"8025:8025\"]\n", "", "service mailpit is missing"},
		{"missing bind source", "./deploy/temporal-dynamicconfig.yaml", "./deploy/temporal.yaml", "temporal.yaml"},
		{"unknown command", `command: ["worker"]`, `command: ["work"]`, `"work"`},
		{"no migration first", "      migrate: {condition: service_completed_successfully}\n      temporal: {condition: service_started}\n\n  worker:",
			"      temporal: {condition: service_started}\n\n  worker:", "api must depend on migrate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			broken := strings.Replace(string(data), c.old, c.new, 1)
			if broken == string(data) {
				t.Fatalf("docker-compose.yml has no %q any more: update this case", c.old)
			}
			var report string
			if p, err := loadCompose([]byte(broken)); err != nil {
				report = err.Error()
			} else {
				report = strings.Join(checkCompose(p, commands), "\n")
			}
			if !strings.Contains(report, c.want) {
				t.Errorf("want a problem naming %s, got %q", c.want, report)
			}
		})
	}
}
