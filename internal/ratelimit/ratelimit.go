// Package ratelimit is Gin middleware that limits requests per key (a client address, an identity)
// with a token bucket per key from golang.org/x/time/rate.
//
// It keeps its keys in memory, in one process: with several API copies each limits on its own, so a
// client gets up to the limit from each. That is enough for what it is for, keeping one client from
// drowning the emailed-link pages or the API, not for quotas that must hold exactly.
package ratelimit

import (
	"container/list"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

const (
	// DefaultIdle is how long a key is remembered without requests when Config.Idle is zero.
	DefaultIdle = 10 * time.Minute
	// DefaultMaxKeys caps the keys remembered when Config.MaxKeys is zero: some 200 bytes each, so a
	// flood of distinct addresses costs tens of megabytes at most.
	DefaultMaxKeys = 100_000
)

// Config configures a Limiter.
type Config struct {
	// Rate is the sustained rate per key, in requests per second. Zero (or less, or rate.Inf) disables
	// the limiter: its handlers let every request through and remember nothing.
	Rate rate.Limit
	// Burst is how many requests a key may make at once, on top of the rate; at least 1.
	Burst int
	// Idle is how long a key is remembered after its last request, default DefaultIdle. It is raised
	// to the time a key's bucket takes to refill, so forgetting a key never hands it requests it
	// would not have had anyway.
	Idle time.Duration
	// MaxKeys caps the keys remembered, default DefaultMaxKeys; past it the least recently seen key is
	// forgotten, which can only make the limiter more lenient towards that key, never stricter.
	MaxKeys int
	// Now is the clock, time.Now when nil; tests inject a fake one to refill buckets without sleeping.
	Now func() time.Time
}

// Enabled reports whether the Config limits anything.
func (c Config) Enabled() bool { return c.Rate > 0 && c.Rate != rate.Inf }

// String writes the Config in the form Parse reads.
func (c Config) String() string {
	if !c.Enabled() {
		return "0"
	}
	return strconv.FormatFloat(float64(c.Rate), 'f', -1, 64) + "/s," + strconv.Itoa(c.Burst)
}

// Limiter limits requests per key. Its handlers are safe for concurrent use; one Limiter's keys are
// shared by all handlers made from it, so mount one Limiter per limit.
type Limiter struct {
	cfg  Config
	idle time.Duration

	mu sync.Mutex
	// keys index the entries of lru, which runs from the most recently seen key to the least, so the
	// sweep only ever looks at its back.
	keys map[string]*list.Element
	lru  *list.List
}

type entry struct {
	key      string
	bucket   *rate.Limiter
	lastSeen time.Time
}

// New returns a Limiter for cfg, with the defaults filled in.
func New(cfg Config) *Limiter {
	if cfg.Burst < 1 {
		cfg.Burst = 1
	}
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	idle := cfg.Idle
	if cfg.Enabled() {
		if refill := time.Duration(float64(cfg.Burst) / float64(cfg.Rate) * float64(time.Second)); refill > idle {
			idle = refill
		}
	}
	return &Limiter{cfg: cfg, idle: idle, keys: map[string]*list.Element{}, lru: list.New()}
}

// ByClientIP limits per client address, c.ClientIP(). That address is only the peer's when the engine
// trusts no proxy it should not: gin trusts every proxy by default, which lets any client choose its
// address, and so its bucket, with an X-Forwarded-For header. Call engine.SetTrustedProxies with the
// load balancers' addresses (or nil when there are none) before relying on this.
func (l *Limiter) ByClientIP() gin.HandlerFunc {
	return l.ByKey(func(c *gin.Context) string { return c.ClientIP() })
}

// ByKey limits per the key that key returns for a request, for example the authenticated identity.
// An empty key is not limited: the caller decides which requests have none and what else guards them.
func (l *Limiter) ByKey(key func(*gin.Context) string) gin.HandlerFunc {
	if !l.cfg.Enabled() {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		k := key(c)
		if k == "" {
			c.Next()
			return
		}
		if wait, ok := l.allow(k); !ok {
			refuse(c, wait)
			return
		}
		c.Next()
	}
}

// Len is the number of keys remembered, for metrics and tests.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// allow takes a token from key's bucket; when there is none it says how long until there is one.
func (l *Limiter) allow(key string) (wait time.Duration, ok bool) {
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	var e *entry
	if el, found := l.keys[key]; found {
		e = el.Value.(*entry)
		l.lru.MoveToFront(el)
	} else {
		for len(l.keys) >= l.cfg.MaxKeys {
			l.forget(l.lru.Back())
		}
		e = &entry{key: key, bucket: rate.NewLimiter(l.cfg.Rate, l.cfg.Burst)}
		l.keys[key] = l.lru.PushFront(e)
	}
	e.lastSeen = now
	if e.bucket.AllowN(now, 1) {
		return 0, true
	}
	missing := 1 - e.bucket.TokensAt(now)
	return time.Duration(missing / float64(l.cfg.Rate) * float64(time.Second)), false
}

// sweep forgets the keys idle for longer than l.idle. The list is in order of last use, so it stops
// at the first key still in use: each key is swept once, in the request that finds it idle.
func (l *Limiter) sweep(now time.Time) {
	for el := l.lru.Back(); el != nil; el = l.lru.Back() {
		if now.Sub(el.Value.(*entry).lastSeen) < l.idle {
			return
		}
		l.forget(el)
	}
}

func (l *Limiter) forget(el *list.Element) {
	delete(l.keys, el.Value.(*entry).key)
	l.lru.Remove(el)
}

// CodeRateLimited is the error code of a refused request, in the API's error shape.
const CodeRateLimited = "RATE_LIMITED"

// refuse answers 429 with the whole seconds to wait, rounded up so a client that waits exactly that
// long finds a token; browsers get a page, everything else the API's JSON error.
func refuse(c *gin.Context, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	c.Header("Retry-After", strconv.Itoa(secs))
	if wantsHTML(c.GetHeader("Accept")) {
		c.Data(http.StatusTooManyRequests, "text/html; charset=utf-8", []byte(fmt.Sprintf(page, seconds(secs))))
		c.Abort()
		return
	}
	c.AbortWithStatusJSON(http.StatusTooManyRequests, gin.H{"error": gin.H{"code": CodeRateLimited,
		"message": "too many requests: try again in " + seconds(secs)}})
}

// page is filled with a number of seconds only, so it needs no escaping.
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Too many requests</title></head>
<body><h1>Too many requests</h1><p>Please wait %s, then try again.</p></body></html>
`

// wantsHTML reports whether an Accept header lists text/html, as browsers' do; q=0 means "not that".
func wantsHTML(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != "text/html" {
			continue
		}
		if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q <= 0 {
			continue
		}
		return true
	}
	return false
}

func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return strconv.Itoa(n) + " seconds"
}
