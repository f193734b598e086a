package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	tlog "go.temporal.io/server/common/log"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/protobuf/types/known/durationpb"
)

// postgresShards is the shard count on PostgreSQL, where shards write in parallel.
const postgresShards = 8

// postgresStore creates (when missing) and migrates the two databases a Temporal server keeps on
// PostgreSQL, the way the server's auto-setup does: version tables at 0.0, then every versioned step.
func postgresStore(rawURL string, maxConns int) (persistence, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return persistence{}, fmt.Errorf("temporal database URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		name = "temporal"
	}
	password, _ := u.User.Password()
	base := config.SQL{PluginName: pgplugin.PluginName, ConnectAddr: u.Host, ConnectProtocol: "tcp",
		User: u.User.Username(), Password: password, MaxConns: maxConns, MaxIdleConns: maxConns}
	stores := map[string]config.DataStore{}
	for _, db := range []struct{ store, name, schema string }{
		{"default", name, "postgresql/v12/temporal"},
		{"visibility", name + "_visibility", "postgresql/v12/visibility"},
	} {
		cfg := base
		cfg.DatabaseName = db.name
		if err := migratePostgres(cfg, db.schema); err != nil {
			return persistence{}, fmt.Errorf("temporal database %s: %w", db.name, err)
		}
		c := cfg
		stores[db.store] = config.DataStore{SQL: &c}
	}
	return persistence{register: true, cfg: config.Persistence{DefaultStore: "default", VisibilityStore: "visibility",
		NumHistoryShards: postgresShards, DataStores: stores}}, nil
}

func migratePostgres(cfg config.SQL, schemaName string) error {
	logger := tlog.NewNoopLogger()
	create := cfg
	if err := sqltool.DoCreateDatabase(&create, "postgres", logger); err != nil && !strings.Contains(err.Error(), "already exists") {
		return err
	}
	conn, err := sqltool.NewConnection(&cfg, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ReadSchemaVersion(); err != nil {
		setup := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger)
		if err := setup.Run(); err != nil {
			return fmt.Errorf("schema version tables: %w", err)
		}
	}
	update := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: cfg.DatabaseName, SchemaName: schemaName}, logger)
	if err := update.Run(); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}

// registerNamespace creates the namespace and its search attributes through the API, as an operator
// would on a real cluster; both are left alone when they exist.
func (s *Server) registerNamespace(attrs map[string]enumspb.IndexedValueType, retention time.Duration) error {
	return s.withClient(func(ctx context.Context, c client.Client) error {
		return s.register(ctx, c, attrs, retention)
	})
}

// register is registerNamespace's work on a client, within ctx.
func (s *Server) register(ctx context.Context, c client.Client, attrs map[string]enumspb.IndexedValueType,
	retention time.Duration) error {
	_, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: s.ns, WorkflowExecutionRetentionPeriod: durationpb.New(retention)})
	var exists *serviceerror.NamespaceAlreadyExists
	switch {
	case errors.As(err, &exists):
		if err := s.retain(ctx, c, retention); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("register namespace %s: %w", s.ns, err)
	}
	if len(attrs) == 0 {
		return nil
	}
	// The namespace registry refreshes on a timer: retry until the new namespace is known.
	for {
		_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace: s.ns, SearchAttributes: attrs})
		var saExists *serviceerror.AlreadyExists
		if err == nil || errors.As(err, &saExists) {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("search attributes on %s: %w", s.ns, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// setRetention gives the namespace the retention asked for when it has another (a data folder made
// before the option, or started with another value).
func (s *Server) setRetention(retention time.Duration) error {
	return s.withClient(func(ctx context.Context, c client.Client) error { return s.retain(ctx, c, retention) })
}

// retain is setRetention's work on a client, within ctx.
func (s *Server) retain(ctx context.Context, c client.Client, retention time.Duration) error {
	d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: s.ns})
	if err != nil {
		return fmt.Errorf("describe namespace %s: %w", s.ns, err)
	}
	if d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == retention {
		return nil
	}
	_, err = c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{Namespace: s.ns,
		Config: &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)}})
	if err != nil {
		return fmt.Errorf("retention of namespace %s: %w", s.ns, err)
	}
	return nil
}

// withClient runs do with a client of the namespace, for at most 30 s: the operator calls the server
// answers at once when it is up.
func (s *Server) withClient(do func(ctx context.Context, c client.Client) error) error {
	c, err := client.Dial(client.Options{HostPort: s.hostPort, Namespace: s.ns})
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return do(ctx, c)
}
