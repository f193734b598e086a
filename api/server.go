package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/internal/ratelimit"
	"github.com/licensecentral/clc/internal/webguard"
	"github.com/licensecentral/clc/process"
)

// Processes is what the API asks of the workflows; workflows.Processes in production, a fake in the
// handler tests.
type Processes interface {
	StartSACreate(ctx context.Context, requestID string, req process.SARequest) (process.CreateResponse, error)
	Decide(ctx context.Context, workflowID string, in process.DecideInput) (process.DecideResult, error)
	AccountProcesses
}

// Server is the HTTP API and the emailed-link pages.
type Server struct {
	db        *gorm.DB
	processes Processes
	orders    OrderProcesses
	training  TrainingProcesses
	verifier  auth.Verifier
	log       *slog.Logger
	// users remembers which identities were recorded, so a request writes its user row only when the
	// identity changed.
	users    sync.Map
	registry *prometheus.Registry
	requests *prometheus.HistogramVec
	extra    []func(*gin.Engine)
	// links limits each client address on the emailed-link pages, perIdentity each caller of the API.
	links, perIdentity *ratelimit.Limiter
	trustedProxies     []string
	// origins refuses a form another site made a browser post to an emailed link.
	origins      *webguard.Origins
	maxBody      int64
	checks       []Check
	provisionSLA time.Duration
	// signIn is the browser pages' sign-in; nil when it is not configured, and the pages answer 503.
	signIn      *web.SignIn
	observeLink func(purpose, event string)
}

// Options configures a Server.
type Options struct {
	DB        *gorm.DB
	Processes Processes
	Verifier  auth.Verifier
	Log       *slog.Logger
	// Extra adds routes: the dev stack's /dev endpoints.
	Extra []func(*gin.Engine)
	// Orders drives the order processes; without it the order endpoints answer 503.
	Orders OrderProcesses
	// Training drives the training requests' processes; without it their actions answer 503.
	Training TrainingProcesses
	// RateLinks and RateAPI limit the emailed-link pages per client address and the API per identity
	// (zero: no limit). TrustedProxies are the proxies whose X-Forwarded-For names the client; none by
	// default, so a client cannot pick its own address.
	RateLinks, RateAPI ratelimit.Config
	TrustedProxies     []string
	// PublicURL is where browsers reach the server (CLC_PUBLIC_URL): behind a proxy that rewrites Host,
	// a form posted from the server's own page carries this origin, which the cross-site check accepts.
	PublicURL string
	// MaxBodyBytes bounds every request body (CLC_MAX_BODY_BYTES); zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Checks are what /readyz asks besides the database: the Temporal frontend in production.
	Checks []Check
	// ObserveLink, when set, counts the emailed links opened (their page shown) and used (a decision
	// taken through one) by purpose (metrics.Events.Link).
	ObserveLink func(purpose, event string)
	// ProvisionSLA is how long after shipment a pending line may take: its waitingOn's deadline.
	ProvisionSLA time.Duration
	// Registry is what /metrics serves; the server adds its HTTP timings and the Go runtime's. A new
	// one when nil.
	Registry *prometheus.Registry
	// SignIn is the browser sign-in the pages use (/login, /logout, the dev stack's /dev/login); nil
	// leaves the pages unable to sign anyone in.
	SignIn *web.SignIn
}

// New builds the server.
func New(o Options) *Server {
	s := &Server{db: o.DB, processes: o.Processes, orders: o.Orders, training: o.Training, verifier: o.Verifier, log: o.Log, extra: o.Extra,
		registry: o.Registry, links: ratelimit.New(o.RateLinks), perIdentity: ratelimit.New(o.RateAPI),
		trustedProxies: o.TrustedProxies, maxBody: o.MaxBodyBytes, checks: o.Checks, provisionSLA: o.ProvisionSLA,
		signIn: o.SignIn, observeLink: o.ObserveLink}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.orders == nil {
		s.orders = noOrders{}
	}
	if s.training == nil {
		s.training = noTraining{}
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	var err error
	if s.origins, err = webguard.NewOrigins(o.PublicURL); err != nil {
		// config.Load refuses such a URL; a caller that passes one anyway still gets the check on Host.
		s.log.Error("public URL not trusted for cross-site checks", "error", err)
		s.origins, _ = webguard.NewOrigins()
	}
	s.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "clc_http_request_duration_seconds",
		Help:    "HTTP requests by route, method and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "code"})
	s.registry.MustRegister(s.requests, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return s
}

// Handler is the whole HTTP surface.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(s.trustedProxies); err != nil {
		s.log.Error("trusted proxies ignored", "error", err)
		_ = r.SetTrustedProxies(nil)
	}
	// Every answer, of every route (the dev stack's and the mounted pages' too), carries the browser
	// headers; every body is bounded, every path and query checked, before any handler runs.
	r.Use(webguard.Headers, gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		s.log.ErrorContext(c.Request.Context(), "panic", "path", c.Request.URL.Path, "panic", rec)
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": asDomainError(nil)})
	}), s.observe, s.limitBody, s.checkRequest)
	r.HandleMethodNotAllowed = true
	r.NoMethod(func(c *gin.Context) {
		c.JSON(http.StatusMethodNotAllowed, gin.H{"error": gin.H{"code": "METHOD_NOT_ALLOWED", "message": c.Request.Method + " is not allowed on " + c.Request.URL.Path}})
	})
	r.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, gin.H{"error": gin.H{"code": "NOT_FOUND", "message": "no such route: " + c.Request.Method + " " + c.Request.URL.Path}})
	})

	s.probeRoutes(r)

	r.GET("/a/:token", s.links.ByClientIP(), s.linkPage)
	r.POST("/a/:token", s.links.ByClientIP(), s.sameOrigin, s.linkDecide)

	if s.signIn != nil {
		s.signIn.Routes(r)
	}
	s.appRoutes(r)
	s.consoleRoutes(r)

	// The contract is public: a client reads it before it has a token.
	r.GET(OpenAPIPath, serveOpenAPI)
	v1 := r.Group("/api/v1", s.authenticate, s.perIdentity.ByKey(func(c *gin.Context) string { return identity(c).Email }))
	s.apiRoutes(v1)
	s.unsubscribeRoutes(r)

	for _, f := range s.extra {
		f(r)
	}
	return r
}

// probeRoutes are the orchestrator's probes and Prometheus's scrape.
func (s *Server) probeRoutes(r *gin.Engine) {
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.ready)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})))
}

// ProbeHandler serves only /healthz, /readyz (the database and the Checks) and /metrics: what
// `clc worker` answers on CLC_WORKER_LISTEN_ADDR for the orchestrator's probes and Prometheus.
func (s *Server) ProbeHandler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(webguard.Headers, gin.Recovery(), s.observe)
	s.probeRoutes(r)
	r.NoRoute(func(c *gin.Context) {
		c.JSON(http.StatusNotFound, gin.H{"error": gin.H{"code": "NOT_FOUND", "message": "no such route: " + c.Request.URL.Path}})
	})
	return r
}

// observe logs each request with its ids and records its duration by route.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	code := strconv.Itoa(c.Writer.Status())
	elapsed := time.Since(start)
	s.requests.WithLabelValues(route, c.Request.Method, code).Observe(elapsed.Seconds())
	if route == "/healthz" || route == "/metrics" {
		return
	}
	attrs := []any{"method", c.Request.Method, "route", route, "status", c.Writer.Status(), "ms", elapsed.Milliseconds()}
	if id, ok := auth.FromContext(c.Request.Context()); ok {
		attrs = append(attrs, "user", id.Email)
	}
	if sa := c.Param("id"); sa != "" {
		attrs = append(attrs, "smartAccountId", sa)
	}
	s.log.InfoContext(c.Request.Context(), "http", attrs...)
}
