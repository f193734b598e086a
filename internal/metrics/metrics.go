// Package metrics owns what License Central tells Prometheus beyond HTTP timings: the provisioning of
// order lines (by status and delay reason, the stuck ones) read from the database when scraped, and the
// calls of the fulfillment service (FEATURES PR3).
package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/licensecentral/clc/models"
)

// Fulfillment is the histogram of calls to the fulfillment service by operation and outcome; the
// fulfillment client's Observe feeds it.
type Fulfillment struct {
	calls *prometheus.HistogramVec
}

// NewFulfillment registers the histogram on reg.
func NewFulfillment(reg prometheus.Registerer) *Fulfillment {
	f := &Fulfillment{calls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "clc_fulfillment_call_duration_seconds",
		Help:    "Calls of the fulfillment service by operation and outcome (created, existing, or the error's kind).",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15},
	}, []string{"op", "outcome"})}
	reg.MustRegister(f.calls)
	return f
}

// Observe records one call; it has the fulfillment client's Observe signature.
func (f *Fulfillment) Observe(op, outcome string, d time.Duration) {
	f.calls.WithLabelValues(op, outcome).Observe(d.Seconds())
}

// provisioningCollector reads the lines' provisioning from the database at each scrape: from the daily
// roll-ups (a few thousand rows, whatever the number of orders) and the pending lines' index.
type provisioningCollector struct {
	db                     *gorm.DB
	log                    *slog.Logger
	byStatus, byReason     *prometheus.Desc
	stuck, scrapeErrorDesc *prometheus.Desc
}

// RegisterProvisioning adds the provisioning gauges to reg.
func RegisterProvisioning(reg prometheus.Registerer, db *gorm.DB, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	reg.MustRegister(&provisioningCollector{db: db, log: log,
		byStatus: prometheus.NewDesc("clc_order_lines", "Order lines by provisioning status.", []string{"status"}, nil),
		byReason: prometheus.NewDesc("clc_order_lines_pending", "Pending order lines by delay reason ('' while depositing).",
			[]string{"delay_reason"}, nil),
		stuck: prometheus.NewDesc("clc_order_lines_stuck", "Pending order lines past their SLA.", nil, nil),
		scrapeErrorDesc: prometheus.NewDesc("clc_metrics_scrape_error", "1 when the database could not be read for the gauges.",
			nil, nil)})
}

func (c *provisioningCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.byStatus
	ch <- c.byReason
	ch <- c.stuck
	ch <- c.scrapeErrorDesc
}

func (c *provisioningCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var r struct {
		NotStarted, Pending, Provisioned, Failed                                               int64
		NoAccount, AccountPending, InHolding, AwaitingShipment, FulfillmentError, ManualReview int64
	}
	err := c.db.WithContext(ctx).Raw(`SELECT COALESCE(SUM(lines_not_started), 0) AS not_started,
		COALESCE(SUM(lines_pending), 0) AS pending, COALESCE(SUM(lines_provisioned), 0) AS provisioned,
		COALESCE(SUM(lines_failed), 0) AS failed, COALESCE(SUM(lines_no_account), 0) AS no_account,
		COALESCE(SUM(lines_account_pending), 0) AS account_pending, COALESCE(SUM(lines_in_holding), 0) AS in_holding,
		COALESCE(SUM(lines_awaiting_shipment), 0) AS awaiting_shipment,
		COALESCE(SUM(lines_fulfillment_error), 0) AS fulfillment_error,
		COALESCE(SUM(lines_manual_review), 0) AS manual_review FROM order_rollups`).Scan(&r).Error
	var stuck int64
	if err == nil {
		err = c.db.WithContext(ctx).Model(&models.OrderLine{}).
			Where("provisioning_status = ? AND stuck_at IS NOT NULL", models.ProvisionPending).Count(&stuck).Error
	}
	if err != nil {
		c.log.Warn("provisioning metrics not read", "error", err)
		ch <- prometheus.MustNewConstMetric(c.scrapeErrorDesc, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.scrapeErrorDesc, prometheus.GaugeValue, 0)
	for status, n := range map[models.ProvisioningStatus]int64{models.ProvisionNotStarted: r.NotStarted,
		models.ProvisionPending: r.Pending, models.ProvisionProvisioned: r.Provisioned, models.ProvisionFailed: r.Failed} {
		ch <- prometheus.MustNewConstMetric(c.byStatus, prometheus.GaugeValue, float64(n), string(status))
	}
	reasons := map[models.DelayReason]int64{models.DelayNoSmartAccount: r.NoAccount,
		models.DelaySmartAccountPending: r.AccountPending, models.DelayInHolding: r.InHolding,
		models.DelayAwaitingShipment: r.AwaitingShipment, models.DelayFulfillmentError: r.FulfillmentError,
		models.DelayManualReview: r.ManualReview}
	counted := int64(0)
	for reason, n := range reasons {
		counted += n
		ch <- prometheus.MustNewConstMetric(c.byReason, prometheus.GaugeValue, float64(n), string(reason))
	}
	ch <- prometheus.MustNewConstMetric(c.byReason, prometheus.GaugeValue, float64(r.Pending-counted), "")
	ch <- prometheus.MustNewConstMetric(c.stuck, prometheus.GaugeValue, float64(stuck))
}
