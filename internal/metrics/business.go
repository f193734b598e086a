package metrics

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

// Process types as the business gauges name them.
const (
	ProcessSACreate      = "sa-create"
	ProcessUpgrade       = "upgrade"
	ProcessAccessRequest = "access-request"
	ProcessDelegation    = "delegation"
	ProcessOrder         = "order"
)

// taskAges are the upper bounds of the age buckets of pending tasks; older ones are "older".
var taskAges = []struct {
	label string
	max   time.Duration
}{{"1h", time.Hour}, {"1d", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}}

func ageLabel(d time.Duration) string {
	for _, a := range taskAges {
		if d < a.max {
			return a.label
		}
	}
	return "older"
}

// businessCollector reads, at each scrape, the open processes and the tasks they wait for from the rows
// each process keeps (status and waitingOn), so every API copy reports the same numbers and a restart
// loses none.
type businessCollector struct {
	db                        *gorm.DB
	log                       *slog.Logger
	open, tasks, oldest, fail *prometheus.Desc
	now                       func() time.Time
}

// RegisterBusiness adds to reg clc_processes_open{type,state}, clc_tasks_pending{action,age} and
// clc_tasks_oldest_seconds{action} (FEATURES X1: whom each process waits for).
func RegisterBusiness(reg prometheus.Registerer, db *gorm.DB, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	reg.MustRegister(&businessCollector{db: db, log: log, now: time.Now,
		open: prometheus.NewDesc("clc_processes_open", "Open processes by type and state.", []string{"type", "state"}, nil),
		tasks: prometheus.NewDesc("clc_tasks_pending",
			"Tasks waiting for a person, by action and age (under 1h, 1d, 7d, or older).", []string{"action", "age"}, nil),
		oldest: prometheus.NewDesc("clc_tasks_oldest_seconds", "Age of the oldest pending task by action.",
			[]string{"action"}, nil),
		fail: prometheus.NewDesc("clc_business_scrape_error", "1 when the database could not be read for the process gauges.",
			nil, nil)})
}

func (c *businessCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.open
	ch <- c.tasks
	ch <- c.oldest
	ch <- c.fail
}

type openKey struct{ typ, state string }
type taskKey struct{ action, age string }

func (c *businessCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	open, tasks, oldest, err := c.read(ctx)
	if err != nil {
		c.log.Warn("process metrics not read", "error", err)
		ch <- prometheus.MustNewConstMetric(c.fail, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.fail, prometheus.GaugeValue, 0)
	for k, n := range open {
		ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(n), k.typ, k.state)
	}
	for k, n := range tasks {
		ch <- prometheus.MustNewConstMetric(c.tasks, prometheus.GaugeValue, float64(n), k.action, k.age)
	}
	for action, d := range oldest {
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, d.Seconds(), action)
	}
}

func (c *businessCollector) read(ctx context.Context) (map[openKey]int, map[taskKey]int, map[string]time.Duration, error) {
	now := c.now()
	open, tasks, oldest := map[openKey]int{}, map[taskKey]int{}, map[string]time.Duration{}
	wait := func(action string, since time.Time) {
		age := max(now.Sub(since), 0)
		tasks[taskKey{action, ageLabel(age)}]++
		oldest[action] = max(oldest[action], age)
	}
	db := c.db.WithContext(ctx)
	// Smart Account requests and upgrades keep whom they wait for in waiting_on.
	var waiting []struct {
		Status    string
		WaitingOn string
		Typ       string
	}
	err := db.Raw(`SELECT status, waiting_on, ? AS typ FROM smart_accounts WHERE status IN ?
		UNION ALL SELECT status, waiting_on, ? AS typ FROM sa_upgrades WHERE status IN ?`,
		ProcessSACreate, []models.SAStatus{models.SAPendingApproval, models.SAPendingDomainApproval,
			models.SAPendingCustomerAcceptance, models.SAPendingCustomerAddress},
		ProcessUpgrade, []models.UpgradeStatus{models.UpgradePendingDomainApproval, models.UpgradePendingApproval}).
		Scan(&waiting).Error
	if err != nil {
		return nil, nil, nil, err
	}
	for _, w := range waiting {
		open[openKey{w.Typ, w.Status}]++
		var ws []models.Waiting
		if json.Unmarshal([]byte(w.WaitingOn), &ws) == nil {
			for _, x := range ws {
				wait(x.Action, x.Since)
			}
		}
	}
	// Access requests wait for their approvers, delegations for their delegate, since they were made.
	var since []struct {
		Typ       string
		CreatedAt time.Time
	}
	err = db.Raw(`SELECT ? AS typ, created_at FROM access_requests WHERE status = ?
		UNION ALL SELECT ? AS typ, created_at FROM order_delegations WHERE status = ?`,
		ProcessAccessRequest, models.AccessPending, ProcessDelegation, models.DelegationPending).Scan(&since).Error
	if err != nil {
		return nil, nil, nil, err
	}
	for _, s := range since {
		open[openKey{s.Typ, "PENDING"}]++
		action := models.ActApproveAccess
		if s.Typ == ProcessDelegation {
			action = models.ActAssign
		}
		wait(action, s.CreatedAt)
	}
	// An order's process runs until every line is provisioned or closed.
	var orders []struct {
		AssignmentStatus string
		N                int
	}
	err = db.Raw(`SELECT assignment_status, COUNT(*) AS n FROM orders WHERE lines_not_started + lines_pending > 0
		GROUP BY assignment_status`).Scan(&orders).Error
	if err != nil {
		return nil, nil, nil, err
	}
	for _, o := range orders {
		open[openKey{ProcessOrder, o.AssignmentStatus}] += o.N
	}
	return open, tasks, oldest, nil
}

// Events counts what happens in a process beyond HTTP: the mails the worker sends and fails to send,
// the emailed links people open and use.
type Events struct {
	mails *prometheus.CounterVec
	links *prometheus.CounterVec
}

// NewEvents registers clc_mails_total{outcome} and clc_links_total{purpose,event} on reg.
func NewEvents(reg prometheus.Registerer) *Events {
	e := &Events{
		mails: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clc_mails_total",
			Help: "Mails by outcome: sent, or failed (the activity retries a failed one)."}, []string{"outcome"}),
		links: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clc_links_total",
			Help: "Emailed links by purpose and event: opened (its page shown), used (a decision taken through it)."},
			[]string{"purpose", "event"}),
	}
	e.mails.WithLabelValues("sent")
	e.mails.WithLabelValues("failed")
	reg.MustRegister(e.mails, e.links)
	return e
}

// Mail records one send; it has the mailer's Observe signature.
func (e *Events) Mail(outcome string) { e.mails.WithLabelValues(outcome).Inc() }

// Link records an emailed link opened or used; it has the API's link observer signature.
func (e *Events) Link(purpose, event string) { e.links.WithLabelValues(purpose, event).Inc() }
