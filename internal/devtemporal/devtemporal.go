// Package devtemporal runs a Temporal server inside the dev stack's process, persisted to one SQLite
// file so a restart keeps running workflows. Only the dev binary imports it: production binaries talk
// to a Temporal cluster and never link the server.
package devtemporal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	tlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/testing/freeport"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Options configures the embedded server.
type Options struct {
	// DBFile is the SQLite file that holds every namespace, workflow and history.
	DBFile string
	// IP and Port of the frontend; Port 0 picks a free one.
	IP   string
	Port int
	// Namespace is created on start (with SearchAttributes) when missing.
	Namespace        string
	SearchAttributes map[string]enumspb.IndexedValueType
	// PProfPort, when set, serves Go's profiler for the whole process (benchmarks).
	PProfPort int
	// PostgresURL, when set, persists to PostgreSQL instead of DBFile: databases <name> and
	// <name>_visibility, created and migrated on first use (the production shape, for load tests).
	PostgresURL string
	// PostgresMaxConns bounds each of the server's PostgreSQL pools (DefaultPostgresMaxConns when 0).
	PostgresMaxConns int
	// Retention is how long a closed workflow's history is kept (DefaultRetention when 0; at least an
	// hour, the server's floor for a local namespace): the dev stack must not keep every closed
	// process forever (issue 10, item 5).
	Retention time.Duration
}

// DefaultPostgresMaxConns is each pool's bound on PostgreSQL. The server opens a pool per persistence
// role (three on the default store, one for visibility): at 20 each it held 74 connections under load,
// which beside an api's and a worker's 20 each ran PostgreSQL's default 100 out on a one-machine load
// test, and the api answered 503 "too many clients".
const DefaultPostgresMaxConns = 10

// DefaultRetention keeps a closed process's history for a day: long enough to read it after a demo.
const DefaultRetention = 24 * time.Hour

// persistence is where the server keeps its state.
type persistence struct {
	cfg config.Persistence
	// register tells that the namespace is created through the API once the server runs.
	register bool
}

// sqliteStore prepares the SQLite file: schema on first use, the namespace, and no stale members.
func sqliteStore(o Options) (persistence, error) {
	// Keys without a leading underscore become PRAGMAs; WAL lets readers run beside the one writer.
	sqlCfg := &config.SQL{PluginName: sqliteplugin.PluginName, DatabaseName: o.DBFile,
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal", "busy_timeout": "10000"}}
	shards, err := shardCount(o.DBFile)
	if err != nil {
		return persistence{}, err
	}
	if _, err := os.Stat(o.DBFile); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(o.DBFile), 0o755); err != nil {
			return persistence{}, err
		}
		if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
			return persistence{}, fmt.Errorf("temporal schema: %w", err)
		}
		if err := os.WriteFile(o.DBFile+".shards", []byte(strconv.Itoa(shards)), 0o644); err != nil {
			return persistence{}, err
		}
	} else if err := forgetMembers(o.DBFile); err != nil {
		return persistence{}, err
	}
	nsCfg, err := sqliteschema.NewNamespaceConfig("active", o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return persistence{}, fmt.Errorf("namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(sqlCfg, nsCfg); err != nil {
		return persistence{}, fmt.Errorf("create namespace: %w", err)
	}
	return persistence{cfg: config.Persistence{
		DefaultStore: sqliteplugin.PluginName, VisibilityStore: sqliteplugin.PluginName, NumHistoryShards: int32(shards),
		DataStores: map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
	}}, nil
}

// Server is a running embedded Temporal server.
type Server struct {
	srv      temporal.Server
	hostPort string
	ns       string
}

// Start sets up the schema on first use, creates the namespace, and starts all services.
func Start(o Options) (*Server, error) {
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.PostgresMaxConns <= 0 {
		o.PostgresMaxConns = DefaultPostgresMaxConns
	}
	if o.Retention < time.Hour {
		return nil, fmt.Errorf("temporal retention %s is below the server's floor of 1h", o.Retention)
	}
	if o.Port == 0 {
		p, err := freePort(o.IP)
		if err != nil {
			return nil, err
		}
		o.Port = p
	}
	var (
		store   persistence
		err     error
		logFile = strings.TrimSuffix(o.DBFile, filepath.Ext(o.DBFile)) + ".log"
	)
	if o.PostgresURL != "" {
		store, err = postgresStore(o.PostgresURL, o.PostgresMaxConns)
		logFile = ""
	} else {
		store, err = sqliteStore(o)
	}
	if err != nil {
		return nil, err
	}
	cfg, err := serverConfig(o, store)
	if err != nil {
		return nil, err
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		// The server's own log goes to a file beside its database; the console is for the app.
		temporal.WithLogger(tlog.NewZapLogger(tlog.BuildZapLogger(tlog.Config{Level: "warn", Format: "json",
			OutputFile: logFile}))),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s := &Server{srv: srv, hostPort: net.JoinHostPort(o.IP, strconv.Itoa(o.Port)), ns: o.Namespace}
	if err := s.waitReady(30 * time.Second); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	if store.register {
		err = s.registerNamespace(o.SearchAttributes, o.Retention)
	} else {
		err = s.setRetention(o.Retention)
	}
	if err != nil {
		_ = srv.Stop()
		return nil, err
	}
	return s, nil
}

// HostPort is the frontend's address for clients.
func (s *Server) HostPort() string { return s.hostPort }

// Namespace is the namespace the server was started with.
func (s *Server) Namespace() string { return s.ns }

// Stop shuts every service down.
func (s *Server) Stop() error { return s.srv.Stop() }

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := client.Dial(client.Options{HostPort: s.hostPort, Namespace: s.ns})
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			cancel()
			c.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("temporal server not ready after %s: %w", limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Bounds of the history service's caches. The server's defaults are sized for a history host of a
// cluster (128,000 cached workflows, an hour's TTL): under a long run of creations the dev stack grew
// past a gigabyte, mostly closed workflows' mutable state (issue 10, item 5). A workflow evicted from
// the cache is read back from the database when it is next touched; a few thousand recent ones cover
// every process a person or a load tool is working on.
//
// The bound is by entries, not bytes: v1.32.1's size-based limit (history.cacheSizeBasedLimit) measures a
// cached workflow's mutable state while another goroutine changes it, a data race the race detector
// reports in the dev stack's own tests.
const (
	historyCacheEntries = 4096
	historyCacheTTL     = 10 * time.Minute
	// eventsCacheBytes is per shard (the server's default, 512 KiB, kept explicit).
	eventsCacheBytes = 512 << 10
)

// dynamicConfig is the embedded server's dynamic config: settings for one small host.
func dynamicConfig() dynamicconfig.StaticClient {
	one := func(v any) []dynamicconfig.ConstrainedValue { return []dynamicconfig.ConstrainedValue{{Value: v}} }
	return dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): one(true),
		// One partition per task queue: with a handful of pollers, more partitions only add the wait
		// for a task to be forwarded to a partition someone polls.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  one(1),
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): one(1),
		// The mutable-state cache bounded by entries, its expired entries dropped in the background
		// rather than only when the cache is full.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): one(historyCacheEntries),
		dynamicconfig.HistoryCacheTTL.Key():              one(historyCacheTTL),
		dynamicconfig.HistoryCacheBackgroundEvict.Key(): one(dynamicconfig.CacheBackgroundEvictSettings{
			Enabled: true, LoopInterval: time.Minute, MaxEntryPerCall: 1024}),
		dynamicconfig.EventsCacheMaxSizeBytes.Key(): one(eventsCacheBytes),
		dynamicconfig.EventsCacheTTL.Key():          one(historyCacheTTL),
		// Task queues nobody polls (a finished benchmark's) unloaded after a minute, not five.
		dynamicconfig.MatchingMaxTaskQueueIdleTime.Key(): one(time.Minute),
	}
}

func serverConfig(o Options, store persistence) (*config.Config, error) {
	services := map[string]config.Service{}
	for i, name := range []string{"frontend", "history", "matching", "worker"} {
		var grpc, member int
		var err error
		if store.register {
			// PostgreSQL keeps membership ports in a smallint: the ephemeral range does not fit, so the
			// services take the ports after the frontend's.
			if o.Port+20 > 32767 {
				return nil, fmt.Errorf("with PostgreSQL the Temporal port must be below 32747, not %d", o.Port)
			}
			grpc, member = o.Port+i, o.Port+10+i
		} else {
			grpc = o.Port
			if i > 0 {
				if grpc, err = freePort(o.IP); err != nil {
					return nil, err
				}
			}
			if member, err = freePort(o.IP); err != nil {
				return nil, err
			}
		}
		services[name] = config.Service{RPC: config.RPC{GRPCPort: grpc, MembershipPort: member, BindOnIP: o.IP}}
	}
	metricsPort, err := freePort(o.IP)
	if err != nil {
		return nil, err
	}
	frontend := net.JoinHostPort(o.IP, strconv.Itoa(o.Port))
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: o.IP},
			PProf:      config.PProf{Port: o.PProfPort, Host: o.IP},
			Metrics: &metrics.Config{Prometheus: &metrics.PrometheusConfig{
				ListenAddress: net.JoinHostPort(o.IP, strconv.Itoa(metricsPort)), HandlerPath: "/metrics"}},
		},
		Persistence: store.cfg,
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace: false, FailoverVersionIncrement: 10,
			MasterClusterName: "active", CurrentClusterName: "active",
			ClusterInformation: map[string]cluster.ClusterInformation{
				"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            services,
		Archival: config.Archival{History: config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"}},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History: config.HistoryArchivalNamespaceDefaults{State: "disabled"}, Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"}}},
		PublicClient: config.PublicClient{HostPort: frontend},
	}, nil
}

// historyShards is the shard count of a new server: with one shard every workflow update queues on
// the same lock; four keep the single SQLite writer busy.
const historyShards = 4

// shardCount is the shard count a database was created with (it can never change): the number kept
// beside it, 1 for a database from before that file existed, historyShards for a new one.
func shardCount(dbFile string) (int, error) {
	b, err := os.ReadFile(dbFile + ".shards")
	switch {
	case err == nil:
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%s.shards: not a shard count", dbFile)
		}
		return n, nil
	case !errors.Is(err, os.ErrNotExist):
		return 0, err
	}
	if _, err := os.Stat(dbFile); err == nil {
		return 1, nil
	}
	return historyShards, nil
}

// forgetMembers drops the membership rows the previous run left: its services listened on other
// ports, and the new ones would otherwise spend half a minute trying to join those dead hosts.
func forgetMembers(dbFile string) error {
	db, err := sql.Open("sqlite", "file:"+dbFile)
	if err != nil {
		return fmt.Errorf("open %s: %w", dbFile, err)
	}
	defer db.Close()
	if _, err := db.Exec("DELETE FROM cluster_membership"); err != nil {
		return fmt.Errorf("reset cluster membership in %s: %w", dbFile, err)
	}
	return nil
}

// freePort finds a port nobody listens on. Temporal's helper also leaves the port in TIME_WAIT, so the
// kernel does not hand it to the next process asking for any free port before the server binds it.
func freePort(ip string) (port int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("find a free port on %s: %v", ip, r)
		}
	}()
	return freeport.MustGetFreePort(), nil
}
