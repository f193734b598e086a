package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one dependency /readyz asks about: Name is what the answer calls it when it is down, Ping
// answers nil while it works.
type Check struct {
	Name string
	Ping func(context.Context) error
}

// readyTimeout bounds each check, so a dependency that hangs is reported down while the probe waits.
const readyTimeout = 2 * time.Second

// ready answers /readyz: 200 when the database and every Check answer, 503 naming each that does not.
// The checks run at once, so the probe takes as long as the slowest, never their sum; why one failed
// is logged, never shown.
func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	checks := append([]Check{{Name: "database", Ping: s.pingDatabase}}, s.checks...)
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, ch := range checks {
		wg.Go(func() { errs[i] = ch.Ping(ctx) })
	}
	wg.Wait()
	states := gin.H{}
	var down []string
	for i, ch := range checks {
		states[ch.Name] = "ok"
		if errs[i] != nil {
			states[ch.Name] = "unreachable"
			down = append(down, ch.Name)
			s.log.WarnContext(ctx, "not ready", "dependency", ch.Name, "error", errs[i])
		}
	}
	if len(down) > 0 {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": strings.Join(down, " and ") + " unreachable", "checks": states})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": states})
}

func (s *Server) pingDatabase(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}
